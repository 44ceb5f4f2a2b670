"""Schemathesis fuzzing of the app's OpenAPI schema over real HTTP, without and with tokens.

Every operation of a running `govbot run` (admin routes included in the schema for this run) gets generated
requests; schemathesis's checks fail on a server error, an undocumented status code, a response that does not
match its schema or content type. The counts are written to ``var/test-artifacts/fuzz.json``.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from tests.conftest import PROJECT, copy_index
from tests.stack import Stack

EDITOR = "fuzz-editor-token-0123456789abcdef"
INTERNAL = "fuzz-internal-token-0123456789abcdef"
EXAMPLES = 25
ARTIFACT = PROJECT / "var" / "test-artifacts" / "fuzz.json"
CASES: Counter[str] = Counter()
FAILURES: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzz_url(sample_index, tmp_path_factory):
    """The whole system (`govbot run`: app, Rasa, actions), so chat routes reach a real Rasa."""
    var_dir = tmp_path_factory.mktemp("fuzz") / "var"
    copy_index(sample_index, var_dir / "index")
    running = Stack(
        var_dir,
        extra_env={
            "GOVBOT_ADMIN_TOKENS": f"{EDITOR}:editor",
            "GOVBOT_INTERNAL_TOKEN": INTERNAL,
            "GOVBOT_DOCS_ADMIN": "1",
            # One client sends thousands of requests here: rate limits would answer most of them 429.
            **{f"GOVBOT_RATE_{name}": "off" for name in ("CHAT", "SEARCH", "TTS", "ADMIN_FAILURES")},
        },
    )
    running.start()
    yield running.app_url
    running.stop()
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    summary = {"cases": sum(CASES.values()), "operations": len(CASES), "failures": sum(FAILURES.values())}
    ARTIFACT.write_text(json.dumps(summary, indent=2))


@pytest.fixture(scope="module")
def api_schema(fuzz_url):
    return schemathesis.openapi.from_url(f"{fuzz_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _call(case, headers: dict[str, str]) -> None:
    label = f"{case.method} {case.path}"
    CASES[label] += 1
    try:
        case.call_and_validate(headers=headers, timeout=60)
    except Exception:
        FAILURES[label] += 1
        raise


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_without_tokens(case):
    _call(case, {})


@schema.parametrize()
@FUZZ_SETTINGS
def test_fuzz_with_tokens(case):
    _call(case, {"Authorization": f"Bearer {EDITOR}", "X-Govbot-Internal": INTERNAL})
