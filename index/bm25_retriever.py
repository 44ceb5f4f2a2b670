"""Lexical ranking: BM25 over jieba tokens (bm25s)."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np


class BM25Retriever:
    """Scores every chunk against a tokenised query with BM25."""

    def __init__(self, model: bm25s.BM25, size: int):
        self._model = model
        self.size = size

    @classmethod
    def build(cls, corpus_tokens: list[list[str]], k1: float = 1.2, b: float = 0.75) -> BM25Retriever:
        model = bm25s.BM25(k1=k1, b=b)
        model.index(corpus_tokens, show_progress=False)
        return cls(model, len(corpus_tokens))

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk (zeros when no query token is known)."""
        known = [t for t in query_tokens if t in self._model.vocab_dict]
        if not known or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)

    def save(self, directory: Path) -> None:
        self._model.save(str(directory))

    @classmethod
    def load(cls, directory: Path, size: int) -> BM25Retriever:
        return cls(bm25s.BM25.load(str(directory), mmap=False), size)
