"""The Qdrant backend: each index version is a collection, served through an alias switched atomically.

A version's collection holds chunk points (id = chunk position) with a dense E5 vector and a sparse BM25 vector
(:mod:`index.sparse`, jieba tokens, Qdrant's IDF modifier), passage points with their own dense vector, one point
per document record and one manifest point (calibration, vocabulary). Qdrant finds and scores chunks; fusion,
document ranking and calibration are ours (:mod:`index.fusion`, :mod:`index.confidence`), as in the embedded
backend. ``QdrantClient(path=...)`` (local mode) serves tests and one machine, a URL serves a cluster.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from qdrant_client import QdrantClient, models

from index.backend import QDRANT, BackendError, ServedIndex
from index.chunking import Chunk, Passage
from index.file_lock import exclusive_lock
from index.index_data import Catalog, IndexData
from index.snapshot import version_name
from index.sparse import SparseEncoder

DENSE, SPARSE, PASSAGE = "dense", "sparse", "passage"  # named vectors: chunk E5, chunk BM25, passage E5
CHUNK, PASSAGE_POINT, DOCUMENT, MANIFEST = "chunk", "passage", "document", "manifest"
BATCH = 256
IN_MEMORY = ":memory:"  # GOVBOT_QDRANT_URL for local mode without a folder (rebuilt at each start)
RECENT_SEARCHES = 16  # local mode: full score arrays kept from a search's candidates call for its scores call


@lru_cache(maxsize=4)
def qdrant_client(url: str, api_key: str, path: Path) -> QdrantClient:
    """One client per process and place: a server at ``url``, local mode in memory for ``:memory:``, else local
    mode in ``path`` (which admits only one process at a time, so the searcher and the re-indexer of a process
    share this client)."""
    if url == IN_MEMORY:
        return QdrantClient(location=IN_MEMORY)
    if url:
        return QdrantClient(url=url, api_key=api_key or None, timeout=10)
    path.mkdir(parents=True, exist_ok=True)
    try:
        client = QdrantClient(path=str(path))
    except RuntimeError as exc:  # the folder is locked by another process
        raise BackendError(f"Qdrant local storage {path} is in use by another process: {exc}") from exc
    atexit.register(client.close)  # release the folder's lock before interpreter teardown
    return client


def _sparse(indices: list[int], values: list[float]) -> models.SparseVector:
    return models.SparseVector(indices=indices, values=values)


def _point(point_id: int, vector: dict[str, Any], payload: dict[str, Any]) -> models.PointStruct:
    """A point built without pydantic's per-float validation of its vectors (two thirds of a publish's time in
    local mode): the builder made every value, ids are ints, vectors lists of floats, payloads JSON."""
    return models.PointStruct.construct(id=point_id, vector=vector, payload=payload)


class QdrantRetriever:
    """Dense and sparse queries against one version's collection (never the alias, so a switch mid-search is
    harmless).

    A server is asked for the top candidates, then for the scores of the chosen ones (an id filter). Local mode
    scores every point in Python either way, and checks an id filter point by point, so there one unfiltered
    query per ranking returns every chunk's score, kept for the ``scores`` call of the same search.
    """

    def __init__(self, client: QdrantClient, collection: str, encoder: SparseEncoder, server: bool, size: int = 0):
        self.client = client
        self.collection = collection
        self.encoder = encoder
        self.server = server  # a server's filtered dense search is asked to be exact; local mode always is
        self.size = size  # chunk points (ids 0 .. size - 1)
        self._recent: OrderedDict[tuple[bytes, tuple[str, ...]], tuple[np.ndarray, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def _requests(
        self, query_vector: np.ndarray, tokens: list[str], limit: int, positions: np.ndarray | None
    ) -> list[models.QueryRequest]:
        only = None if positions is None else models.Filter(must=[models.HasIdCondition(has_id=positions.tolist())])
        exact = models.SearchParams(exact=True) if positions is not None and self.server else None
        dense = [float(x) for x in query_vector]
        requests = [models.QueryRequest(query=dense, using=DENSE, limit=limit, filter=only, params=exact)]
        indices, values = self.encoder.query(tokens)
        if indices:
            requests.append(models.QueryRequest(query=_sparse(indices, values), using=SPARSE, limit=limit, filter=only))
        return requests

    def _all_scores(self, query_vector: np.ndarray, tokens: list[str]) -> tuple[np.ndarray, ...]:
        """Local mode: every chunk's dense and sparse score, and which chunks the sparse query matched at all."""
        key = (np.asarray(query_vector, dtype=np.float32).tobytes(), tuple(tokens))
        with self._lock:
            if key in self._recent:
                return self._recent[key]
        dense = np.zeros(self.size, dtype=np.float32)
        lexical = np.zeros(self.size, dtype=np.float32)
        matched = np.zeros(self.size, dtype=bool)
        requests = self._requests(query_vector, tokens, self.size, None)
        responses = self.client.query_batch_points(self.collection, requests)
        for target, response in zip((dense, lexical), responses, strict=False):
            for point in response.points:
                target[int(point.id)] = point.score
        if len(responses) > 1:
            matched[[int(point.id) for point in responses[1].points]] = True
        with self._lock:
            self._recent[key] = (dense, lexical, matched)
            while len(self._recent) > RECENT_SEARCHES:
                self._recent.popitem(last=False)
        return dense, lexical, matched

    def candidates(self, query_vector: np.ndarray, tokens: list[str], limit: int) -> np.ndarray:
        if not self.server and self.size:
            dense, lexical, matched = self._all_scores(query_vector, tokens)
            by_dense = np.argsort(-dense, kind="stable")[:limit]
            by_lexical = np.argsort(-lexical, kind="stable")
            by_lexical = by_lexical[matched[by_lexical]][:limit]
            return np.union1d(by_dense, by_lexical).astype(np.int64)
        responses = self.client.query_batch_points(self.collection, self._requests(query_vector, tokens, limit, None))
        ids = {int(point.id) for response in responses for point in response.points}
        return np.asarray(sorted(ids), dtype=np.int64)

    def scores(
        self, query_vector: np.ndarray, tokens: list[str], positions: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        if not self.server and self.size:
            dense, lexical, _ = self._all_scores(query_vector, tokens)
            return dense[positions], lexical[positions]
        dense = np.zeros(len(positions), dtype=np.float32)
        lexical = np.zeros(len(positions), dtype=np.float32)
        if not len(positions):
            return dense, lexical
        where = {int(p): i for i, p in enumerate(positions)}
        requests = self._requests(query_vector, tokens, len(where), positions)
        responses = self.client.query_batch_points(self.collection, requests)
        for target, response in zip((dense, lexical), responses, strict=False):
            for point in response.points:
                target[where[int(point.id)]] = point.score
        return dense, lexical


class QdrantBackend:
    """Versions are collections ``<alias>-<version>``; the alias names the served one."""

    name = QDRANT

    def __init__(self, client: QdrantClient, alias: str, index_dir: Path, server: bool):
        self.client = client
        self.alias = alias
        self.index_dir = index_dir
        self.server = server

    def _collection(self, version: str) -> str:
        return f"{self.alias}-{version}"

    def current_version(self) -> str | None:
        for alias in self.client.get_aliases().aliases:
            if alias.alias_name == self.alias:
                return alias.collection_name.removeprefix(f"{self.alias}-")
        return None

    def load(self, version: str) -> ServedIndex:
        collection = self._collection(version)
        catalog, encoder = self._read(collection)
        retriever = QdrantRetriever(self.client, collection, encoder, self.server, len(catalog.chunks))
        return ServedIndex(version, catalog, retriever)

    def previous(self) -> Catalog | None:
        version = self.current_version()
        return self._read(self._collection(version))[0] if version else None

    def build_lock(self) -> contextlib.AbstractContextManager[None]:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        return exclusive_lock(self.index_dir / ".qdrant-build.lock")

    def publish(self, data: IndexData, keep: int) -> str:
        """Create and fill a new collection, switch the alias to it in one atomic call, drop old versions."""
        version = version_name()
        collection = self._collection(version)
        dimension = int(data.vectors.shape[1])
        self.client.create_collection(
            collection,
            vectors_config={
                DENSE: models.VectorParams(size=dimension, distance=models.Distance.DOT),
                PASSAGE: models.VectorParams(size=dimension, distance=models.Distance.DOT),
            },
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            shard_number=1,  # IDF statistics are per shard: one shard keeps them corpus-wide
        )
        encoder = SparseEncoder.fit(data.chunk_tokens)
        try:
            for start in range(0, len(data.chunks) + len(data.passages) + len(data.documents) + 1, BATCH):
                self.client.upsert(collection, self._points(data, encoder, start, start + BATCH), wait=True)
            operations: list[Any] = [
                models.CreateAliasOperation(
                    create_alias=models.CreateAlias(collection_name=collection, alias_name=self.alias)
                )
            ]
            if self.current_version() is not None:
                operations.insert(
                    0, models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=self.alias))
                )
            self.client.update_collection_aliases(change_aliases_operations=operations)
        except BaseException:
            self.client.delete_collection(collection)
            raise
        self._prune(keep)
        return version

    def _points(self, data: IndexData, encoder: SparseEncoder, start: int, stop: int) -> list[models.PointStruct]:
        """Points ``start:stop`` of the sequence: chunks, passages, documents, manifest."""
        chunks, passages = len(data.chunks), len(data.passages)
        doc_ids = list(data.documents)
        points: list[models.PointStruct] = []
        for point_id in range(start, min(stop, chunks + passages + len(doc_ids) + 1)):
            vector: dict[str, Any] = {}
            if point_id < chunks:
                indices, values = encoder.document(data.chunk_tokens[point_id])
                vector = {DENSE: data.vectors[point_id].tolist(), SPARSE: _sparse(indices, values)}
                payload: dict[str, Any] = {"kind": CHUNK, "chunk": data.chunks[point_id].to_dict()}
            elif point_id < chunks + passages:
                position = point_id - chunks
                vector = {PASSAGE: data.passage_vectors[position].tolist()}
                payload = {"kind": PASSAGE_POINT, "position": position, "passage": data.passages[position].to_dict()}
            elif point_id < chunks + passages + len(doc_ids):
                doc_id = doc_ids[point_id - chunks - passages]
                payload = {"kind": DOCUMENT, "doc_id": doc_id, "record": data.documents[doc_id]}
            else:
                payload = {
                    "kind": MANIFEST,
                    "manifest": data.manifest,
                    "vocabulary": sorted(encoder.vocabulary, key=encoder.vocabulary.__getitem__),
                    "average_length": encoder.average_length,
                }
            points.append(_point(point_id, vector, payload))
        return points

    def _read(self, collection: str) -> tuple[Catalog, SparseEncoder]:
        """The catalog and the sparse encoder stored in a version's collection."""
        chunks: dict[int, Chunk] = {}
        vectors: dict[int, list[float]] = {}
        passages: dict[int, tuple[Passage, list[float]]] = {}
        documents: list[tuple[str, dict]] = []
        head: dict[str, Any] = {}
        offset = None
        while True:
            records, offset = self.client.scroll(
                collection, limit=1000, offset=offset, with_payload=True, with_vectors=[DENSE, PASSAGE]
            )
            for record in records:
                payload, vector = record.payload or {}, record.vector or {}
                assert isinstance(vector, dict)
                kind = payload.get("kind")
                if kind == CHUNK:
                    chunks[int(record.id)] = Chunk(**payload["chunk"])
                    vectors[int(record.id)] = vector[DENSE]
                elif kind == PASSAGE_POINT:
                    passages[payload["position"]] = (Passage.from_dict(payload["passage"]), vector[PASSAGE])
                elif kind == DOCUMENT:
                    documents.append((payload["doc_id"], payload["record"]))
                elif kind == MANIFEST:
                    head = payload
            if offset is None:
                break
        if not head:
            raise BackendError(f"Qdrant collection {collection} has no manifest")
        order = sorted(chunks)
        dimension = int(head["manifest"].get("dimension") or 0)
        catalog = Catalog(
            manifest=head["manifest"],
            documents=dict(documents),  # scroll returns points in id order, the build's order
            chunks=[chunks[i] for i in order],
            vectors=np.asarray([vectors[i] for i in order], dtype=np.float32).reshape(len(order), dimension),
            passages=[passages[i][0] for i in sorted(passages)],
            passage_vectors=np.asarray([passages[i][1] for i in sorted(passages)], dtype=np.float32).reshape(
                len(passages), dimension
            ),
        )
        vocabulary = {token: i for i, token in enumerate(head["vocabulary"])}
        return catalog, SparseEncoder(vocabulary, float(head["average_length"]))

    def _prune(self, keep: int) -> None:
        """Drop all but the newest ``keep`` versions; never the served one."""
        served = self.current_version()
        prefix = f"{self.alias}-"
        names = sorted(c.name for c in self.client.get_collections().collections if c.name.startswith(prefix))
        for name in names[: max(0, len(names) - keep)]:
            if name != self._collection(served or ""):
                self.client.delete_collection(name)
