"""Hostile long input must not make the question classifiers backtrack: the knowledge service accepts questions of
up to 10,000 characters, and each answer runs these checks several times. A quadratic pattern took seconds here."""

from __future__ import annotations

import time

import pytest

from govbot.answering.event_cues import asks_one_fact, wants_whole_plan
from govbot.answering.personal_case import personal_case

HOSTILE = ["我" * 10_000, "a" * 10_000, "被" + "x" * 9_999, "1" * 10_000, "都一个月" * 2_500, "上周交的" * 2_500]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: f"{t[:4]}x{len(t)}")
def test_classifiers_stay_linear_on_long_hostile_text(text):
    started = time.perf_counter()
    personal_case(text), asks_one_fact(text), wants_whole_plan(text)
    assert time.perf_counter() - started < 1.0  # linear scans take milliseconds; the quadratic ones took seconds
