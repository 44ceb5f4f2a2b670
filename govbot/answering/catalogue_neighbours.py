"""The city's catalogue services nearest a question by meaning, for services asked about in words of one's own.

A question that names a service without a guide in the catalogue's own words is declined by name (see
:mod:`govbot.answering.answerability`). One that describes it ("开农资店卖农药要什么许可", "新公司给员工开公积金户")
names nothing: its embedding is then compared with each catalogue entry's (its names joined, embedded as a query).
When the nearest entry is a service no guide covers, nearer by a margin than every service some guide covers and
than the best document's own names (its title, aliases and keywords, joined alike), the question is about that
service.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from index.embedder import Embedder
from knowledge.service_catalogue import ALIAS_SEPARATOR, CatalogueEntry

# Entry embeddings by model and entry texts: one process embeds a catalogue once, however many answerers it makes.
_VECTORS: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}
_NAMES: dict[tuple[str, str], np.ndarray] = {}  # documents' names by model and text
MAX_CACHED_NAMES = 10_000
_LOCK = threading.Lock()


class CatalogueNeighbours:
    """Catalogue entries' embeddings (made on first use) and the nearest entry to a question's embedding."""

    def __init__(self, entries: Sequence[CatalogueEntry], embedder: Embedder):
        """``embedder`` is the one that embeds the questions; entries are embedded as queries too."""
        self.entries = tuple(entries)
        self._embedder = embedder
        self._key = (embedder.model_ref, tuple(ALIAS_SEPARATOR.join(entry.names) for entry in self.entries))

    def vectors(self) -> np.ndarray:
        """One L2-normalised row per entry: the embedding of its names joined."""
        with _LOCK:
            if self._key not in _VECTORS:
                _VECTORS[self._key] = np.asarray(self._embedder.embed_queries(list(self._key[1])), dtype=np.float32)
            return _VECTORS[self._key]

    def nearest_unheld(
        self, vector: np.ndarray, covered: np.ndarray, margin: float, names: Sequence[str]
    ) -> CatalogueEntry | None:
        """The entry nearest ``vector`` that no guide covers (``covered``: one flag per entry) when it is nearer by
        at least ``margin`` (cosine) than every entry some guide covers and than ``names`` (the best document's)
        joined; None otherwise, or when either kind of entry is missing."""
        if not self.entries or covered.all() or not covered.any():
            return None
        query = np.asarray(vector, dtype=np.float32)
        similarity = self.vectors() @ query
        best = int(np.argmax(np.where(covered, -np.inf, similarity)))
        nearest_held = max(float(similarity[covered].max()), float(self.names_vectors([names])[0] @ query))
        return self.entries[best] if similarity[best] - nearest_held >= margin else None

    def names_vectors(self, documents: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Each document's names (title, aliases, keywords) joined and embedded as a query, the new ones in one
        batch (cached: a document's names change only when staff edit them)."""
        texts = [ALIAS_SEPARATOR.join(names) for names in documents]
        keys = [(self._embedder.model_ref, text) for text in texts]
        with _LOCK:
            missing = sorted({key[1] for key in keys if key not in _NAMES})
            if missing:
                if len(_NAMES) + len(missing) > MAX_CACHED_NAMES:
                    _NAMES.clear()
                for text, vector in zip(missing, self._embedder.embed_queries(missing), strict=True):
                    _NAMES[(self._embedder.model_ref, text)] = np.asarray(vector, dtype=np.float32)
            return [_NAMES[key] for key in keys]
