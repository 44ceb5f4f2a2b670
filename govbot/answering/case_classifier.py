"""A learned reading of personal cases, beside the patterns of :mod:`govbot.answering.personal_case`.

The patterns catch the shapes they were written from; a citizen who words a case another way ("俺们公司今年咋不在
稳岗返还名单里") escapes them. This model is a character n-gram logistic regression trained, at first use, on:

* ``personal_case_examples.tsv``: citizens' own cases (label ``personal_case``) and, as hard negatives, questions
  that sound alike but a guide answers (``general``: "我上个月生了孩子，户口怎么上", "材料交上去一般多久能办好");
* the dialogue's own training questions (``ask_question``, ``ask_life_event``), which guides and plans answer,
  and its requests to match or subscribe to policies ("帮我匹配一下政策"), which ask for no one's case.

Training takes well under a second and is deterministic, so every process (knowledge service, action server)
builds the same model from the repository's files, at its start (:func:`warm_up`). :data:`CASE_THRESHOLD` is
set on the dev splits of tests/data/out_of_scope_questions.tsv and fact_questions.tsv (none of their questions is
a training example).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from index.normalize import to_simplified

EXAMPLES = Path(__file__).with_name("personal_case_examples.tsv")
NLU_DIR = Path(__file__).resolve().parents[2] / "bot" / "data" / "nlu"
GENERAL_INTENTS = {
    "questions.yml": ("ask_question",),
    "life_events.yml": ("ask_life_event",),
    "policy_match.yml": ("request_policy_match", "subscribe_policy"),  # "帮我匹配一下政策" asks for no one's case
}
PERSONAL, GENERAL = "personal_case", "general"
CASE_THRESHOLD = 0.7  # the probability above which a message is one citizen's own case


def _examples() -> tuple[list[str], list[int]]:
    """Texts (Simplified) and labels (1 for a personal case) from the examples file and the NLU questions."""
    texts: list[str] = []
    labels: list[int] = []
    with EXAMPLES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            texts.append(to_simplified(row["question"]))
            labels.append(1 if row["label"] == PERSONAL else 0)
    for name, intents in GENERAL_INTENTS.items():
        data = yaml.safe_load((NLU_DIR / name).read_text(encoding="utf-8"))
        for block in data.get("nlu", []):
            if block.get("intent") not in intents:
                continue
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    texts.append(to_simplified(text))
                    labels.append(0)
    return texts, labels


@lru_cache(maxsize=1)
def _model() -> Pipeline:
    texts, labels = _examples()
    model = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000),
    )
    return model.fit(texts, labels)


def warm_up() -> None:
    """Train the model now (at a process's start) rather than on the first citizen's question."""
    _model()


def case_probability(question: str) -> float:
    """The model's probability that ``question`` (Simplified) asks about the asker's own case."""
    return float(_model().predict_proba([question])[0][1])


def reads_as_case(question: str) -> bool:
    """Whether the model takes ``question`` for one citizen's own case."""
    return case_probability(question) >= CASE_THRESHOLD
