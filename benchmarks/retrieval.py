"""Retrieval benchmarks: quality per component, search latency (sample and ≥10,000 chunks), build times."""

from __future__ import annotations

import csv
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.report import Report, percentiles
from benchmarks.retrieval_eval import HELDOUT, RetrievalEvaluator, load_dev_questions
from govbot.components import embedder_for, service_names, tokenizer_for
from govbot.settings import PROJECT_ROOT, Settings
from index.bm25_retriever import BM25Retriever
from index.builder import build_index
from index.chunking import Chunk
from index.dense_retriever import DenseRetriever
from index.fusion import FusionWeights
from index.index_data import IndexData
from index.searcher import Searcher
from index.snapshot import SnapshotStore

SAMPLE_KB = PROJECT_ROOT / "knowledge" / "docs"
SYNTHETIC_CHUNKS = 10_240
TRADITIONAL_QUESTIONS = PROJECT_ROOT / "tests" / "data" / "traditional_questions.tsv"
TYPO_QUESTIONS = PROJECT_ROOT / "tests" / "data" / "typo_questions.tsv"
LATENCY_QUERIES = 200


def _searcher(settings: Settings, index_dir: Path, **options) -> Searcher:
    return Searcher(
        index_dir,
        embedder_for(settings),
        tokenizer_for(settings),
        settings.fusion_weights,
        settings.confidence_policy,
        protected=service_names(settings),
        **options,
    )


def quality(report: Report, settings: Settings, index_dir: Path) -> None:
    """R@1, R@5 and MRR of each ranker alone and fused (the snapshot's self-calibrated weights, and the fixed
    weights of the settings for comparison), on all dev questions and on the held-out split no tuning saw."""
    searcher = _searcher(settings, index_dir, min_confidence=0.0)
    calibrated, _ = searcher.calibrated(searcher.data()[1])
    rankers = (
        ("bm25", FusionWeights(0.0, 1.0, calibrated.bm25_saturation)),
        ("dense", FusionWeights(1.0, 0.0, calibrated.bm25_saturation)),
        ("fused", calibrated),
        ("fused_fixed_weights", settings.fusion_weights),
    )
    for section, split in (("retrieval_quality", None), ("retrieval_quality_heldout", HELDOUT)):
        evaluator = RetrievalEvaluator(searcher, load_dev_questions(split=split))
        for name, weights in rankers:
            m = evaluator.evaluate(weights)
            figures = {"R@1": round(m.recall_at_1, 3), "R@5": round(m.recall_at_5, 3), "MRR": round(m.mrr, 3)}
            report.add(section, name, {**figures, "n": m.count})
    report.add("retrieval_quality", "self_calibration", searcher.data()[1].manifest.get("calibration") or {})


def traditional(report: Report, settings: Settings, index_dir: Path, path: Path = TRADITIONAL_QUESTIONS) -> None:
    """Top-1 accuracy of the same questions written in Traditional and in Simplified, per split."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    searcher = _searcher(settings, index_dir, min_confidence=0.0)
    for split in sorted({r["split"] for r in rows}):
        chosen = [r for r in rows if r["split"] == split]
        figures = {}
        for script in ("hant", "hans"):
            tops = [searcher.search(r[f"question_{script}"], top_k=1).results for r in chosen]
            hits = [bool(t) and t[0].doc_id == r["doc_id"] for t, r in zip(tops, chosen, strict=True)]
            figures[f"top1_{script}"] = round(sum(hits) / len(hits), 3)
        report.add("traditional_chinese", split, {**figures, "n": len(chosen)})


def _latency(searcher: Searcher, queries: list[str]) -> dict:
    searcher.search(queries[0])
    samples = []
    for query in queries:
        started = time.perf_counter()
        searcher.search(query)
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def _synthetic_index(settings: Settings, source: IndexData, target: Path, kind: str) -> int:
    """A snapshot of ≥10,240 chunks: sample chunks recombined into new documents (text for BM25), with the
    sample's real embeddings perturbed by small noise and renormalised (so no 10,000 texts need embedding)."""
    rng = np.random.default_rng(7)
    tokenizer = tokenizer_for(settings)
    sections = [c for c in source.chunks if c.kind == "section"]
    chunks, vectors, documents = [], [], {}
    positions = {c.chunk_id: i for i, c in enumerate(source.chunks)}
    copy = 0
    while len(chunks) < SYNTHETIC_CHUNKS:
        copy += 1
        for doc_id, record in source.documents.items():
            new_id = f"{doc_id}-s{copy}"
            documents[new_id] = {**record, "id": new_id, "title": f"{record['title']}（第{copy}区）"}
            picks = rng.choice(len(sections), size=8, replace=False)
            for n, pick in enumerate(picks):
                original = sections[pick]
                chunks.append(Chunk(f"{new_id}#{n}", new_id, original.section, "section", original.text))
                vector = source.vectors[positions[original.chunk_id]] + rng.normal(0, 0.02, source.vectors.shape[1])
                vectors.append(vector / np.linalg.norm(vector))
    matrix = np.asarray(vectors, dtype=np.float32)
    data = IndexData(
        manifest={"model": settings.embedding_model_ref, "index_kind": kind, "synthetic": True},
        documents=documents,
        chunks=chunks,
        vectors=matrix,
        bm25=BM25Retriever.build([tokenizer.tokenize(c.text) for c in chunks]),
        dense=DenseRetriever.build(matrix, kind, settings.hnsw_m, settings.ivf_nlist, settings.hnsw_ef_search),
    )
    store = SnapshotStore(target)
    with store.build_lock():
        workspace = store.new_workspace()
        data.save(workspace)
        store.publish(workspace)
    return len(chunks)


def latency(report: Report, settings: Settings, index_dir: Path) -> None:
    queries = [q.question for q in load_dev_questions()][:LATENCY_QUERIES]
    report.add("search_latency", "sample_kb", _latency(_searcher(settings, index_dir), queries))
    _, source = _searcher(settings, index_dir).data()
    for kind in ("flat", "hnsw"):
        with tempfile.TemporaryDirectory() as folder:
            count = _synthetic_index(settings, source, Path(folder), kind)
            figures = _latency(_searcher(settings, Path(folder)), queries)
            report.add("search_latency", f"synthetic_{count}_chunks_{kind}", figures)


def builds(report: Report, settings: Settings) -> None:
    embedder, tokenizer = embedder_for(settings), tokenizer_for(settings)
    with tempfile.TemporaryDirectory() as folder:
        kb, index_dir = Path(folder) / "kb", Path(folder) / "index"
        shutil.copytree(SAMPLE_KB, kb)
        full = build_index(kb, index_dir, lambda: embedder, tokenizer, settings)
        report.add(
            "build", "full", {"seconds": round(full.seconds, 2), "chunks": full.chunks, "embedded": full.embedded}
        )
        samples = []
        for n in range(5):
            path = kb / "passport.md"
            path.write_text(
                path.read_text("utf-8").replace("## 办理时限", f"## 办理时限\n\n第{n}次修订。\n", 1), "utf-8"
            )
            result = build_index(kb, index_dir, lambda: embedder, tokenizer, settings)
            samples.append(result.seconds)
        report.add(
            "build",
            "incremental_one_document",
            {
                "seconds_max": round(max(samples), 2),
                "seconds_median": round(float(np.median(samples)), 2),
                "embedded": result.embedded,
                "runs": len(samples),
            },
        )


def spelling(report: Report, settings: Settings, index_dir: Path, path: Path = TYPO_QUESTIONS) -> None:
    """Homophone typos corrected by the search (index/spelling.py): of questions with one typo, the share made
    right, left as typed and made wrong; of questions without one, the share changed (a false correction)."""
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    searcher = _searcher(settings, index_dir)
    typos = [(r, searcher.correct(r["typed"])) for r in rows if r["kind"] == "typo"]
    clean = [(r, searcher.correct(r["typed"])) for r in rows if r["kind"] == "clean"]
    report.add(
        "retrieval",
        "spelling",
        {
            "typos_corrected": _share([out == r["meant"] for r, out in typos]),
            "typos_left": _share([out == r["typed"] for r, out in typos]),
            "typos_miscorrected": _share([out not in (r["meant"], r["typed"]) for r, out in typos]),
            "clean_changed": _share([out != r["typed"] for r, out in clean]),
            "n_typos": len(typos),
            "n_clean": len(clean),
        },
    )


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def run(report: Report, settings: Settings) -> None:
    quality(report, settings, settings.index_dir)
    traditional(report, settings, settings.index_dir)
    spelling(report, settings, settings.index_dir)
    latency(report, settings, settings.index_dir)
    builds(report, settings)
