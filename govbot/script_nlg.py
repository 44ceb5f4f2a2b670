"""Rasa's response generator for domain responses, in the script the citizen writes in.

Configured in endpoints.yml (``nlg: type: govbot.script_nlg.ScriptResponseGenerator``). Responses are filled
from domain.yml exactly as Rasa's default generator does; when the conversation is in Traditional Chinese
(its latest user message that shows a script is Traditional) the text and button titles are converted, and so
are button payloads that are typed text, so that pressing one keeps the conversation in Traditional.
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from index.normalize import HANT, conversation_script, convert_visible, to_traditional


class ScriptResponseGenerator(TemplatedNaturalLanguageGenerator):
    """Domain responses, converted to Traditional for a Traditional conversation."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None) -> None:
        super().__init__((domain or Domain.empty()).responses)

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> dict[str, Any] | None:
        response = await super().generate(utter_action, tracker, output_channel, **kwargs)
        texts = [e.text or "" for e in tracker.events if isinstance(e, UserUttered)]
        script, config = conversation_script(texts)
        if response is None or script != HANT:
            return response
        return convert_response(response, config)


def convert_response(response: dict[str, Any], config: str) -> dict[str, Any]:
    """A filled response with its text, button titles and typed-text payloads in Traditional."""
    converted = dict(convert_visible({k: v for k, v in response.items() if k != "buttons"}, config))
    if response.get("buttons"):
        converted["buttons"] = [convert_button(button, config) for button in response["buttons"]]
    return converted


def convert_button(button: dict[str, Any], config: str) -> dict[str, Any]:
    """A button with its title in Traditional, and its payload too when it is typed text (not ``/intent``)."""
    payload = str(button.get("payload", ""))
    return {
        **button,
        "title": to_traditional(str(button.get("title", "")), config),
        "payload": payload if payload.startswith("/") else to_traditional(payload, config),
    }
