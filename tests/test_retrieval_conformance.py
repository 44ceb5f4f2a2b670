"""Retrieval conformance: the embedded (BM25 + FAISS) and Qdrant backends give the same documents and decisions.

Both are built by the real builder from a fixed fictional corpus (tests/data/conformance_kb), with the real E5
model; Qdrant runs in local mode. The test compares documents, order and decisions, not raw scores.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from govbot.answering.passage_choice import choose_passages
from index.backend import EMBEDDED, QDRANT, RetrievalBackend, backend_for
from index.builder import build_index
from index.confidence import ANSWER, CLARIFY, FALLBACK
from index.embedded_backend import EmbeddedBackend
from index.embedder import Embedder
from index.index_data import IndexData
from index.normalize import to_simplified
from index.qdrant_backend import QdrantBackend
from index.searcher import Searcher

CORPUS = Path(__file__).resolve().parent / "data" / "conformance_kb"
FACTS = Path(__file__).resolve().parent / "data" / "fact_questions.tsv"
BACKENDS = ("embedded", "qdrant")
TOP_K = 3

# (question, expected best document or None, expected decision)
CASES = [
    ("怎么办借书证", "library-card", ANSWER),
    ("养狗要去哪里登记，要花钱吗", "dog-registration", ANSWER),
    ("小区门口路边停车能包月吗", "resident-parking", ANSWER),
    ("电瓶车没牌照怎么上牌", "ebike-plate", ANSWER),
    ("领结婚证要带什么材料", "marriage-registration", ANSWER),
    ("周末想订个羽毛球场", "stadium-booking", ANSWER),
    ("买了二手房水费怎么过户", "water-transfer", ANSWER),
    ("楼下的树挡住阳光了", "tree-pruning", ANSWER),
    ("想去夜市摆摊", "market-stall", ANSWER),
    ("工地半夜还在施工太吵了", "construction-noise", ANSWER),
    ("废电池扔哪个桶", "garbage-sorting", ANSWER),
    ("低保户冬天取暖有补贴吗", "heating-subsidy", ANSWER),
    ("大学毕业开店房租有补贴吗", "startup-rent", ANSWER),
    ("手机落在公交车上了", "lost-property", ANSWER),
    ("乘车卡怎么办", None, CLARIFY),
    ("今天股票会涨吗", None, FALLBACK),
    ("帮我订一张去北京的机票", None, FALLBACK),
]


def _searcher(backend: RetrievalBackend, embedder, tokenizer, settings) -> Searcher:
    return Searcher(
        Path("unused"), embedder, tokenizer, settings.fusion_weights, settings.confidence_policy, backend=backend
    )


@pytest.fixture(scope="module")
def searchers(tmp_path_factory, embedder, tokenizer, settings) -> dict[str, Searcher]:
    """Both backends, each built from the conformance corpus by the real builder."""
    root = tmp_path_factory.mktemp("conformance")
    client = QdrantClient(path=str(root / "qdrant"))
    backends: dict[str, RetrievalBackend] = {
        "embedded": EmbeddedBackend(root / "embedded"),
        "qdrant": QdrantBackend(client, "conformance", root / "qdrant", server=False),
    }
    for backend in backends.values():
        (root / backend.name).mkdir(exist_ok=True)
        build_index(CORPUS, root, lambda: embedder, tokenizer, settings, backend=backend)
    yield {name: _searcher(backend, embedder, tokenizer, settings) for name, backend in backends.items()}
    client.close()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("question", "expected", "decision"), CASES)
def test_backend_answers_the_fixture_questions(searchers, backend, question, expected, decision):
    response = searchers[backend].search(question, top_k=TOP_K)
    assert response.decision == decision
    if expected is not None:
        assert response.results[0].doc_id == expected


@pytest.mark.parametrize(("question", "expected", "decision"), CASES)
def test_backends_rank_alike(searchers, embedder, question, expected, decision):
    vector = embedder.embed_queries([question])[0]
    embedded, qdrant = (searchers[b].search(question, top_k=TOP_K, query_vector=vector) for b in BACKENDS)
    assert [r.doc_id for r in qdrant.results] == [r.doc_id for r in embedded.results]
    assert [r.section for r in qdrant.results] == [r.section for r in embedded.results]
    assert qdrant.decision == embedded.decision
    assert qdrant.confidence == pytest.approx(embedded.confidence, abs=1e-3)


@pytest.mark.parametrize("question", ["养犬登记要交多少钱", "结婚登记多久能办好"])
def test_backends_choose_the_same_passages(searchers, question):
    chosen = {}
    for backend in BACKENDS:
        searcher = searchers[backend]
        doc_id = searcher.search(question).results[0].doc_id
        chosen[backend] = [
            m.passage.text for m in choose_passages(question, searcher.score_passages(question, doc_id), 200)
        ]
    assert chosen["qdrant"] and chosen["qdrant"] == chosen["embedded"]


def test_configured_qdrant_versions_switch_behind_the_alias(tmp_path, embedder, tokenizer, settings):
    """With ``GOVBOT_RETRIEVAL_BACKEND=qdrant`` the builder fills a new collection, moves the alias, keeps at most
    ``snapshots_kept`` versions, and a searcher serves the edit at once."""
    configured = replace(settings, retrieval_backend=QDRANT, qdrant_collection="switch")
    kb = tmp_path / "kb"
    shutil.copytree(CORPUS, kb)
    backend = backend_for(configured, tmp_path)
    assert isinstance(backend, QdrantBackend)
    try:
        first = build_index(kb, tmp_path, lambda: embedder, tokenizer, configured)
        searcher = _searcher(backend, embedder, tokenizer, settings)
        assert searcher.search("办狗证多少钱").version == first.version
        page = kb / "dog-registration.md"
        page.write_text(page.read_text("utf-8").replace("100元", "88元"), "utf-8")
        versions = [build_index(kb, tmp_path, lambda: embedder, tokenizer, configured) for _ in range(3)]
        assert versions[0].embedded > 0 and versions[0].reused > 0
        searcher.refresh()
        assert backend.current_version() == searcher.version == versions[-1].version
        names = {c.name for c in backend.client.get_collections().collections}
        assert len(names) == settings.snapshots_kept and f"switch-{first.version}" not in names
        doc = searcher.data()[1].documents["dog-registration"]
        assert any("88元" in s["text"] for s in doc["sections"])
    finally:
        backend.client.close()


def test_sample_knowledge_base_top1_agreement(sample_index, embedder, tokenizer, settings, tmp_path):
    """The sample knowledge base served by both backends: top-1 documents agree on the fact questions."""
    embedded = EmbeddedBackend(sample_index)
    data = IndexData.load(embedded.store.snapshots_dir / embedded.current_version())
    data.chunk_tokens = [tokenizer.tokenize(to_simplified(c.embed_text)) for c in data.chunks]
    client = QdrantClient(path=str(tmp_path / "qdrant"))
    try:
        qdrant = QdrantBackend(client, "sample", tmp_path / "qdrant", server=False)
        qdrant.publish(data, keep=1)
        pair = [_searcher(b, embedder, tokenizer, settings) for b in (embedded, qdrant)]
        with open(FACTS, encoding="utf-8") as handle:
            # Every fourth question keeps the test near one minute (local mode scores in Python).
            rows = [r for r in csv.DictReader(handle, delimiter="\t") if r["split"] in ("dev", "heldout")]
            questions = [row["question"] for row in rows][::4]
        vectors = embedder.embed_queries(questions)
        same_top1 = same_decision = 0
        for question, vector in zip(questions, vectors, strict=True):
            a, b = (s.search(question, top_k=1, query_vector=vector) for s in pair)
            same_top1 += [r.doc_id for r in a.results] == [r.doc_id for r in b.results]
            same_decision += a.decision == b.decision
        print(f"top-1 agreement {same_top1}/{len(questions)}, decision agreement {same_decision}/{len(questions)}")
        assert same_top1 / len(questions) >= 0.98
        assert same_decision / len(questions) >= 0.98
    finally:
        client.close()


def test_a_first_qdrant_build_takes_over_the_embedded_snapshot(tmp_path, embedder, tokenizer, settings):
    """Switching a machine to Qdrant (here local mode in memory) re-uses the embedded snapshot's vectors and
    calibration (nothing embedded) and serves the same decisions."""
    kb = tmp_path / "kb"
    shutil.copytree(CORPUS, kb)
    embedded_settings = replace(settings, retrieval_backend=EMBEDDED)
    built = build_index(kb, tmp_path, lambda: embedder, tokenizer, embedded_settings)
    configured = replace(settings, retrieval_backend=QDRANT, qdrant_collection="takeover", qdrant_url=":memory:")
    backend = backend_for(configured, tmp_path)
    assert isinstance(backend, QdrantBackend) and not backend.server

    def no_model() -> Embedder:
        raise AssertionError("the first Qdrant build embedded again")

    try:
        first = build_index(kb, tmp_path, no_model, tokenizer, configured)
        assert first.embedded == 0 and first.reused > 0 and not (tmp_path / "qdrant").exists()
        served = _searcher(backend, embedder, tokenizer, settings)
        embedded = _searcher(EmbeddedBackend(tmp_path), embedder, tokenizer, settings)
        assert embedded.search("办狗证多少钱").version == built.version
        for question, _expected, _decision in CASES:
            a, b = embedded.search(question), served.search(question)
            assert [r.doc_id for r in a.results] == [r.doc_id for r in b.results] and a.decision == b.decision
    finally:
        backend.client.close()
