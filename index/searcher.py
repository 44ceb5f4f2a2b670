"""Hybrid search over the served snapshot, reloading it when a new one is published."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from index.chunking import Passage
from index.confidence import FALLBACK, ConfidencePolicy
from index.embedder import Embedder
from index.filters import SearchFilters
from index.fusion import FusionWeights, fuse
from index.index_data import IndexData
from index.query_text import clean_query
from index.snapshot import SnapshotStore
from index.tokenizer import GovTokenizer

SNIPPET_CHARS = 160
CANDIDATES = 100
MIN_SHOWN_CHARS = 40  # sections shorter than this ("不收费。") are shown only when asked for by name


@dataclass(frozen=True)
class PassageMatch:
    """A passage of one document with its dense (cosine) and lexical (BM25) scores for a query."""

    passage: Passage
    dense: float
    lexical: float


class IndexNotReady(RuntimeError):
    """No snapshot has been built yet."""


@dataclass
class SearchResult:
    """The best chunk of one document."""

    doc_id: str
    title: str
    type: str
    section: str
    score: float
    confidence: float
    snippet: str
    source_url: str | None
    effective_date: str | None
    department: str | None
    updated: str | None
    chunk_id: str
    dense: float
    bm25: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchResponse:
    """Ranked results (one per document), the overall decision and the snapshot that answered."""

    query: str
    results: list[SearchResult] = field(default_factory=list)
    decision: str = FALLBACK
    version: str | None = None
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)  # the query embedding, for reuse

    @property
    def confidence(self) -> float:
        return self.results[0].confidence if self.results else 0.0

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "decision": self.decision,
            "confidence": round(self.confidence, 4),
            "version": self.version,
            "results": [r.to_dict() for r in self.results],
        }


def _snippet(text: str) -> str:
    body = text.split("\n", 1)[1] if "\n" in text else text
    body = " ".join(body.split())
    return body if len(body) <= SNIPPET_CHARS else body[: SNIPPET_CHARS - 1] + "…"


class Searcher:
    """Answers queries from whichever snapshot the pointer names, swapping to new ones without a restart."""

    def __init__(
        self,
        index_dir: Path,
        embedder: Embedder,
        tokenizer: GovTokenizer,
        weights: FusionWeights,
        policy: ConfidencePolicy,
        ef_search: int = 64,
        min_confidence: float = 0.02,
        reload_interval: float = 0.2,
        self_calibrate: bool = True,
    ):
        self.store = SnapshotStore(index_dir)
        self.embedder = embedder
        self.tokenizer = tokenizer
        self.weights = weights
        self.policy = policy
        self.ef_search = ef_search
        self.min_confidence = min_confidence
        self.reload_interval = reload_interval
        self.self_calibrate = self_calibrate
        self._state: tuple[str, IndexData] | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    @property
    def version(self) -> str | None:
        return self._state[0] if self._state else None

    def refresh(self) -> None:
        """Load the snapshot the pointer names now (e.g. right after publishing one)."""
        self._checked = 0.0
        self.data()

    def data(self) -> tuple[str, IndexData]:
        """The served snapshot, reloaded first if the pointer moved."""
        now = time.monotonic()
        if self._state is None or now - self._checked >= self.reload_interval:
            self._checked = now
            name = self.store.current_name()
            if name is None and self._state is None:
                raise IndexNotReady("索引尚未建立，请先运行 govbot index build。")
            if name is not None and (self._state is None or self._state[0] != name):
                with self._lock:
                    if self._state is None or self._state[0] != name:
                        path = self.store.snapshots_dir / name
                        self._state = (name, IndexData.load(path, self.ef_search))
        assert self._state is not None
        return self._state

    def calibrated(self, data: IndexData) -> tuple[FusionWeights, ConfidencePolicy]:
        """The snapshot's own fusion weights and confidence calibration (:mod:`index.calibration`), else the
        configured ones (self-calibration switched off, or a snapshot built without it)."""
        fitted = data.manifest.get("calibration") if self.self_calibrate else None
        if not fitted:
            return self.weights, self.policy
        weights = FusionWeights(self.weights.dense, fitted["bm25"], fitted["bm25_saturation"])
        return weights, replace(self.policy, center=fitted["center"], scale=fitted["scale"])

    def search(
        self,
        query: str,
        top_k: int = 5,
        filters: SearchFilters | None = None,
        weights: FusionWeights | None = None,
        query_vector: np.ndarray | None = None,
    ) -> SearchResponse:
        """Rank documents for a query. Raises ``QueryError`` for an empty query.

        ``query_vector`` skips embedding when the caller already has it (the NLU's, or evaluation of many
        settings); it must be the embedding of ``clean_query(query)``. The response carries the vector used.
        """
        version, data = self.data()
        text = clean_query(query)
        response = SearchResponse(query=text, version=version)
        if not text or not data.chunks:
            return response
        calibrated, policy = self.calibrated(data)
        weights = weights or calibrated
        filters = filters or SearchFilters()
        qvec = self.embedder.embed_queries([text])[0] if query_vector is None else query_vector
        response.vector = qvec
        bm25_all = data.bm25.scores(self.tokenizer.tokenize(text))
        positions = self._candidates(data, qvec, bm25_all, filters)
        if len(positions) == 0:
            return response
        dense = data.dense.score(qvec, positions)
        bm25 = bm25_all[positions]
        fused = fuse(dense, bm25, weights)
        ranked = self._rank_documents(data, positions, fused)
        kept = [(d, score, policy.confidence(score)) for d, score in ranked]
        kept = [item for item in kept if item[2] >= self.min_confidence]
        response.results = [
            self._result(data, doc_id, score, conf, qvec, bm25_all, weights)
            for doc_id, score, conf in kept[: max(1, top_k)]
        ]
        response.decision = policy.decide([score for _, score, _ in kept[:2]])
        return response

    def best_section(self, query: str, doc_id: str) -> str | None:
        """The heading of the section of ``doc_id`` that best matches the query (None if it has none)."""
        _, data = self.data()
        text = clean_query(query) if query and query.strip() else ""
        if doc_id not in data.documents or not text:
            return None
        qvec = self.embedder.embed_queries([text])[0]
        bm25_all = data.bm25.scores(self.tokenizer.tokenize(text))
        weights = self.calibrated(data)[0]
        return self._result(data, doc_id, 0.0, 0.0, qvec, bm25_all, weights).section or None

    def score_passages(self, query: str, doc_id: str, query_vector: np.ndarray | None = None) -> list[PassageMatch]:
        """Every passage of ``doc_id`` (reading order) scored against the query; empty if it has none.

        ``query_vector``, when given, is the embedding of ``clean_query(query)`` (e.g. the search's).
        """
        _, data = self.data()
        positions = data.passage_positions.get(doc_id)
        text = clean_query(query) if query and query.strip() else ""
        if positions is None or not len(positions) or not text:
            return []
        qvec = self.embedder.embed_queries([text])[0] if query_vector is None else query_vector
        dense = data.passage_vectors[positions] @ qvec.astype(np.float32)
        lexical = data.passage_lexicon.scores(self.tokenizer.tokenize(text), positions)
        scored = zip(positions, dense, lexical, strict=True)
        return [PassageMatch(data.passages[p], float(d), float(b)) for p, d, b in scored]

    def _candidates(
        self, data: IndexData, qvec: np.ndarray, bm25_all: np.ndarray, filters: SearchFilters
    ) -> np.ndarray:
        """Chunk positions worth scoring exactly: dense nearest neighbours and BM25 best, filtered."""
        total = len(data.chunks)
        if filters.active:
            allowed = {d for d, rec in data.documents.items() if filters.accepts(rec)}
            mask = np.fromiter((c.doc_id in allowed for c in data.chunks), dtype=bool, count=total)
            return np.flatnonzero(mask)
        dense_ids, _ = data.dense.search(qvec, CANDIDATES)
        k = min(CANDIDATES, total)
        bm25_ids = np.argpartition(-bm25_all, k - 1)[:k] if k < total else np.arange(total)
        bm25_ids = bm25_ids[bm25_all[bm25_ids] > 0]
        return np.unique(np.concatenate([dense_ids, bm25_ids]).astype(np.int64))

    @staticmethod
    def _rank_documents(data: IndexData, positions: np.ndarray, fused: np.ndarray) -> list[tuple[str, float]]:
        """Documents by their best chunk's fused score; the meta chunk (title, aliases, keywords) counts too."""
        best: dict[str, float] = {}
        for i, pos in enumerate(positions):
            doc_id = data.chunks[pos].doc_id
            if fused[i] > best.get(doc_id, -np.inf):
                best[doc_id] = float(fused[i])
        return sorted(best.items(), key=lambda item: item[1], reverse=True)

    @staticmethod
    def _result(
        data: IndexData,
        doc_id: str,
        score: float,
        confidence: float,
        qvec: np.ndarray,
        bm25_all: np.ndarray,
        weights: FusionWeights,
    ) -> SearchResult:
        """A document's result, showing its best-matching section (scored over all its sections)."""
        record = data.documents[doc_id]
        sections = data.doc_positions.get(doc_id, np.zeros(0, dtype=np.int64))
        substantial = sections[[len(data.chunks[p].text) - len(record["title"]) >= MIN_SHOWN_CHARS for p in sections]]
        sections = substantial if len(substantial) else sections
        section, snippet, chunk_id, dense, bm25 = "", "", f"{doc_id}#meta", 0.0, 0.0
        if len(sections):
            dense_s = data.dense.score(qvec, sections)
            bm25_s = bm25_all[sections]
            top = int(np.argmax(fuse(dense_s, bm25_s, weights)))
            chunk = data.chunks[sections[top]]
            section, snippet, chunk_id = chunk.section, _snippet(chunk.text), chunk.chunk_id
            dense, bm25 = float(dense_s[top]), float(bm25_s[top])
        return SearchResult(
            doc_id=doc_id,
            title=record["title"],
            type=record["type"],
            section=section,
            score=round(score, 6),
            confidence=round(confidence, 6),
            snippet=snippet,
            source_url=record.get("source_url"),
            effective_date=record.get("effective_date"),
            department=record.get("department"),
            updated=record.get("updated"),
            chunk_id=chunk_id,
            dense=round(dense, 6),
            bm25=round(bm25, 6),
        )
