"""PII detection over an adversarial table of how people type (tests/data/pii_cases.tsv): precision and recall
of the pieces found, and nothing of a found piece left readable in the masked text."""

from __future__ import annotations

import re
import unicodedata

import pytest

from govbot.privacy.pii import find_pii, mask_pii
from tests.conftest import DATA

MIN_PRECISION = MIN_RECALL = 0.98


def _cases() -> list[tuple[str, str, list[str]]]:
    cases = []
    for line in (DATA / "pii_cases.tsv").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text, *pieces = line.split("\t")
            assert label in ("pos", "neg") and (label == "pos") == bool(pieces), line
            assert all(p in text for p in pieces), line
            cases.append((label, text, pieces))
    return cases


CASES = _cases()


def _score(cases: list[tuple[str, str, list[str]]]) -> tuple[int, int, int, list[str]]:
    true_positive = found = expected = 0
    misses = []
    for _label, text, pieces in cases:
        spans = [text[s.start : s.end] for s in find_pii(text)]
        hits = sum(1 for p in pieces if p in spans)
        true_positive += hits
        found += len(spans)
        expected += len(pieces)
        if hits != len(pieces) or len(spans) != len(pieces):
            misses.append(f"{text!r}: expected {pieces}, found {spans}")
    return true_positive, found, expected, misses


def test_table_is_large_enough():
    assert sum(1 for c in CASES if c[0] == "pos") >= 100
    assert sum(1 for c in CASES if c[0] == "neg") >= 100


def test_precision_and_recall():
    true_positive, found, expected, misses = _score(CASES)
    precision, recall = true_positive / found, true_positive / expected
    print(f"PII table: {len(CASES)} cases, {expected} pieces, precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL, "\n".join(misses)


@pytest.mark.parametrize(("text", "pieces"), [(c[1], c[2]) for c in CASES if c[0] == "pos"])
def test_masked_text_keeps_no_found_piece(text, pieces):
    masked = unicodedata.normalize("NFKC", mask_pii(text))
    spans = [text[s.start : s.end] for s in find_pii(text)]
    for piece in (p for p in pieces if p in spans):
        digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", piece))
        assert len(digits) < 7 or digits not in re.sub(r"\D", "", masked), masked
        assert piece not in masked
