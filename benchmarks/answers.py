"""Answers through the running bot (issue 9), on each split separately: ``dev`` and ``heldout`` from the first
question sets, ``dev2`` and ``heldout2`` from a second pair written later by another writer (same rules), and
``dev3``, a larger tuning set by new writers over the dev documents only (tests/data/README-eval.md).

* fact accuracy: the share of fact questions whose first reply (all its messages) contains the fact, and the
  median body length of the answer message (its text without the 来源 line);
* out-of-scope false answers: the share of out-of-scope questions answered from a document (decision
  ``answer`` as the knowledge service recorded it) instead of a decline or a handoff;
* right document: the share of fact questions answered (decision ``answer``) from the expected document;
* Traditional against Simplified top-1 of the knowledge service's /search;
* per-message latency of the REST webhook.

``python -m benchmarks.answers`` starts its own stack and runs it alone; ``--dev`` measures the scope decision
in-process on the tuning splits (dev, dev2, dev3) and ``--fit`` fits the scope rule there (tuning never reads a heldout
split); ``--answers`` measures the answerer itself there, without the dialogue, in a minute or two.
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np

from benchmarks.report import Report, percentiles
from benchmarks.retrieval_eval import TUNE, load_dev_questions, load_negative_questions
from govbot.answering.answerability import Features, ScopeRule
from govbot.settings import PROJECT_ROOT, get_settings
from index.normalize import to_simplified
from knowledge.service_catalogue import load_catalogue

DATA = PROJECT_ROOT / "tests" / "data"
OUT_OF_SCOPE = DATA / "out_of_scope_questions.tsv"
FACTS = DATA / "fact_questions.tsv"
TRADITIONAL = DATA / "traditional_questions.tsv"
SPLITS = ("heldout", "heldout2", "dev", "dev2", "dev3")
TUNING_SPLITS = ("dev", "dev2", "dev3")  # the scope rule is fitted here; never on a heldout split
SOURCE_PREFIX = "来源"
THRESHOLDS = tuple(x / 100 for x in range(5, 96))
VETOES = (8.0, 9.0, 10.0, 11.0, 12.0, 99.0)
MAX_FALSE_ANSWERS = 0.05


def read_rows(path: Path, split: str | None = None) -> list[dict[str, str]]:
    """The rows of a TSV file with a header (of one split when the file has a ``split`` column)."""
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r for r in rows if split is None or r.get("split", split) == split]


def squash(text: str) -> str:
    return "".join(text.split())


def answer_body(messages: list[dict]) -> str:
    """The answer message's text without its 来源 line."""
    text = messages[0].get("text", "") if messages else ""
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith(SOURCE_PREFIX)).strip()


@dataclass
class Reply:
    messages: list[dict]
    latency_ms: float
    decision: str | None
    doc_id: str | None

    @property
    def text(self) -> str:
        return "\n".join(m.get("text", "") for m in self.messages)


class BotClient:
    """Sends each question as a new conversation to the REST webhook and reads back the recorded decision."""

    def __init__(self, rasa_url: str, database: Path, prefix: str):
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        self.database = database
        self.prefix = prefix
        self.count = 0
        self.client = httpx.Client(timeout=30)

    def ask(self, question: str) -> Reply:
        self.count += 1
        sender = f"{self.prefix}-{self.count}"
        started = time.perf_counter()
        response = self.client.post(self.url, json={"sender": sender, "message": question})
        latency = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        with sqlite3.connect(self.database) as db:
            row = db.execute(
                "SELECT decision, doc_id FROM answer_events WHERE sender = ? ORDER BY id DESC LIMIT 1", (sender,)
            ).fetchone()
        return Reply(response.json(), latency, *(row or (None, None)))

    def close(self) -> None:
        self.client.close()


def share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def measure_split(report: Report, bot: BotClient, app_url: str, split: str, latencies: list[float]) -> None:
    facts = read_rows(FACTS, split)
    fact_hits, lengths, right_doc = [], [], []
    for row in facts:
        reply = bot.ask(row["question"])
        latencies.append(reply.latency_ms)
        fact_hits.append(squash(row["fact"]) in squash(reply.text))
        right_doc.append(reply.decision == "answer" and reply.doc_id == row["doc_id"])
        if reply.decision == "answer":
            lengths.append(len(answer_body(reply.messages)))
    report.add("answers", f"{split}_fact_accuracy", {"share": share(fact_hits), "n": len(facts)})
    report.add("answers", f"{split}_median_body_chars", statistics.median(lengths) if lengths else None)
    report.add("answers", f"{split}_in_scope_right_document", {"share": share(right_doc), "n": len(facts)})
    outside = read_rows(OUT_OF_SCOPE, split)
    false_answers: dict[str, list[bool]] = {}
    for row in outside:
        reply = bot.ask(row["question"])
        latencies.append(reply.latency_ms)
        false_answers.setdefault(row["kind"], []).append(reply.decision == "answer")
    everything = [flag for flags in false_answers.values() for flag in flags]
    report.add(
        "answers",
        f"{split}_out_of_scope_false_answers",
        {"share": share(everything), "n": len(everything), **{k: share(v) for k, v in sorted(false_answers.items())}},
    )
    traditional = read_rows(TRADITIONAL, split)
    if not traditional:
        return  # the second question sets have no Traditional pairs
    hits: dict[str, list[bool]] = {"question_hant": [], "question_hans": []}
    with httpx.Client(timeout=30) as client:
        for row in traditional:
            for column, flags in hits.items():
                results = client.get(f"{app_url}/search", params={"q": row[column], "top_k": 1}).json()["results"]
                flags.append(bool(results) and results[0]["doc_id"] == row["doc_id"])
    report.add(
        "answers",
        f"{split}_traditional_top1",
        {
            "traditional": share(hits["question_hant"]),
            "simplified": share(hits["question_hans"]),
            "n": len(traditional),
        },
    )


def run(report: Report, stack) -> None:
    """All figures through a running stack (``tests.stack.Stack``), heldout first, then dev."""
    latencies: list[float] = []
    bot = BotClient(stack.rasa_url, stack.database, "bench-answers")
    try:
        for split in SPLITS:
            measure_split(report, bot, stack.app_url, split, latencies)
    finally:
        bot.close()
    if latencies:
        report.add("answers", "latency_per_message", percentiles(latencies))


@dataclass
class ScopeCase:
    """One dev question with what the scope rule looks at."""

    question: str
    expected: str | None  # the right document, or None for an out-of-scope question
    kind: str
    top: str | None
    decision: str
    features: Features | None
    personal: bool

    @property
    def right(self) -> bool:
        return self.expected is not None and self.top == self.expected


def dev_cases(answerer) -> list[ScopeCase]:
    """The dev split's in-scope and out-of-scope questions, searched once, with their scope features."""
    from govbot.answering.answerability import personal_case

    labelled = [(q.question, q.expected_id, "in_scope") for q in load_dev_questions(split=TUNE)]
    for split in TUNING_SPLITS:
        labelled += [(r["question"], r["doc_id"], "fact") for r in read_rows(FACTS, split)]
        labelled += [(r["question"], None, r["kind"]) for r in read_rows(OUT_OF_SCOPE, split)]
    labelled += [(q, None, "negative") for q in load_negative_questions()]
    version, data = answerer.searcher.data()
    cases = []
    for question, expected, kind in labelled:
        response = answerer.searcher.search(question, top_k=5)
        top = response.results[0] if response.results else None
        terms = answerer.scope.extractor.terms(question)
        features = answerer.scope.features(terms, data.documents[top.doc_id], top.confidence, version) if top else None
        cases.append(
            ScopeCase(
                question,
                expected,
                kind,
                top.doc_id if top else None,
                response.decision,
                features,
                personal_case(question),
            )
        )
    return cases


def answered(case: ScopeCase, rule: ScopeRule) -> bool:
    """Whether the assistant answers from a document: the ranking decided to and the scope rule agrees."""
    if case.decision != "answer" or case.personal or case.features is None:
        return False  # a clarification or a fallback is not an answer from a document
    return rule.answers(case.features)


def scope_figures(cases: list[ScopeCase], rule: ScopeRule) -> dict[str, float | None]:
    inside = [c for c in cases if c.expected]
    outside = [c for c in cases if not c.expected]
    figures: dict[str, float | None] = {
        "in_scope_right_document": share([answered(c, rule) and c.right for c in inside]),
        "in_scope_wrong_document": share([answered(c, rule) and not c.right for c in inside]),
        "out_of_scope_false_answers": share([answered(c, rule) for c in outside]),
    }
    for kind in sorted({c.kind for c in inside}):
        figures[f"right_document_{kind}"] = share([answered(c, rule) and c.right for c in inside if c.kind == kind])
    for kind in sorted({c.kind for c in outside}):
        figures[f"false_answers_{kind}"] = share([answered(c, rule) for c in outside if c.kind == kind])
    return figures


def fit_rule(cases: list[ScopeCase], fitted_on: tuple[float, float, float, float]) -> ScopeRule:
    """Logistic regression (the top document is right) on dev, then the threshold answering most in-scope
    questions from the right document with at most 5% false answers on the out-of-scope ones; ``fitted_on`` is
    the served index's calibration (BM25 weight, saturation, confidence centre and scale)."""
    from sklearn.linear_model import LogisticRegression

    usable = [c for c in cases if c.features and not c.personal and c.decision == "answer"]
    model = LogisticRegression(C=10.0, max_iter=5000)
    model.fit(np.array([c.features.vector() for c in usable]), np.array([c.right for c in usable]))
    weights = tuple(round(float(v), 3) for v in (model.intercept_[0], *model.coef_[0]))

    def key(rule: ScopeRule) -> tuple:
        figures = scope_figures(cases, rule)
        false = figures["out_of_scope_false_answers"] or 0.0
        return (false <= MAX_FALSE_ANSWERS, figures["in_scope_right_document"] or 0.0, -false)

    return max((ScopeRule(weights, t, v, fitted_on=fitted_on) for t in THRESHOLDS for v in VETOES), key=key)


def answerer_figures(answerer) -> None:
    """Fact accuracy, right document, the fact shown when the document is right, and out-of-scope false answers of
    the answerer on each tuning split, each question read in Simplified as the knowledge service hands it over."""
    for split in TUNING_SPLITS:
        replies = [(row, answerer.answer(to_simplified(row["question"]))) for row in read_rows(FACTS, split)]
        right = [a.decision == "answer" and a.doc_id == row["doc_id"] for row, a in replies]
        hits = [squash(row["fact"]) in squash(a.text) for row, a in replies]
        outside = [
            answerer.answer(to_simplified(r["question"])).decision == "answer" for r in read_rows(OUT_OF_SCOPE, split)
        ]
        figures = {
            "fact_accuracy": share(hits),
            "right_document": share(right),
            "fact_given_right_document": share([h for h, r in zip(hits, right, strict=True) if r]),
            "out_of_scope_false_answers": share(outside),
        }
        print(split, figures)


def _in_process(fit: bool, probes: Path | None, answers: bool = False) -> None:
    from govbot.answering.answerer import Answerer
    from govbot.components import make_searcher

    settings = get_settings()
    answerer = Answerer(
        make_searcher(settings=settings), settings.scope_rule, services=load_catalogue(settings.service_catalogue)
    )
    if answers:
        answerer.warm_up()
        answerer_figures(answerer)
        return
    if probes:
        global OUT_OF_SCOPE
        OUT_OF_SCOPE = probes
    cases = dev_cases(answerer)
    print("dev, configured rule", settings.scope_rule, scope_figures(cases, settings.scope_rule))
    if fit:
        weights, policy = answerer.searcher.calibrated(answerer.searcher.data()[1])
        rule = fit_rule(cases, (weights.bm25, weights.bm25_saturation, policy.center, policy.scale))
        print("dev, fitted rule", rule, scope_figures(cases, rule))
    for case in cases:
        if answered(case, settings.scope_rule) != case.right:
            rounded = [round(v, 2) for v in case.features.vector()] if case.features else None
            print("  ✗", case.kind, case.question, case.top, case.decision, rounded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev", action="store_true", help="measure the scope decision in-process on dev")
    parser.add_argument("--fit", action="store_true", help="also fit the scope rule on dev")
    parser.add_argument("--probes", type=Path, help="out-of-scope questions to use instead of the dev split")
    parser.add_argument("--answers", action="store_true", help="measure the answerer in-process on the tuning splits")
    args = parser.parse_args()
    if args.dev or args.fit or args.answers:
        _in_process(args.fit, args.probes, args.answers)
        return
    from tests.stack import temporary_stack

    settings = get_settings()
    report = Report()
    with temporary_stack(settings.index_dir) as stack:
        run(report, stack)
    report.save(settings.var_dir / "bench" / "answers.json")


if __name__ == "__main__":
    main()
