"""Fuse dense and BM25 chunk scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the fused score; tuned on the dev question set (see benchmarks/retrieval.py)."""

    dense: float
    bm25: float
    bm25_saturation: float

    def with_components(self, dense: bool = True, bm25: bool = True) -> FusionWeights:
        """These weights with one ranking component switched off (for ablations)."""
        return FusionWeights(
            dense=self.dense if dense else 0.0,
            bm25=self.bm25 if bm25 else 0.0,
            bm25_saturation=self.bm25_saturation,
        )


def saturate(bm25: np.ndarray, saturation: float) -> np.ndarray:
    """Map raw BM25 scores into [0, 1): s / (s + c), so a single query cannot dominate by length."""
    return bm25 / (bm25 + saturation)


def fuse(dense: np.ndarray, bm25: np.ndarray, weights: FusionWeights) -> np.ndarray:
    """The fused score of each chunk: a weighted sum of cosine similarity and saturated BM25."""
    return weights.dense * dense + weights.bm25 * saturate(bm25, weights.bm25_saturation)


def rank_documents(doc_ids: Sequence[str], fused: np.ndarray) -> list[tuple[str, float]]:
    """Join chunk scores into documents: each document scores its best chunk; best documents first."""
    best: dict[str, float] = {}
    for doc_id, score in zip(doc_ids, fused, strict=True):
        if score > best.get(doc_id, -np.inf):
            best[doc_id] = float(score)
    return sorted(best.items(), key=lambda item: item[1], reverse=True)
