"""The embedded backend: BM25 (bm25s) and FAISS over versioned snapshot folders (:mod:`index.snapshot`)."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import numpy as np

from index.backend import EMBEDDED, ServedIndex
from index.index_data import Catalog, IndexData
from index.snapshot import SnapshotStore


class EmbeddedRetriever:
    """FAISS nearest neighbours and bm25s scores over one loaded snapshot."""

    def __init__(self, data: IndexData):
        self.data = data
        self._last: tuple[tuple[str, ...], np.ndarray] | None = None

    def _bm25_all(self, tokens: list[str]) -> np.ndarray:
        """BM25 of every chunk; the last query's scores are kept (a search asks twice for the same tokens)."""
        key = tuple(tokens)
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        scores = self.data.bm25.scores(tokens)
        self._last = (key, scores)
        return scores

    def candidates(self, query_vector: np.ndarray, tokens: list[str], limit: int) -> np.ndarray:
        total = len(self.data.chunks)
        dense_ids, _ = self.data.dense.search(query_vector, limit)
        bm25_all = self._bm25_all(tokens)
        k = min(limit, total)
        bm25_ids = np.argpartition(-bm25_all, k - 1)[:k] if k < total else np.arange(total)
        bm25_ids = bm25_ids[bm25_all[bm25_ids] > 0]
        return np.unique(np.concatenate([dense_ids, bm25_ids]).astype(np.int64))

    def scores(
        self, query_vector: np.ndarray, tokens: list[str], positions: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        return self.data.dense.score(query_vector, positions), self._bm25_all(tokens)[positions]


class EmbeddedBackend:
    """Snapshot folders under ``index_dir``, published by swapping the ``CURRENT`` pointer file."""

    name = EMBEDDED

    def __init__(self, index_dir: Path, ef_search: int = 64):
        self.store = SnapshotStore(index_dir)
        self.ef_search = ef_search

    def current_version(self) -> str | None:
        return self.store.current_name()

    def load(self, version: str) -> ServedIndex:
        data = IndexData.load(self.store.snapshots_dir / version, self.ef_search)
        return ServedIndex(version, data, EmbeddedRetriever(data))

    def previous(self) -> Catalog | None:
        path = self.store.current_path()
        if path is None:
            return None
        try:
            return Catalog.read(path)
        except (OSError, ValueError, TypeError):
            return None

    def build_lock(self) -> contextlib.AbstractContextManager[None]:
        return self.store.build_lock()

    def publish(self, data: IndexData, keep: int) -> str:
        workspace = self.store.new_workspace()
        try:
            data.save(workspace)
            return self.store.publish(workspace, keep=keep)
        except BaseException:
            shutil.rmtree(workspace, ignore_errors=True)
            raise
