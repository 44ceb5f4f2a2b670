"""Turn ranking scores into a confidence and a decision: answer, clarify or fallback."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

ANSWER, CLARIFY, FALLBACK = "answer", "clarify", "fallback"


@dataclass(frozen=True)
class ConfidencePolicy:
    """A logistic calibration of the fused score, and the thresholds of the decision.

    ``center``/``scale`` are fitted per corpus at index build (:mod:`index.calibration`); the thresholds, in
    probability units, by ``python -m benchmarks.tune`` on the tune split of the dev questions.
    """

    center: float
    scale: float
    fallback_below: float
    clarify_margin: float

    def confidence(self, score: float) -> float:
        """The estimated probability that a document with this fused score is the right one."""
        return 1.0 / (1.0 + math.exp(-(score - self.center) / self.scale))

    def decide(self, scores: list[float]) -> str:
        """``fallback`` when even the best is unlikely right; ``clarify`` when the best two scores are
        within ``clarify_margin`` of each other; else ``answer``."""
        if not scores or self.confidence(scores[0]) < self.fallback_below:
            return FALLBACK
        if len(scores) > 1 and scores[0] - scores[1] < self.clarify_margin:
            return CLARIFY
        return ANSWER


def fit_logistic(scores: np.ndarray, labels: np.ndarray, steps: int = 4000) -> tuple[float, float]:
    """Fit p = sigmoid((s - center) / scale) by gradient descent on log-loss; returns (center, scale)."""
    mean, std = float(scores.mean()), float(scores.std() or 1.0)
    x = (scores - mean) / std
    a, b = 1.0, 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(a * x + b)))
        a -= 0.5 * float(np.mean((p - labels) * x))
        b -= 0.5 * float(np.mean(p - labels))
    return mean - b * std / a, std / a
