"""Hybrid search over the served index version, reloading it when a new one is published."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from index.backend import RetrievalBackend, ServedIndex
from index.calibration import applied
from index.chunking import Passage
from index.confidence import FALLBACK, ConfidencePolicy
from index.embedded_backend import EmbeddedBackend
from index.embedder import Embedder
from index.filters import SearchFilters
from index.fusion import FusionWeights, fuse, rank_documents
from index.index_data import Catalog
from index.query_text import clean_query
from index.spelling import Speller
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
    """Answers queries from whichever index version the backend serves, swapping to new ones without a restart."""

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
        backend: RetrievalBackend | None = None,
        protected: Collection[str] = (),
    ):
        """``protected``: names the speller never rewrites (the city's service names, guide or not: 残保金 is not
        参保金 misspelt)."""
        self.backend = backend or EmbeddedBackend(index_dir, ef_search)
        self.embedder = embedder
        self.tokenizer = tokenizer
        self.weights = weights
        self.policy = policy
        self.min_confidence = min_confidence
        self.reload_interval = reload_interval
        self.self_calibrate = self_calibrate
        self._served: ServedIndex | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._speller: tuple[str, Speller] | None = None
        self.protected = tuple(protected)

    @property
    def version(self) -> str | None:
        return self._served.version if self._served else None

    def refresh(self) -> None:
        """Load the version the backend serves now (e.g. right after publishing one)."""
        self._checked = 0.0
        self.served()

    def served(self) -> ServedIndex:
        """The served index version, reloaded first if the backend switched to another."""
        now = time.monotonic()
        if self._served is None or now - self._checked >= self.reload_interval:
            self._checked = now
            name = self.backend.current_version()
            if name is None and self._served is None:
                raise IndexNotReady("索引尚未建立，请先运行 govbot index build。")
            if name is not None and (self._served is None or self._served.version != name):
                with self._lock:
                    if self._served is None or self._served.version != name:
                        served = self.backend.load(name)
                        self._speller = (name, self._speller_for(served.catalog))  # before any search of it
                        self._served = served
        assert self._served is not None
        return self._served

    def data(self) -> tuple[str, Catalog]:
        """The served version's name and catalog."""
        served = self.served()
        return served.version, served.catalog

    def correct(self, text: str) -> str:
        """``text`` with its homophone typos (低宝 for 低保) corrected towards the served knowledge base's terms;
        protected names stay as written."""
        return self._spelling().correct(text)

    def _spelling(self) -> Speller:
        """The speller of the served version (built when the version is loaded)."""
        version, data = self.data()
        speller = self._speller
        if speller is None or speller[0] != version:  # another version was loaded in between
            speller = (version, self._speller_for(data))
            self._speller = speller
        return speller[1]

    def _speller_for(self, data: Catalog) -> Speller:
        """A speller from a version's documents' heads (titles, aliases, keywords) and the government dictionary
        (the terms), the heads' words (their parts) and its passages' words."""
        heads = [
            str(value)
            for record in data.documents.values()
            for value in (record.get("title", ""), *record.get("aliases", []), *record.get("keywords", []))
        ]
        parts = [w for head in heads for w in self.tokenizer.words(head)]
        words = [token for passage in data.passages for token in passage.tokens]
        return Speller(
            [*heads, *self.tokenizer.user_tags],
            words,
            self.tokenizer.log_probability,
            self.protected,
            parts=parts,
            is_word=self.tokenizer.is_word,
        )

    def calibrated(self, data: Catalog) -> tuple[FusionWeights, ConfidencePolicy]:
        """The index's own fusion weights and confidence calibration (:mod:`index.calibration`), else the
        configured ones (self-calibration switched off, or an index built without it)."""
        return applied(data.manifest.get("calibration") if self.self_calibrate else None, self.weights, self.policy)

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
        Homophone typos are corrected first (:meth:`correct`; the response's ``query`` is the text searched).
        """
        served = self.served()
        data = served.catalog
        cleaned = clean_query(query)
        text = self.correct(cleaned) if cleaned else cleaned
        query_vector = query_vector if text == cleaned else None  # the caller's vector is of the typo
        response = SearchResponse(query=text, version=served.version)
        if not text or not data.chunks:
            return response
        calibrated, policy = self.calibrated(data)
        weights = weights or calibrated
        filters = filters or SearchFilters()
        qvec = self.embedder.embed_queries([text])[0] if query_vector is None else query_vector
        response.vector = qvec
        tokens = self.tokenizer.tokenize(text)
        positions = self._candidates(served, qvec, tokens, filters)
        if len(positions) == 0:
            return response
        dense, bm25 = served.retriever.scores(qvec, tokens, positions)
        fused = fuse(dense, bm25, weights)
        ranked = rank_documents([data.chunks[p].doc_id for p in positions], fused)
        kept = [(d, score, policy.confidence(score)) for d, score in ranked]
        kept = [item for item in kept if item[2] >= self.min_confidence]
        shown = kept[: max(1, top_k)]
        sections = self._best_sections(served, [d for d, _, _ in shown], qvec, tokens, weights)
        response.results = [
            self._result(data, doc_id, score, conf, sections.get(doc_id)) for doc_id, score, conf in shown
        ]
        response.decision = policy.decide([score for _, score, _ in kept[:2]])
        return response

    def best_section(self, query: str, doc_id: str) -> str | None:
        """The heading of the section of ``doc_id`` that best matches the query (None if it has none)."""
        served = self.served()
        text = clean_query(query) if query and query.strip() else ""
        if doc_id not in served.catalog.documents or not text:
            return None
        qvec = self.embedder.embed_queries([text])[0]
        weights = self.calibrated(served.catalog)[0]
        best = self._best_sections(served, [doc_id], qvec, self.tokenizer.tokenize(text), weights).get(doc_id)
        return served.catalog.chunks[best[0]].section or None if best else None

    def score_passages(
        self, query: str, doc_id: str, query_vector: np.ndarray | None = None, context: str = ""
    ) -> list[PassageMatch]:
        """Every passage of ``doc_id`` (reading order) scored against the query; empty if it has none.

        ``query_vector``, when given, is the embedding of ``clean_query(query)`` (e.g. the search's);
        ``context`` (a follow-up's unsaid topic) is embedded before the query (the query's own vector is then
        not used), and not matched lexically.
        """
        _, data = self.data()
        positions = data.passage_positions.get(doc_id)
        text = clean_query(query) if query and query.strip() else ""
        if positions is None or not len(positions) or not text:
            return []
        if query_vector is None or context:
            query_vector = self.embedder.embed_queries([f"{context} {text}".strip()])[0]
        dense = data.passage_vectors[positions] @ query_vector.astype(np.float32)
        lexical = data.passage_lexicon.scores(self.tokenizer.tokenize(text), positions)
        scored = zip(positions, dense, lexical, strict=True)
        return [PassageMatch(data.passages[p], float(d), float(b)) for p, d, b in scored]

    @staticmethod
    def _candidates(served: ServedIndex, qvec: np.ndarray, tokens: list[str], filters: SearchFilters) -> np.ndarray:
        """Chunk positions worth scoring exactly: dense nearest neighbours and BM25 best, or all that pass filters."""
        data = served.catalog
        if filters.active:
            allowed = {d for d, rec in data.documents.items() if filters.accepts(rec)}
            mask = np.fromiter((c.doc_id in allowed for c in data.chunks), dtype=bool, count=len(data.chunks))
            return np.flatnonzero(mask)
        return served.retriever.candidates(qvec, tokens, CANDIDATES)

    @staticmethod
    def _best_sections(
        served: ServedIndex, doc_ids: list[str], qvec: np.ndarray, tokens: list[str], weights: FusionWeights
    ) -> dict[str, tuple[int, float, float]]:
        """For each document, its best-matching substantial section: (chunk position, cosine, BM25)."""
        data = served.catalog
        shown: dict[str, np.ndarray] = {}
        for doc_id in doc_ids:
            title = data.documents[doc_id]["title"]
            sections = data.doc_positions.get(doc_id, np.zeros(0, dtype=np.int64))
            substantial = sections[[len(data.chunks[p].text) - len(title) >= MIN_SHOWN_CHARS for p in sections]]
            if len(sections):
                shown[doc_id] = substantial if len(substantial) else sections
        if not shown:
            return {}
        positions = np.concatenate(list(shown.values()))
        dense, bm25 = served.retriever.scores(qvec, tokens, positions)
        fused = fuse(dense, bm25, weights)
        best: dict[str, tuple[int, float, float]] = {}
        start = 0
        for doc_id, sections in shown.items():
            top = start + int(np.argmax(fused[start : start + len(sections)]))
            best[doc_id] = (int(positions[top]), float(dense[top]), float(bm25[top]))
            start += len(sections)
        return best

    @staticmethod
    def _result(
        data: Catalog, doc_id: str, score: float, confidence: float, section: tuple[int, float, float] | None
    ) -> SearchResult:
        """A document's result, showing its best-matching section."""
        record = data.documents[doc_id]
        heading, snippet, chunk_id, dense, bm25 = "", "", f"{doc_id}#meta", 0.0, 0.0
        if section is not None:
            chunk = data.chunks[section[0]]
            heading, snippet, chunk_id = chunk.section, _snippet(chunk.text), chunk.chunk_id
            dense, bm25 = section[1], section[2]
        return SearchResult(
            doc_id=doc_id,
            title=record["title"],
            type=record["type"],
            section=heading,
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
