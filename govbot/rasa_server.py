"""Rasa's own command line (``python -m govbot.rasa_server run ...``), with one fix to its per-message hot path.

Rasa checks every action server response against a JSON schema with ``jsonschema.validate``, which first
validates the schema itself against the 2020-12 meta-schema and builds a new validator: about 22 ms of CPU per
custom action call, a third of the Rasa server's time per message under load. The schema never changes, so it is
checked once here and the compiled validator is reused. The response is validated exactly as before, and an
invalid one raises the same ``ValidationError`` with Rasa's message.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import Validator
from jsonschema.exceptions import ValidationError, best_match
from jsonschema.validators import validator_for


@functools.lru_cache(maxsize=1)
def action_response_validator() -> Validator:
    """The validator for action server responses, its schema checked once."""
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with the compiled validator."""
    from rasa.shared.constants import DOCS_BASE_URL

    error: ValidationError | None = best_match(action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the Action endpoint "
        f"is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Put the compiled validation in place of Rasa's per-call one."""
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result


def main() -> None:
    """Rasa's command line with :func:`install` applied."""
    from rasa.__main__ import main as rasa_main

    install()
    rasa_main()


if __name__ == "__main__":
    main()
