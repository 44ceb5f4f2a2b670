"""Build a new index version from the knowledge base, re-embedding only new or changed chunks."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from govbot.settings import Settings
from index.backend import EMBEDDED, RetrievalBackend, backend_for
from index.bm25_retriever import BM25Retriever
from index.calibration import calibrate
from index.chunking import Chunk, Passage, chunk_document, passages_of
from index.dense_retriever import DenseRetriever, choose_index_kind
from index.embedder import Embedder
from index.index_data import Catalog, IndexData, document_record
from index.normalize import NORMALIZATION, to_simplified
from index.tokenizer import GovTokenizer
from knowledge.loader import load_kb
from knowledge.problems import Problem

RECALIBRATE_SHARE = 0.1  # recalibrate when more than this share of documents came or went since the last build


class BuildError(RuntimeError):
    """The build could not produce a snapshot; the previous one keeps serving."""


@dataclass
class BuildResult:
    """What a build did."""

    version: str
    documents: int
    chunks: int
    embedded: int
    reused: int
    seconds: float
    index_kind: str
    problems: list[Problem] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)  # records of documents new or changed since the last build
    passages: int = 0
    calibration: dict | None = None  # the snapshot's fusion and confidence calibration (index.calibration)


def _previous_hashes(previous: Catalog | None) -> dict[str, str] | None:
    """Content hash of each document in the served index (None before the first build)."""
    if previous is None:
        return None
    return {doc_id: record.get("content_hash", "") for doc_id, record in previous.documents.items()}


def _similar_corpus(previous: dict[str, str] | None, records: dict[str, dict]) -> bool:
    """True when the documents are those of the served index but for at most :data:`RECALIBRATE_SHARE` of them."""
    if previous is None:
        return False
    differing = len(set(previous) ^ set(records))
    return differing <= RECALIBRATE_SHARE * max(len(previous), 1)


def _previous_vectors(previous: Catalog | None, model_ref: str) -> dict[str, np.ndarray]:
    """Vectors of the served index's chunks and passages keyed by embedded-text hash, if it used the same model."""
    if previous is None:
        return {}
    manifest = previous.manifest
    if manifest.get("model") != model_ref or manifest.get("normalization") != NORMALIZATION:
        return {}
    cache = {c.content_hash: previous.vectors[i] for i, c in enumerate(previous.chunks) if i < len(previous.vectors)}
    cache.update({p.content_hash: v for p, v in zip(previous.passages, previous.passage_vectors, strict=False)})
    return cache


def _embedded_snapshot(backend: RetrievalBackend, index_dir: Path) -> Catalog | None:
    """For another backend's first build: the embedded snapshot in ``index_dir``, if any, whose vectors and
    calibration it can take over instead of embedding the whole knowledge base again."""
    if backend.name == EMBEDDED:
        return None
    from index.embedded_backend import EmbeddedBackend

    return EmbeddedBackend(index_dir).previous()


def build_index(
    kb_dir: Path,
    index_dir: Path,
    embedder: Callable[[], Embedder],
    tokenizer: GovTokenizer,
    settings: Settings,
    progress: bool = False,
    backend: RetrievalBackend | None = None,
) -> BuildResult:
    """Validate the knowledge base, chunk, embed what changed, index and publish a new snapshot.

    Invalid documents are reported in the result and left out. The model is loaded (by calling
    ``embedder``) only when there is something new to embed or the ranking is recalibrated. The index is
    published to ``backend``, by default the configured one (:func:`index.backend.backend_for`).
    """
    started = time.perf_counter()
    report = load_kb(kb_dir)
    if not report.documents:
        raise BuildError(f"no valid documents in {kb_dir}; the index was not changed")
    backend = backend or backend_for(settings, index_dir)
    with backend.build_lock():
        served = backend.previous() or _embedded_snapshot(backend, index_dir)
        model_ref = settings.embedding_model_ref
        chunks: list[Chunk] = []
        passages: list[Passage] = []
        records: dict[str, dict] = {}
        for doc in report.documents:
            text_hash = hashlib.sha1(Path(doc.path).read_bytes()).hexdigest()
            records[doc.id] = document_record(doc, text_hash)
            chunks.extend(chunk_document(doc))
            passages.extend(replace(p, tokens=tuple(tokenizer.tokenize(p.text))) for p in passages_of(doc))
        previous = _previous_hashes(served)
        changed = [] if previous is None else [r for d, r in records.items() if previous.get(d) != r["content_hash"]]
        cache = _previous_vectors(served, model_ref)
        same_model = bool(cache)
        missing = list({x.content_hash: x for x in [*chunks, *passages] if x.content_hash not in cache}.values())
        dimension = next(iter(cache.values())).shape[0] if cache else 0
        model = embedder() if missing else None
        if model is not None:
            fresh = model.embed_passages([to_simplified(c.embed_text) for c in missing], progress=progress)
            cache.update({c.content_hash: fresh[i] for i, c in enumerate(missing)})
            dimension = model.dimension
        vectors = np.vstack([cache[c.content_hash] for c in chunks]).astype(np.float32)
        passage_vectors = np.vstack([cache[p.content_hash] for p in passages] or [np.zeros((0, dimension))])
        kind = choose_index_kind(len(chunks), settings.faiss_index, settings.hnsw_threshold)
        chunk_tokens = [tokenizer.tokenize(to_simplified(c.embed_text)) for c in chunks]
        bm25 = BM25Retriever.build(chunk_tokens)
        # Staff edits, and a few added or removed documents, keep the corpus's calibration (embedding ~800
        # pseudo-queries takes a minute, too long for an edit to wait); another model or a changed corpus recalibrates.
        previous_calibration = served.manifest.get("calibration") if served else None
        calibration = previous_calibration if same_model and _similar_corpus(previous, records) else None
        if calibration is None:
            model = model or embedder()
            calibration = calibrate(records, chunks, vectors, bm25, tokenizer.tokenize, model.embed_queries)
        data = IndexData(
            manifest={
                "model": model_ref,
                "normalization": NORMALIZATION,
                "dimension": dimension,
                "index_kind": kind,
                "documents": len(records),
                "chunks": len(chunks),
                "passages": len(passages),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "backend": backend.name,
                "calibration": calibration,
            },
            documents=records,
            chunks=chunks,
            vectors=vectors,
            bm25=bm25,
            dense=DenseRetriever.build(vectors, kind, settings.hnsw_m, settings.ivf_nlist, settings.hnsw_ef_search),
            passages=passages,
            passage_vectors=passage_vectors.astype(np.float32),
            chunk_tokens=chunk_tokens,
        )
        version = backend.publish(data, keep=settings.snapshots_kept)
    return BuildResult(
        version=version,
        documents=len(records),
        chunks=len(chunks),
        embedded=len(missing),
        reused=len(chunks) + len(passages) - len(missing),
        seconds=time.perf_counter() - started,
        index_kind=kind,
        problems=report.problems,
        changed=changed,
        passages=len(passages),
        calibration=calibration,
    )
