"""Tune the answer/clarify/fallback thresholds on the tune split of the dev questions.

Fusion weights and the confidence calibration are fitted per corpus at index build (index/calibration.py) and
see no labelled question. This script sets the two thresholds that remain, in probability units, and sees only
the ``tune`` split (questions about documents outside the held-out third; see benchmarks/retrieval_eval.py).
Run ``python -m benchmarks.tune``; it prints the best thresholds, which are the defaults in govbot/settings.py.
Utility of a decision: a correct answer +1, a clarification offering the right document +0.5, a wrong answer
-2, a fallback on an answerable question -0.5; on an unanswerable question a fallback +1 and an answer -2.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from benchmarks.retrieval_eval import TUNE, load_dev_questions, load_negative_questions
from govbot.components import embedder_for, service_names, tokenizer_for
from govbot.settings import get_settings
from index.confidence import ANSWER, CLARIFY, ConfidencePolicy
from index.query_text import clean_query
from index.searcher import Searcher


def utility(policy: ConfidencePolicy, positives: list, negatives: list) -> tuple[float, dict]:
    counts = {
        "right": 0,
        "wrong": 0,
        "clarify_ok": 0,
        "clarify_miss": 0,
        "fallback_pos": 0,
        "neg_fallback": 0,
        "neg_clarify": 0,
        "neg_answer": 0,
    }
    total = 0.0
    for scores, ids, expected in positives:
        decision = policy.decide(scores[:2])
        if decision == ANSWER:
            key = "right" if ids[0] == expected else "wrong"
        elif decision == CLARIFY:
            floor = policy.fallback_below
            offered = [i for i, s in zip(ids[:3], scores[:3], strict=False) if policy.confidence(s) >= floor]
            key = "clarify_ok" if expected in offered else "clarify_miss"
        else:
            key = "fallback_pos"
        counts[key] += 1
        total += {"right": 1, "wrong": -2, "clarify_ok": 0.5, "clarify_miss": -0.5, "fallback_pos": -0.5}[key]
    for scores in negatives:
        decision = policy.decide(scores[:2])
        key = {ANSWER: "neg_answer", CLARIFY: "neg_clarify"}.get(decision, "neg_fallback")
        counts[key] += 1
        total += {"neg_answer": -2, "neg_clarify": 0, "neg_fallback": 1}[key]
    return total, counts


def main() -> None:
    settings = get_settings()
    searcher = Searcher(
        settings.index_dir,
        embedder_for(settings),
        tokenizer_for(settings),
        settings.fusion_weights,
        settings.confidence_policy,
        min_confidence=0.0,
        self_calibrate=settings.self_calibrate,
        protected=service_names(settings),
    )
    _, calibrated = searcher.calibrated(searcher.data()[1])
    print(f"calibration: center={calibrated.center:.4f} scale={calibrated.scale:.4f}")
    positives = []
    for question in load_dev_questions(split=TUNE):
        results = searcher.search(question.question, top_k=3).results
        positives.append(([r.score for r in results], [r.doc_id for r in results], question.expected_id))
    negatives = [
        [r.score for r in searcher.search(text, top_k=3).results]
        for text in load_negative_questions()
        if clean_query(text)
    ]
    negatives = [n for n in negatives if n]
    best = None
    grid = itertools.product((0.1, 0.2, 0.3, 0.4, 0.5, 0.6), (0.0, 0.001, 0.002, 0.004, 0.006, 0.01, 0.015))
    for fallback_below, margin in grid:
        policy = replace(calibrated, fallback_below=fallback_below, clarify_margin=margin)
        value, counts = utility(policy, positives, negatives)
        if best is None or value > best[0]:
            best = (value, policy, counts)
    assert best is not None
    value, policy, counts = best
    print(f"policy: fallback_below={policy.fallback_below} clarify_margin={policy.clarify_margin} utility={value:.1f}")
    print(f"decisions on {len(positives)} tune questions and {len(negatives)} negatives:", counts)


if __name__ == "__main__":
    main()
