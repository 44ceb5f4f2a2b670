"""Turn ranking scores into a confidence and a decision: answer, clarify or fallback."""

from __future__ import annotations

import math
from dataclasses import dataclass

ANSWER, CLARIFY, FALLBACK = "answer", "clarify", "fallback"


@dataclass(frozen=True)
class ConfidencePolicy:
    """A logistic calibration of the fused score, and the thresholds of the decision.

    ``center``/``scale`` and the thresholds are fitted on the dev questions (answerable) and on
    unanswerable questions by ``python -m benchmarks.tune``.
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
