"""Retrieval quality on labelled questions: Recall@1, Recall@5 and MRR (one relevant document each)."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.fusion import FusionWeights
from index.searcher import Searcher

DEV_QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "dev_questions.tsv"
NEGATIVE_QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "negative_questions.txt"


@dataclass(frozen=True)
class LabelledQuestion:
    question: str
    expected_id: str
    style: str


TUNE, HELDOUT = "tune", "heldout"


def split_of(doc_id: str) -> str:
    """A fixed split by document: about a third of the documents' questions are held out from any tuning."""
    return HELDOUT if int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:8], 16) % 3 == 0 else TUNE


def load_dev_questions(path: Path = DEV_QUESTIONS, split: str | None = None) -> list[LabelledQuestion]:
    """The labelled dev questions; ``split`` (``tune`` or ``heldout``) keeps one side of the fixed split."""
    with open(path, encoding="utf-8") as handle:
        questions = [
            LabelledQuestion(r["question"], r["expected_id"], r["style"])
            for r in csv.DictReader(handle, delimiter="\t")
        ]
    return [q for q in questions if split is None or split_of(q.expected_id) == split]


def load_negative_questions(path: Path = NEGATIVE_QUESTIONS) -> list[str]:
    return [line.strip() for line in path.read_text("utf-8").splitlines() if line.strip()]


@dataclass
class RetrievalMetrics:
    recall_at_1: float
    recall_at_5: float
    mrr: float
    count: int

    def row(self) -> str:
        return f"R@1 {self.recall_at_1:.3f}  R@5 {self.recall_at_5:.3f}  MRR {self.mrr:.3f}  (n={self.count})"


class RetrievalEvaluator:
    """Scores a searcher on labelled questions, embedding each question once for any number of settings."""

    def __init__(self, searcher: Searcher, questions: list[LabelledQuestion]):
        self.searcher = searcher
        self.questions = questions
        self.vectors = searcher.embedder.embed_queries([q.question for q in questions])

    def ranks(self, weights: FusionWeights) -> list[int | None]:
        """The 1-based rank of the expected document for each question (None when not in the top 10)."""
        ranks: list[int | None] = []
        for question, vector in zip(self.questions, self.vectors, strict=True):
            results = self.searcher.search(question.question, top_k=10, weights=weights, query_vector=vector).results
            ids = [r.doc_id for r in results]
            ranks.append(ids.index(question.expected_id) + 1 if question.expected_id in ids else None)
        return ranks

    def evaluate(self, weights: FusionWeights) -> RetrievalMetrics:
        ranks = self.ranks(weights)
        return RetrievalMetrics(
            recall_at_1=float(np.mean([r == 1 for r in ranks])),
            recall_at_5=float(np.mean([r is not None and r <= 5 for r in ranks])),
            mrr=float(np.mean([1.0 / r if r else 0.0 for r in ranks])),
            count=len(ranks),
        )
