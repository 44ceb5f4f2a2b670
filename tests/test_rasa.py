"""The Rasa project itself: data validation, NLU quality on held-out examples, conversation tests."""

from __future__ import annotations

import json
import subprocess

import pytest

from govbot.rasa_model import ensure_rasa_model
from tests.conftest import PROJECT
from tests.processes import BIN

RASA = str(BIN / "rasa")
HOLDOUT = PROJECT / "tests" / "data" / "nlu_holdout.yml"


@pytest.fixture(scope="module")
def rasa_model(settings):
    return ensure_rasa_model(settings)


def _rasa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RASA, *args], cwd=PROJECT, capture_output=True, text=True, timeout=900)


def test_data_validate():
    result = _rasa("data", "validate", "--data", "bot/data", "--domain", "domain.yml", "--config", "config.yml")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_nlu_intent_f1_on_held_out_examples(rasa_model, tmp_path):
    result = _rasa("test", "nlu", "--nlu", str(HOLDOUT), "--model", str(rasa_model), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((tmp_path / "intent_report.json").read_text("utf-8"))
    f1 = report["weighted avg"]["f1-score"]
    print(f"NLU held-out intent F1 (weighted): {f1:.3f}")
    assert f1 >= 0.90


def test_conversation_stories(rasa_model, tmp_path):
    result = _rasa(
        "test",
        "core",
        "--stories",
        "tests/test_stories.yml",
        "--model",
        str(rasa_model),
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    failed = (
        (tmp_path / "failed_test_stories.yml").read_text("utf-8")
        if (tmp_path / "failed_test_stories.yml").exists()
        else ""
    )
    assert result.returncode == 0, failed or result.stderr[-3000:]
