"""The contents of one snapshot: document records, chunks, vectors, BM25 and FAISS indexes, and passages.

The :class:`Catalog` part is what every retrieval backend keeps in memory; the indexes are the embedded one's.

Passages (with their own vectors) are stored apart from the chunks, so they never change document ranking.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.bm25_retriever import BM25Retriever
from index.chunking import Chunk, Passage
from index.dense_retriever import DenseRetriever
from index.passage_lexicon import PassageLexicon
from knowledge.document import Document

MANIFEST = "manifest.json"
DOCUMENTS = "documents.json"
CHUNKS = "chunks.jsonl"
VECTORS = "vectors.npy"
BM25_DIR = "bm25"
PASSAGES = "passages.jsonl"
PASSAGE_VECTORS = "passage_vectors.npy"
RECORD_FIELDS = (
    "id",
    "type",
    "title",
    "department",
    "region",
    "audience",
    "keywords",
    "aliases",
    "source_url",
    "effective_date",
    "expiry_date",
    "updated",
    "related",
    "tags",
    "eligibility",
    "steps",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def document_record(doc: Document, content_hash: str) -> dict[str, Any]:
    """The JSON record kept for a document in a snapshot (dates as ISO strings)."""
    record = {key: _jsonable(doc.meta.get(key)) for key in RECORD_FIELDS}
    audience = record["audience"]
    record["audience"] = [audience] if isinstance(audience, str) else (audience or [])
    for key in ("keywords", "aliases", "related", "tags"):
        record[key] = record[key] or []
    record["sections"] = [{"heading": s.heading, "text": s.text} for s in doc.sections]
    record["content_hash"] = content_hash
    return record


@dataclass(kw_only=True)
class Catalog:
    """What every retrieval backend serves from memory: the manifest, document records, chunks with their
    vectors, and passages with theirs (passage choice and incremental builds read them)."""

    manifest: dict[str, Any]
    documents: dict[str, dict[str, Any]]
    chunks: list[Chunk]
    vectors: np.ndarray
    passages: list[Passage] = field(default_factory=list)
    passage_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))

    def __post_init__(self) -> None:
        by_doc: dict[str, list[int]] = {}
        for position, chunk in enumerate(self.chunks):
            if chunk.kind == "section":
                by_doc.setdefault(chunk.doc_id, []).append(position)
        self.doc_positions = {d: np.asarray(p, dtype=np.int64) for d, p in by_doc.items()}
        passages_by_doc: dict[str, list[int]] = {}
        for position, passage in enumerate(self.passages):
            passages_by_doc.setdefault(passage.doc_id, []).append(position)
        self.passage_positions = {d: np.asarray(p, dtype=np.int64) for d, p in passages_by_doc.items()}
        self.passage_lexicon = PassageLexicon(self.passages)

    @classmethod
    def read(cls, directory: Path) -> Catalog:
        """The catalog part of a snapshot folder (no BM25 or FAISS index loaded)."""
        return Catalog(**_read_catalog(directory))


def _read_catalog(directory: Path) -> dict[str, Any]:
    manifest = json.loads((directory / MANIFEST).read_text("utf-8"))
    documents = json.loads((directory / DOCUMENTS).read_text("utf-8"))
    with open(directory / CHUNKS, encoding="utf-8") as handle:
        chunks = [Chunk(**json.loads(line)) for line in handle if line.strip()]
    vectors = np.load(directory / VECTORS)
    passages: list[Passage] = []
    passage_vectors = np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0), dtype=np.float32)
    if (directory / PASSAGES).exists():  # snapshots built before passages existed have none
        with open(directory / PASSAGES, encoding="utf-8") as handle:
            passages = [Passage.from_dict(json.loads(line)) for line in handle if line.strip()]
        passage_vectors = np.load(directory / PASSAGE_VECTORS)
    return {
        "manifest": manifest,
        "documents": documents,
        "chunks": chunks,
        "vectors": vectors,
        "passages": passages,
        "passage_vectors": passage_vectors,
    }


@dataclass(kw_only=True)
class IndexData(Catalog):
    """A whole embedded snapshot: the catalog plus its BM25 and FAISS indexes, loaded fully into memory."""

    bm25: BM25Retriever
    dense: DenseRetriever
    chunk_tokens: list[list[str]] = field(default_factory=list)  # BM25 tokens of each chunk, at build time only

    def save(self, directory: Path) -> None:
        (directory / MANIFEST).write_text(json.dumps(self.manifest, ensure_ascii=False, indent=1), "utf-8")
        (directory / DOCUMENTS).write_text(json.dumps(self.documents, ensure_ascii=False), "utf-8")
        with open(directory / CHUNKS, "w", encoding="utf-8") as handle:
            for chunk in self.chunks:
                handle.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
        np.save(directory / VECTORS, self.vectors)
        (directory / BM25_DIR).mkdir()
        self.bm25.save(directory / BM25_DIR)
        self.dense.save(directory)
        with open(directory / PASSAGES, "w", encoding="utf-8") as handle:
            for passage in self.passages:
                handle.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")
        np.save(directory / PASSAGE_VECTORS, self.passage_vectors)

    @classmethod
    def load(cls, directory: Path, ef_search: int = 64) -> IndexData:
        parts = _read_catalog(directory)
        return cls(
            **parts,
            bm25=BM25Retriever.load(directory / BM25_DIR, len(parts["chunks"])),
            dense=DenseRetriever.load(directory, parts["vectors"], ef_search),
        )
