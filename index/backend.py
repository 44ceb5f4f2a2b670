"""The retrieval backend interface: where a built index is published, and how the served one is queried.

Like Haystack 2's components, the pieces stay apart: the embedder (:mod:`index.embedder`) makes query vectors,
a :class:`ChunkRetriever` finds and scores chunks (dense and lexical), the joiner (:func:`index.fusion.fuse`,
:func:`index.fusion.rank_documents`) fuses and ranks, and :mod:`index.confidence` decides. Only the retriever
and the storage differ between backends, so the same calibration gives confidences the same meaning in both.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from govbot.settings import Settings
from index.index_data import Catalog, IndexData

EMBEDDED, QDRANT = "embedded", "qdrant"


class BackendError(RuntimeError):
    """The retrieval backend is misconfigured or unreachable."""


class ChunkRetriever(Protocol):
    """Finds and scores the chunks of one served index version (positions index ``Catalog.chunks``)."""

    def candidates(self, query_vector: np.ndarray, tokens: list[str], limit: int) -> np.ndarray:
        """Positions worth scoring: the ``limit`` dense nearest chunks and the ``limit`` best lexical ones."""
        ...

    def scores(
        self, query_vector: np.ndarray, tokens: list[str], positions: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact cosine and BM25 scores of the chunks at ``positions`` (BM25 zero where no token matches)."""
        ...


@dataclass(frozen=True)
class ServedIndex:
    """One published index version: its catalog in memory and a retriever over it."""

    version: str
    catalog: Catalog
    retriever: ChunkRetriever


class RetrievalBackend(Protocol):
    """Publishes built indexes as immutable versions, switches the served one atomically, and loads it."""

    name: str

    def current_version(self) -> str | None:
        """The version served now, or None before the first build."""
        ...

    def load(self, version: str) -> ServedIndex:
        """The catalog and retriever of ``version``."""
        ...

    def previous(self) -> Catalog | None:
        """The served catalog with its vectors (for incremental builds), or None."""
        ...

    def build_lock(self) -> contextlib.AbstractContextManager[None]:
        """Exclusive lock for one build at a time, across processes of this machine."""
        ...

    def publish(self, data: IndexData, keep: int) -> str:
        """Store ``data`` as a new version, make it the served one atomically, keep the newest ``keep``."""
        ...


def backend_for(settings: Settings, index_dir: Path | None = None, ef_search: int | None = None) -> RetrievalBackend:
    """The configured backend (``GOVBOT_RETRIEVAL_BACKEND``) over ``index_dir`` (default: the configured one)."""
    index_dir = index_dir or settings.index_dir
    ef = settings.hnsw_ef_search if ef_search is None else ef_search
    if settings.retrieval_backend == EMBEDDED:
        from index.embedded_backend import EmbeddedBackend

        return EmbeddedBackend(index_dir, ef)
    if settings.retrieval_backend == QDRANT:
        from index.qdrant_backend import IN_MEMORY, QdrantBackend, qdrant_client

        client = qdrant_client(settings.qdrant_url, settings.qdrant_api_key, index_dir / "qdrant")
        server = bool(settings.qdrant_url) and settings.qdrant_url != IN_MEMORY
        return QdrantBackend(client, settings.qdrant_collection, index_dir, server=server)
    raise BackendError(f"GOVBOT_RETRIEVAL_BACKEND must be {EMBEDDED} or {QDRANT}, not {settings.retrieval_backend!r}")
