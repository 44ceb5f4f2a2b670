"""Lexical scores of passages: BM25 over their stored tokens, with document frequencies over all passages."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from index.chunking import Passage


class PassageLexicon:
    """BM25 (k1, b) of a query against chosen passages; IDF and average length come from every passage."""

    def __init__(self, passages: Sequence[Passage], k1: float = 1.2, b: float = 0.75):
        self.k1 = k1
        self.b = b
        self._counts = [Counter(p.tokens) for p in passages]
        self._lengths = np.asarray([len(p.tokens) for p in passages], dtype=np.float32)
        self._average = float(self._lengths.mean()) if len(passages) else 1.0
        frequency = Counter(token for counts in self._counts for token in counts)
        total = len(passages)
        self._idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}

    def scores(self, query_tokens: Sequence[str], positions: np.ndarray) -> np.ndarray:
        """BM25 score of each passage at ``positions`` (zeros for tokens no passage holds)."""
        terms = [t for t in dict.fromkeys(query_tokens) if t in self._idf]
        result = np.zeros(len(positions), dtype=np.float32)
        for i, position in enumerate(positions):
            counts = self._counts[position]
            norm = self.k1 * (1 - self.b + self.b * self._lengths[position] / self._average)
            for term in terms:
                tf = counts.get(term, 0)
                if tf:
                    result[i] += self._idf[term] * tf * (self.k1 + 1) / (tf + norm)
        return result
