"""Tune fusion weights and the answer/clarify/fallback policy on the dev questions.

Run ``python -m benchmarks.tune``; it prints the best settings, which are the defaults in govbot/settings.py.
Utility of a decision: a correct answer +1, a clarification offering the right document +0.5, a wrong answer
-2, a fallback on an answerable question -0.5; on an unanswerable question a fallback +1 and an answer -2.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from benchmarks.retrieval_eval import RetrievalEvaluator, load_dev_questions, load_negative_questions
from govbot.components import embedder_for, tokenizer_for
from govbot.settings import get_settings
from index.confidence import ANSWER, CLARIFY, ConfidencePolicy
from index.fusion import FusionWeights
from index.query_text import clean_query
from index.searcher import Searcher

BM25_WEIGHTS = (0.03, 0.05, 0.08, 0.1, 0.15, 0.2)
SATURATIONS = (8.0, 16.0, 32.0, 64.0)


def tune_fusion(evaluator: RetrievalEvaluator) -> tuple[FusionWeights, str]:
    scored = []
    for bm25, saturation in itertools.product(BM25_WEIGHTS, SATURATIONS):
        weights = FusionWeights(dense=1.0, bm25=bm25, bm25_saturation=saturation)
        metrics = evaluator.evaluate(weights)
        scored.append(((metrics.recall_at_1, metrics.mrr), weights, metrics.row()))
    scored.sort(key=lambda item: item[0], reverse=True)
    return scored[0][1], scored[0][2]


def fit_logistic(scores: np.ndarray, labels: np.ndarray, steps: int = 4000) -> tuple[float, float]:
    """Fit p = sigmoid((s - center) / scale) by gradient descent on log-loss."""
    mean, std = float(scores.mean()), float(scores.std() or 1.0)
    x = (scores - mean) / std
    a, b = 1.0, 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(a * x + b)))
        a -= 0.5 * float(np.mean((p - labels) * x))
        b -= 0.5 * float(np.mean(p - labels))
    return mean - b * std / a, std / a


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
    )
    questions = load_dev_questions()
    evaluator = RetrievalEvaluator(searcher, questions)
    weights, row = tune_fusion(evaluator)
    print(f"fusion: bm25={weights.bm25} saturation={weights.bm25_saturation}  {row}")

    positives = []
    for question, vector in zip(questions, evaluator.vectors, strict=True):
        results = searcher.search(question.question, top_k=3, weights=weights, query_vector=vector).results
        positives.append(([r.score for r in results], [r.doc_id for r in results], question.expected_id))
    negatives = []
    for text in load_negative_questions():
        if clean_query(text):
            negatives.append([r.score for r in searcher.search(text, top_k=3, weights=weights).results])
    scores = np.array([p[0][0] for p in positives] + [n[0] for n in negatives if n])
    labels = np.array([float(p[1][0] == p[2]) for p in positives] + [0.0 for n in negatives if n])
    center, scale = fit_logistic(scores, labels)
    print(f"calibration: center={center:.4f} scale={scale:.4f}")

    best = None
    grid = itertools.product((0.1, 0.2, 0.3, 0.4, 0.5, 0.6), (0.0, 0.001, 0.002, 0.004, 0.006, 0.01, 0.015))
    for fallback_below, margin in grid:
        policy = ConfidencePolicy(center, scale, fallback_below, margin)
        value, counts = utility(policy, positives, negatives)
        if best is None or value > best[0]:
            best = (value, policy, counts)
    assert best is not None
    value, policy, counts = best
    print(f"policy: fallback_below={policy.fallback_below} clarify_margin={policy.clarify_margin} utility={value:.1f}")
    print("decisions:", counts)
    if not math.isfinite(center):
        raise SystemExit("calibration failed")


if __name__ == "__main__":
    main()
