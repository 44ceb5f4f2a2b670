"""Schemathesis fuzzing of the app's OpenAPI schema over real HTTP, without and with tokens.

Every operation of a running `govbot serve` (admin routes included in the schema for this run) gets generated
requests; schemathesis's checks fail on a server error, an undocumented status code, a response that does not
match its schema or content type. The counts are written to ``var/test-artifacts/fuzz.json``.
"""

from __future__ import annotations

import json
import shutil
import signal
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from tests.conftest import PROJECT, SAMPLE_KB, copy_index
from tests.processes import BIN, free_port, start, stop, wait_http

EDITOR = "fuzz-editor-token-0123456789abcdef"
INTERNAL = "fuzz-internal-token-0123456789abcdef"
EXAMPLES = 25
ARTIFACT = PROJECT / "var" / "test-artifacts" / "fuzz.json"
CASES: Counter[str] = Counter()
FAILURES: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzz_url(sample_index, tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(SAMPLE_KB, root / "kb")
    copy_index(sample_index, root / "var" / "index")
    port = free_port()
    env = {
        "GOVBOT_KB_DIR": str(root / "kb"),
        "GOVBOT_VAR_DIR": str(root / "var"),
        "GOVBOT_APP_PORT": str(port),
        "GOVBOT_ADMIN_TOKENS": f"{EDITOR}:editor",
        "GOVBOT_INTERNAL_TOKEN": INTERNAL,
        "GOVBOT_DOCS_ADMIN": "1",
        # The fuzzer is one client sending thousands of requests: rate limits would answer most of them 429.
        "GOVBOT_RATE_CHAT": "100000/minute",
        "GOVBOT_RATE_SEARCH": "100000/minute",
        "GOVBOT_RATE_TTS": "100000/minute",
        "GOVBOT_RATE_ADMIN_FAILURES": "100000/minute",
    }
    process = start([str(BIN / "govbot"), "serve"], env, root / "serve.log")
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/health", process=process)
    yield url
    stop(process, signal.SIGTERM)
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    ARTIFACT.write_text(
        json.dumps(
            {"cases": sum(CASES.values()), "operations": len(CASES), "failures": sum(FAILURES.values())},
            indent=2,
        )
    )


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
