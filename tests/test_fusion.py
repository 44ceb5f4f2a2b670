"""Fusion that generalises: each snapshot fits its own weights and calibration from its pseudo-queries."""

from __future__ import annotations

import numpy as np

from benchmarks.retrieval_eval import HELDOUT, TUNE, RetrievalEvaluator, load_dev_questions, split_of
from index.calibration import calibrate, pseudo_queries
from index.fusion import FusionWeights


def test_split_is_fixed_by_document_and_holds_out_about_a_third():
    questions = load_dev_questions()
    heldout = load_dev_questions(split=HELDOUT)
    assert 0.2 <= len(heldout) / len(questions) <= 0.45
    assert len(heldout) + len(load_dev_questions(split=TUNE)) == len(questions)
    assert {split_of(q.expected_id) for q in heldout} == {HELDOUT}


def test_sample_snapshot_is_self_calibrated_and_fused_beats_each_ranker_on_heldout(sample_index, searcher_factory):
    searcher = searcher_factory(sample_index, min_confidence=0.0)
    data = searcher.data()[1]
    fitted = data.manifest["calibration"]
    assert fitted["pseudo_queries"] >= 100 and fitted["scale"] > 0
    weights, policy = searcher.calibrated(data)
    assert (weights.bm25, policy.center) == (fitted["bm25"], fitted["center"])
    evaluator = RetrievalEvaluator(searcher, load_dev_questions(split=HELDOUT))
    fused = evaluator.evaluate(weights)
    bm25 = evaluator.evaluate(FusionWeights(0.0, 1.0, weights.bm25_saturation))
    dense = evaluator.evaluate(FusionWeights(1.0, 0.0, weights.bm25_saturation))
    assert fused.recall_at_1 >= max(bm25.recall_at_1, dense.recall_at_1)
    assert fused.mrr >= max(bm25.mrr, dense.mrr)


def test_a_corpus_with_weak_dense_vectors_gets_a_larger_bm25_weight(sample_index, searcher_factory, tokenizer):
    """The same texts with uninformative (random) chunk vectors: BM25 must carry the ranking, and the
    calibration finds that by itself, from the pseudo-queries alone."""
    searcher = searcher_factory(sample_index, min_confidence=0.0)
    data = searcher.data()[1]
    rng = np.random.default_rng(3)
    noise = rng.normal(size=data.vectors.shape).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    documents = {d: data.documents[d] for d in list(data.documents)}
    assert len(pseudo_queries(documents)) >= 100
    weak = calibrate(documents, data.chunks, noise, data.bm25, tokenizer.tokenize, searcher.embedder.embed_queries)
    assert weak is not None
    assert weak["bm25"] > data.manifest["calibration"]["bm25"]
    assert weak["pseudo_mrr"] > 0.5
