"""Dense ranking: FAISS inner-product search over normalised embeddings."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

INDEX_FILE = "dense.faiss"


def choose_index_kind(size: int, configured: str, hnsw_threshold: int) -> str:
    """``flat`` (exact) for small corpora, else HNSW; an explicit setting (flat, hnsw, ivf) wins."""
    if configured in ("flat", "hnsw", "ivf"):
        return configured
    return "flat" if size < hnsw_threshold else "hnsw"


class DenseRetriever:
    """Finds the chunks nearest to a query vector; also scores given chunks exactly."""

    def __init__(self, index: faiss.Index, vectors: np.ndarray, ef_search: int = 64):
        self._index = index
        self.vectors = vectors
        if isinstance(index, faiss.IndexHNSWFlat):
            index.hnsw.efSearch = ef_search
        elif isinstance(index, faiss.IndexIVFFlat):
            index.nprobe = max(1, index.nlist // 8)

    @property
    def kind(self) -> str:
        if isinstance(self._index, faiss.IndexHNSWFlat):
            return "hnsw"
        return "ivf" if isinstance(self._index, faiss.IndexIVFFlat) else "flat"

    @classmethod
    def build(
        cls, vectors: np.ndarray, kind: str, hnsw_m: int = 32, ivf_nlist: int = 0, ef_search: int = 64
    ) -> DenseRetriever:
        dim = vectors.shape[1]
        if kind == "hnsw":
            index: faiss.Index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
        elif kind == "ivf":
            nlist = ivf_nlist or max(1, int(np.sqrt(len(vectors))))
            quantizer = faiss.IndexFlatIP(dim)
            index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
            index.train(vectors)
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(vectors)
        return cls(index, vectors, ef_search)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Positions and inner products of the ``k`` nearest chunks."""
        k = min(k, self._index.ntotal)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), k)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def score(self, query: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Exact inner products of the query with the given chunks."""
        return self.vectors[positions] @ query.astype(np.float32)

    def save(self, directory: Path) -> None:
        faiss.write_index(self._index, str(directory / INDEX_FILE))

    @classmethod
    def load(cls, directory: Path, vectors: np.ndarray, ef_search: int = 64) -> DenseRetriever:
        return cls(faiss.read_index(str(directory / INDEX_FILE)), vectors, ef_search)
