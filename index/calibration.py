"""Self-calibration of ranking at index build, from pseudo-queries the corpus itself provides.

Each document's title, aliases and keywords are questions whose answer is known: that document. A pseudo-query
is searched with its own document's meta chunk (which holds those very words) left out, so the document must
be found from its body, as a citizen's question is. On these queries the build

* picks the BM25 weight and saturation of the fused score ``cosine + w · bm25/(bm25 + c)`` with the best MRR
  (so a corpus where BM25 is strong, such as long policy texts, gets a larger ``w`` than a paraphrastic FAQ);
* fits the logistic confidence (center, scale) on the top score: label 1 when the top document is right, and
  each query once more with its document removed from the corpus (label 0) as an in-corpus out-of-scope
  question, whose nearest neighbour has a similar name.

The result is stored in the snapshot manifest; searchers use it unless self-calibration is switched off.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from index.bm25_retriever import BM25Retriever
from index.chunking import Chunk
from index.confidence import ConfidencePolicy, fit_logistic
from index.fusion import FusionWeights, fuse
from index.normalize import to_simplified

BM25_WEIGHTS = (0.0, 0.02, 0.04, 0.08, 0.15, 0.3, 0.6)
SATURATIONS = (4.0, 8.0, 16.0, 32.0, 64.0)
MIN_PSEUDO_QUERIES = 20


def applied(
    fitted: dict | None, weights: FusionWeights, policy: ConfidencePolicy
) -> tuple[FusionWeights, ConfidencePolicy]:
    """The configured fusion weights and confidence policy with an index's fitted calibration put in (unchanged
    when there is none: self-calibration switched off, or an index built without it)."""
    if not fitted:
        return weights, policy
    fused = FusionWeights(weights.dense, fitted["bm25"], fitted["bm25_saturation"])
    return fused, replace(policy, center=fitted["center"], scale=fitted["scale"])


def pseudo_queries(documents: dict[str, dict]) -> list[tuple[str, str]]:
    """(query, doc_id) pairs: each document's title, aliases and keywords (two characters or more)."""
    pairs = []
    for doc_id, record in documents.items():
        texts = [record.get("title") or "", *(record.get("aliases") or []), *(record.get("keywords") or [])]
        pairs.extend((text, doc_id) for text in dict.fromkeys(t.strip() for t in texts) if len(text) >= 2)
    return pairs


def _document_scores(fused: np.ndarray, doc_index: np.ndarray, documents: int) -> np.ndarray:
    """Each document's best chunk score (−inf for a document with no scored chunk)."""
    best = np.full(documents, -np.inf)
    np.maximum.at(best, doc_index, fused)
    return best


def calibrate(
    documents: dict[str, dict],
    chunks: list[Chunk],
    vectors: np.ndarray,
    bm25: BM25Retriever,
    tokenize: Callable[[str], list[str]],
    embed_queries: Callable[[list[str]], np.ndarray],
) -> dict | None:
    """The fitted fusion weights and confidence calibration, with the figures they reached (None when the corpus
    offers fewer than :data:`MIN_PSEUDO_QUERIES` pseudo-queries).

    Life events are left out: their aliases paraphrase their steps' guides, so counting them would make the
    services look less distinct than they are and move every confidence; an event's confidence uses the same
    calibration as the services'.
    """
    services = {d: r for d, r in documents.items() if r.get("type") != "event"}
    pairs = pseudo_queries(services)
    if len(pairs) < MIN_PSEUDO_QUERIES or len(documents) < 2:
        return None
    doc_ids = list(documents)
    doc_pos = {d: i for i, d in enumerate(doc_ids)}
    doc_index = np.asarray([doc_pos[c.doc_id] for c in chunks])
    meta = np.asarray([c.kind == "meta" for c in chunks])
    ranked_chunks = np.asarray([c.doc_id in services for c in chunks])
    query_vectors = embed_queries([to_simplified(q) for q, _ in pairs])
    dense_all = vectors @ query_vectors.T  # chunks × queries
    bm25_all = [bm25.scores(tokenize(to_simplified(q))) for q, _ in pairs]
    keep = [ranked_chunks & ~(meta & (doc_index == doc_pos[d])) for _, d in pairs]
    targets = [doc_pos[d] for _, d in pairs]

    def ranked(weights: FusionWeights) -> list[np.ndarray]:
        return [
            _document_scores(fuse(dense_all[k, j], bm25_all[j][k], weights), doc_index[k], len(doc_ids))
            for j, k in enumerate(keep)
        ]

    best = None
    for w, c in itertools.product(BM25_WEIGHTS, SATURATIONS):
        if w == 0.0 and c != SATURATIONS[0]:
            continue  # the saturation does not matter without BM25
        weights = FusionWeights(dense=1.0, bm25=w, bm25_saturation=c)
        scores = ranked(weights)
        ranks = [int(np.sum(s > s[t])) + 1 for s, t in zip(scores, targets, strict=True)]
        key = (float(np.mean([1.0 / r for r in ranks])), float(np.mean([r == 1 for r in ranks])))
        if best is None or key > best[0]:
            best = (key, weights, scores)
    assert best is not None
    (mrr, r1), weights, scores = best
    positives = [float(s.max()) for s in scores]
    labels = [float(int(np.argmax(s)) == t) for s, t in zip(scores, targets, strict=True)]
    negatives = [float(np.max(np.delete(s, t))) for s, t in zip(scores, targets, strict=True)]
    values = np.asarray(positives + negatives)
    center, scale = fit_logistic(values, np.asarray(labels + [0.0] * len(negatives)))
    return {
        "bm25": weights.bm25,
        "bm25_saturation": weights.bm25_saturation,
        "center": round(center, 5),
        "scale": round(scale, 5),
        "pseudo_queries": len(pairs),
        "pseudo_mrr": round(mrr, 4),
        "pseudo_r1": round(r1, 4),
    }
