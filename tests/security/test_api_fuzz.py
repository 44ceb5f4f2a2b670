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
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import PROJECT, copy_index
from tests.stack import Stack

EDITOR = "fuzz-editor-token-0123456789abcdef"
INTERNAL = "fuzz-internal-token-0123456789abcdef"
EXAMPLES = 25
ARTIFACT = PROJECT / "var" / "test-artifacts" / "fuzz.json"
# Operations whose valid requests can be refused for reasons OpenAPI cannot state, so schemathesis's
# positive_data_acceptance check cannot judge them (every other check still runs on them):
# - document writes need If-Match or If-None-Match: * (one of two headers: 428, or 412 for a made-up ETag);
# - imported files and saved Markdown must be valid documents (front matter, sections): 422 with the problems;
# - an analytics period needs from <= to, a rule across two parameters.
SEMANTIC_REFUSALS = {
    "PUT /admin/documents/{doc_id}",
    "DELETE /admin/documents/{doc_id}",
    "POST /admin/import",
    "GET /admin/analytics",
    "GET /admin/analytics.csv",
}
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
    label = case.operation.label  # the documented operation (a negative case may send another method)
    CASES[label] += 1
    try:
        excluded = [positive_data_acceptance] if label in SEMANTIC_REFUSALS else None
        case.call_and_validate(headers=headers, timeout=60, excluded_checks=excluded)
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
