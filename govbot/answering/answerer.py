"""Answer a citizen's question from the knowledge base: a section of the best document, a clarifying
choice between close documents, or an honest fallback. Never text that is not in a document."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from govbot.answering.answerability import PERSONAL_CASE, Answerability, ScopeRule, Verdict, policy_like
from govbot.answering.citation import source_line
from govbot.answering.section_cues import cued_sections, strip_cues
from index.confidence import ANSWER, CLARIFY, FALLBACK
from index.searcher import Searcher, SearchResponse
from knowledge.document import INTRO_SECTION

NO_TOPIC = "no_topic"
MAX_OPTIONS = 3
TOPIC_SWITCH_CONFIDENCE = 0.8
LOW_CONFIDENCE = "low_confidence"


@dataclass
class Answer:
    """What the assistant should say, with the facts a channel needs to render it."""

    decision: str
    text: str = ""
    doc_id: str | None = None
    title: str | None = None
    section: str | None = None
    source: str | None = None
    source_url: str | None = None
    confidence: float = 0.0
    options: list[dict[str, str]] = field(default_factory=list)
    related: list[dict[str, str]] = field(default_factory=list)
    missing_subject: str | None = None  # a decline: what the knowledge base does not cover, by name
    reason: str | None = None  # a decline: not_covered, personal_case or low_confidence

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Answerer:
    """Composes answers from a :class:`Searcher`'s served snapshot."""

    def __init__(self, searcher: Searcher, scope_rule: ScopeRule | None = None):
        self.searcher = searcher
        self.scope = Answerability(searcher.tokenizer, scope_rule)

    def answer(
        self, question: str, current_doc: str | None = None, followup: bool = False, doc_id: str | None = None
    ) -> Answer:
        """Answer ``question``; ``doc_id`` forces a document (a clarification choice), ``current_doc`` is the
        conversation's topic used by follow-ups."""
        if doc_id:
            return self._from_document(doc_id, question)
        bare = len(strip_cues(question)) < 2  # "那要多少钱？" names no service: nothing to search for
        if followup and bare:
            if current_doc:
                return self._from_document(current_doc, question)
            return Answer(decision=NO_TOPIC, text="请问您想了解哪一项服务？比如：身份证办理、公积金提取、社保卡补办。")
        response = self.searcher.search(question, top_k=MAX_OPTIONS + 2)
        if followup and current_doc and not self._names_other_topic(response, current_doc):
            return self._from_document(current_doc, question)
        return self._from_response(question, response)

    @staticmethod
    def _names_other_topic(response: SearchResponse, current_doc: str) -> bool:
        """A follow-up like "那护照要多少钱" names a new service: switch when search is sure of it."""
        if not response.results:
            return False
        top = response.results[0]
        return top.doc_id != current_doc and response.decision == ANSWER and top.confidence >= TOPIC_SWITCH_CONFIDENCE

    def _from_response(self, question: str, response: SearchResponse) -> Answer:
        results = response.results
        verdict = self._scope_verdict(question, response)
        if not verdict.answerable:
            return self._decline(question, response, verdict)
        if response.decision == ANSWER:
            return self._from_document(results[0].doc_id, question, results[0].confidence)
        floor = self.searcher.policy.fallback_below
        options = [{"doc_id": r.doc_id, "title": r.title} for r in results if r.confidence >= floor][:MAX_OPTIONS]
        if response.decision == CLARIFY and len(options) >= 2:
            listing = " ".join(f"{i}. {o['title']}" for i, o in enumerate(options, start=1))
            return Answer(
                decision=CLARIFY,
                text=f"您想了解的是：{listing}",
                options=options,
                confidence=response.confidence,
            )
        if response.decision == CLARIFY and options:
            return self._from_document(options[0]["doc_id"], question, response.confidence)
        return self._decline(question, response, Verdict(False, LOW_CONFIDENCE, verdict.missing_subject))

    def _scope_verdict(self, question: str, response: SearchResponse) -> Verdict:
        """Whether the best document covers what was asked (see :mod:`govbot.answering.answerability`)."""
        if not response.results:
            return Verdict(True, LOW_CONFIDENCE, self.scope.subject(question))  # declined below, naming the subject
        version, data = self.searcher.data()
        top = response.results[0]
        return self.scope.judge(question, data.documents[top.doc_id], top.confidence, version)

    @staticmethod
    def _decline(question: str, response: SearchResponse, verdict: Verdict) -> Answer:
        """Say what was not found, by name, offer the closest services, 12345 and a person."""
        closest = [{"doc_id": r.doc_id, "title": r.title} for r in response.results[:MAX_OPTIONS]]
        if verdict.reason == PERSONAL_CASE:
            text = "您问的是您本人办件的进度或结果，需要工作人员查询后答复。"
        elif verdict.missing_subject:
            kind = "政策" if policy_like(question) else "办事指南"
            text = f"抱歉，没有找到关于「{verdict.missing_subject}」的{kind}，不想给您错误的信息。"
        else:
            text = "抱歉，我没有找到可靠的答案，不想给您错误的信息。"
        if closest:
            text += "您可以看看这些是否相关：" + "；".join(o["title"] for o in closest) + "。"
        text += "也可以拨打 12345 政务服务便民热线，或回复“转人工”由工作人员为您解答。"
        return Answer(
            decision=FALLBACK,
            text=text,
            options=closest,
            confidence=response.confidence,
            missing_subject=verdict.missing_subject,
            reason=verdict.reason,
        )

    def _from_document(self, doc_id: str, question: str, confidence: float = 1.0) -> Answer:
        """The section the question asks about; with no such cue, the overview (else the best-matching section)."""
        _, data = self.searcher.data()
        record = data.documents.get(doc_id)
        if record is None:
            return Answer(decision=FALLBACK, text="抱歉，这项服务的资料暂时无法查看，请拨打 12345 咨询。")
        sections = {s["heading"]: s["text"] for s in record["sections"]}
        wanted = [s for s in cued_sections(question) if s in sections]
        if wanted:
            heading = wanted[0]
        elif sections.get(INTRO_SECTION, "").strip():
            heading = INTRO_SECTION
        else:
            heading = self.searcher.best_section(question, doc_id) or next(iter(sections))
        source = source_line(record)
        text = f"【{record['title']}】{heading}：\n{sections[heading]}\n\n{source}"
        related = [
            {"doc_id": r, "title": data.documents[r]["title"], "audience": data.documents[r]["audience"]}
            for r in record.get("related", [])
            if r in data.documents
        ]
        return Answer(
            decision=ANSWER,
            text=text,
            doc_id=doc_id,
            title=record["title"],
            section=heading,
            source=source,
            source_url=record.get("source_url"),
            confidence=confidence,
            related=related,
        )
