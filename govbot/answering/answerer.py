"""Answer a citizen's question from the knowledge base: the passages of the best document that answer it, a
clarifying choice between close documents, or an honest fallback. Never text that is not in a document.

An :class:`Answer` is structure (passages, source, options, other sections); every user-visible string is a
field, so a later step can convert the script, and channels render from the data. ``text`` is a plain rendering
for clients that only show text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from govbot.answering.answerability import (
    COVERED,
    MATERIAL,
    NOT_COVERED,
    PERSONAL_CASE,
    SUBJECT,
    Answerability,
    ScopeRule,
    Verdict,
    personal_case,
    policy_like,
)
from govbot.answering.citation import source_of
from govbot.answering.event_choice import event_fits, leads_everything, named_instead, planned_event
from govbot.answering.event_cues import asks_one_fact
from govbot.answering.passage_choice import asked_section, choose_passages
from govbot.answering.section_cues import strip_cues
from govbot.events.plan import EVENT, build_plan, scope_record  # EVENT is also the decision of a plan answer
from index.colloquial import standard_words
from index.confidence import ANSWER, CLARIFY, FALLBACK
from index.filters import SearchFilters
from index.searcher import IndexNotReady, Searcher, SearchResponse, SearchResult
from knowledge.document import INTRO_SECTION
from knowledge.service_catalogue import CatalogueEntry, load_catalogue

NO_TOPIC = "no_topic"
MAX_OPTIONS = 3
TOPIC_SWITCH_CONFIDENCE = 0.8
WHAT_ABOUT = re.compile(r"^(?:那|那么|那要是)?(.{2,12}?)(?:呢|怎么样|咋样|怎么办|咋办)[？?。]?$")  # "那医保卡呢"
EVERYTHING_DEPTH = 8  # results of the search over every document that a life event is weighed against
SPECIFIC_CHARS = 5  # a question this long without its cue words says more than a topic
RESOLVE_MARGIN = 0.02  # fused-score gap under which the scope model may pick between the two best documents
PASSAGE_EVIDENCE_MARGIN = 0.01  # by which the second's passage evidence must exceed the first's to come first
LOW_CONFIDENCE = "low_confidence"
NOT_AN_EVENT = "not_an_event"  # an events-only search for a question that is one service's
PASSAGE_BUDGET = 300  # characters of passage text in a reply
SECTION_BUDGET = 600  # characters of a whole section shown on request
ASK_WHICH_SERVICE = "请问您想了解哪一项服务？比如：身份证办理、公积金提取、社保卡补办。"
ASK_WHICH_DOCUMENT = "您想了解的是哪一项？"
NOT_FOUND = "抱歉，我没有找到可靠的答案，不想给您错误的信息。"
SEE_ALSO = "您可以看看这些是否相关："
HOTLINE = "也可以拨打 12345 政务服务便民热线，或回复“转人工”由工作人员为您解答。"
UNAVAILABLE = "抱歉，这项服务的资料暂时无法查看，请拨打 12345 咨询。"
PERSONAL = "您问的是您本人办件的进度或结果，需要工作人员查询后答复。"


@dataclass
class Answer:
    """What the assistant should say, as data a channel renders.

    ``passages`` are ``{"section", "text", "truncated"}`` in reading order; ``sections`` the document's other
    section headings (offered as choices); ``source`` the citation fields plus its one-line ``text``;
    ``message`` the sentence that leads a clarification, fallback or topic question.
    """

    decision: str
    doc_id: str | None = None
    title: str | None = None
    passages: list[dict[str, Any]] = field(default_factory=list)
    source: dict[str, Any] | None = None
    sections: list[str] = field(default_factory=list)
    message: str = ""
    confidence: float = 0.0
    options: list[dict[str, str]] = field(default_factory=list)
    related: list[dict[str, Any]] = field(default_factory=list)
    missing_subject: str | None = None  # a decline: what the knowledge base does not cover, by name
    reason: str | None = None  # a decline: not_covered, personal_case or low_confidence
    event: dict[str, Any] | None = None  # a life event's plan (decision "event"), see govbot.events.plan

    @property
    def section(self) -> str | None:
        """The heading of the first passage shown (recorded for analytics)."""
        return self.passages[0]["section"] if self.passages else None

    @property
    def text(self) -> str:
        """A plain-text rendering for clients that cannot render the structure."""
        if self.decision == EVENT and self.event:
            steps = "；".join(f"{s['number']}. {s['title']}" for s in self.event["steps"])
            source = f"\n\n{self.source['text']}" if self.source else ""
            return f"【{self.title}】{self.event['summary']}\n{steps}\n办理时间：{self.event['total_time']}{source}"
        if self.decision != ANSWER:
            listing = " ".join(f"{i}. {o['title']}" for i, o in enumerate(self.options, start=1))
            return f"{self.message}{listing}" if self.decision == CLARIFY else self.message
        lines = []
        for i, passage in enumerate(self.passages):
            heading = "" if i and passage["section"] == self.passages[i - 1]["section"] else f"{passage['section']}：\n"
            lines.append(("" if i else f"【{self.title}】") + heading + passage["text"])
        source = f"\n\n{self.source['text']}" if self.source else ""
        return "\n".join(lines) + source

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "section": self.section, "text": self.text}


class Answerer:
    """Composes answers from a :class:`Searcher`'s served snapshot."""

    def __init__(
        self,
        searcher: Searcher,
        scope_rule: ScopeRule | None = None,
        event_confidence: float = 0.4,
        services: Iterable[CatalogueEntry] | None = None,
    ):
        """``services``: the city's service catalogue (by default knowledge/service_catalogue.tsv)."""
        self.searcher = searcher
        catalogue = load_catalogue() if services is None else services
        self.scope = Answerability(searcher.tokenizer, scope_rule, self._catalogue, catalogue, searcher.embedder)
        self.event_confidence = event_confidence

    def warm_up(self) -> None:
        """Embed what the scope check compares questions with (the catalogue, the served documents' names) now."""
        try:
            _, data = self.searcher.data()
        except IndexNotReady:
            self.scope.warm_up()  # the first index is still being built: its documents' names come as asked
            return
        self.scope.warm_up(data.documents.values())

    def _read(self, text: str) -> str:
        """A citizen's words as every check reads them: dialect words standardised, homophone typos corrected."""
        return self.searcher.correct(standard_words(text))

    def _catalogue(self) -> tuple[str, dict[str, dict[str, Any]]]:
        """The served snapshot's version and documents."""
        version, data = self.searcher.data()
        return version, data.documents

    def answer(
        self,
        question: str,
        current_doc: str | None = None,
        followup: bool = False,
        doc_id: str | None = None,
        section: str | None = None,
        query_vector: np.ndarray | None = None,
        kinds: tuple[str, ...] | None = None,
        previous: str | None = None,
    ) -> Answer:
        """Answer ``question``; ``doc_id`` forces a document (a clarification choice) and ``section`` one of its
        sections (a section choice); ``current_doc`` is the conversation's topic used by follow-ups; ``kinds``
        restricts the search to these document types (``("event",)`` for a life-event question); ``previous`` is
        the conversation's question before this one, which "那医保卡呢" asks again about another service (whether
        or not the dialogue took it for a follow-up).

        The question is embedded at most once: ``query_vector`` (the embedding of its cleaned text, e.g. the
        NLU's) when given, else by the search, whose vector then also chooses the passages."""
        if (corrected := self._read(question)) != question:
            question, query_vector = corrected, None  # "低宝" is 低保 and "啥" 什么 for every check below
        if doc_id:
            return self._from_document(doc_id, question, section=section, vector=query_vector)
        if current_doc and current_doc not in self.searcher.data()[1].documents:
            current_doc = None  # the topic's document was withdrawn since: the question is read afresh
        if current_doc and previous and (other := self._what_about_another(question, current_doc)):
            question, query_vector, followup = self._asked_again(previous, other, current_doc), None, False
        bare = len(strip_cues(question)) < 2  # "那要多少钱？" names no service: nothing to search for
        if followup and bare:
            if current_doc:
                return self._on_topic(current_doc, question)
            return Answer(decision=NO_TOPIC, message=ASK_WHICH_SERVICE)
        if kinds == (EVENT,):
            return self._event_answer(question, query_vector)
        filters = SearchFilters(doc_types=tuple(kinds)) if kinds else None
        response = self.searcher.search(question, top_k=MAX_OPTIONS + 2, filters=filters, query_vector=query_vector)
        if (
            followup
            and current_doc
            and not self._names_other_topic(question, response, current_doc)
            and not self._what_about_another(question, current_doc)
        ):
            return self._on_topic(current_doc, question, response)
        if not kinds and any(r.type == EVENT for r in response.results[:2]) and asks_one_fact(question):
            response = self._without_events(question, response)  # nor is a plan one of two to choose from
        floor = self.searcher.policy.fallback_below
        if not kinds and not personal_case(question) and (event_id := planned_event(question, response, floor)):
            _, data = self.searcher.data()
            named = named_instead(question, data.documents, [r for r in response.results if r.type == EVENT])
            event_id = named.doc_id if named else event_id  # "奶茶店要结业" names closing, not opening, a shop
            first = [r for r in response.results if r.doc_id == event_id]
            planned = replace(response, results=first + [r for r in response.results if r.doc_id != event_id])
            if self._scope_verdict(question, planned).answerable:
                return self._from_document(event_id, question, planned.confidence)
        return self._from_response(question, response)

    def _event_answer(self, question: str, query_vector: np.ndarray | None) -> Answer:
        """A life-event question (the dialogue's NLU says so): the event its words point to, or a fallback
        without options when the question is one service's (see :mod:`govbot.answering.event_choice`), names a
        service in full that none of the event's steps holds ("转学" is no step of a birth) or asks for an
        operation none of them mentions ("营业执照丢了怎么补办" is no step of closing a shop)."""
        filters = SearchFilters(doc_types=(EVENT,))
        events = self.searcher.search(question, top_k=MAX_OPTIONS + 2, filters=filters, query_vector=query_vector)
        everything = self.searcher.search(question, top_k=EVERYTHING_DEPTH, query_vector=events.vector)
        version, data = self.searcher.data()
        named = named_instead(question, data.documents, events.results)
        chosen = named or (events.results[0] if events.results else None)
        steps = scope_record(data.documents, chosen.doc_id) if chosen else None
        if chosen and (
            not event_fits(question, chosen.doc_id, everything)
            or self.scope.lacks_named_service(question, steps, version)
            or self.scope.lacks_operation(question, steps, version)
            or self._asks_another_service(question, chosen.doc_id, everything)
        ):
            return Answer(decision=FALLBACK, message=NOT_FOUND, reason=NOT_AN_EVENT, confidence=events.confidence)
        if named and not personal_case(question):
            return self._from_document(named.doc_id, question, named.confidence)
        answer = self._from_response(question, events)
        if answer.reason == NOT_COVERED and leads_everything(data.documents, events.results[0].doc_id, everything):
            return self._from_document(events.results[0].doc_id, question, events.confidence)
        return answer

    def _asks_another_service(self, question: str, event_id: str, everything: SearchResponse) -> bool:
        """The best document of all is a guide listing a service the question asks about and the event's steps
        do not: the question is that guide's (see ``Answerability.asks_leaders_service``)."""
        if not everything.results or everything.results[0].type == EVENT:
            return False
        version, data = self.searcher.data()
        leader = data.documents[everything.results[0].doc_id]
        return self.scope.asks_leaders_service(question, scope_record(data.documents, event_id), leader, version)

    def _without_events(self, question: str, response: SearchResponse) -> SearchResponse:
        """The search again without life events: a question asking one fact is a service's, not a plan's."""
        _, data = self.searcher.data()
        kinds = tuple(sorted({r["type"] for r in data.documents.values()} - {EVENT}))
        return self.searcher.search(
            question,
            top_k=MAX_OPTIONS + 2,
            filters=SearchFilters(doc_types=kinds),
            query_vector=response.vector,
        )

    def overview(self, doc_id: str) -> Answer:
        """A document's answer without a question: its overview (or first section) and the other sections."""
        return self._from_document(doc_id, "")

    def _on_topic(self, doc_id: str, question: str, response: SearchResponse | None = None) -> Answer:
        """A follow-up on the conversation's topic: declined when it names a service without a guide or an
        operation the document lacks, or is a personal case ("临时救助呢" after 低保); else answered from the
        topic's passages, chosen with the question read in the topic ("一个月多少钱" of 低保 asks the amount)."""
        version, data = self.searcher.data()
        record = data.documents.get(doc_id)
        if record is None or record["type"] == EVENT:
            return self._from_document(doc_id, question)
        if (verdict := self.scope.judge_named(question, record, version)) is not None:
            return self._decline(question, response or SearchResponse(query=question), verdict)
        return self._from_document(doc_id, question, topic=record["title"])

    def _what_about_another(self, question: str, doc_id: str) -> str | None:
        """ "那医保卡呢" after the ID card: the same question about another service (a catalogue name, or a title,
        alias or keyword) that the topic's document never mentions, so a question of its own; that service's
        name, else None."""
        match = WHAT_ABOUT.match(question.strip())
        if not match or not self.scope.names_service(match.group(1)):
            return None
        version, data = self.searcher.data()
        record = data.documents.get(doc_id)
        terms = self.scope.extractor.terms(match.group(1))
        if record is None or not terms:
            return None
        _, whole = self.scope.texts_of(version, record)
        return None if any(self.scope.holds(term, whole) for term in terms) else match.group(1)

    def _asked_again(self, previous: str, other: str, doc_id: str) -> str:
        """The previous question about ``other`` instead of the topic: its longest salient words that the topic's
        title, aliases or keywords hold replaced ("身份证遗失了怎么补办" + 医保卡 → "医保卡遗失了怎么补办");
        ``other`` alone when it names the topic in none."""
        text = self._read(previous).lower()
        version, data = self.searcher.data()
        head, _ = self.scope.texts_of(version, data.documents[doc_id])
        held = [term.word for term in self.scope.extractor.terms(text) if self.scope.holds(term, head)]
        return text.replace(max(held, key=len), other, 1) if held else other

    def _names_other_topic(self, question: str, response: SearchResponse, current_doc: str) -> bool:
        """A follow-up like "那护照要多少钱" names a new service: switch when search is sure of it, or when the
        best document lists in its head a catalogue service the question asks about (not one to bring) and the
        current document does not ("落户要啥条件" after the residence permit)."""
        if not response.results or response.decision != ANSWER:
            return False
        top = response.results[0]
        if top.doc_id == current_doc:
            return False
        if top.confidence >= TOPIC_SWITCH_CONFIDENCE:
            return True
        version, data = self.searcher.data()
        current = data.documents.get(current_doc)
        return current is not None and self.scope.asks_leaders_service(
            question, current, data.documents[top.doc_id], version
        )

    def _decide(self, question: str, response: SearchResponse) -> str:
        """Whether to answer, ask which document, or fall back, given the search response. An event ranked
        above every guide with at least :attr:`event_confidence`, whose situation the scope check found covered,
        is answered with its plan: a situation is not one of several services to choose from. A document the
        ranking is too unsure of is answered from when the question asks about its service by a catalogue name
        (the scope check found it covered before)."""
        version, data = self.searcher.data()
        top = response.results[0] if response.results else None
        if top and data.documents[top.doc_id]["type"] == EVENT and top.confidence >= self.event_confidence:
            return ANSWER
        if (
            top
            and response.decision == FALLBACK
            and self.scope.service_role(question, data.documents[top.doc_id], version) == SUBJECT
        ):
            return ANSWER  # "收入多了低保是不是马上停": a faint ranking, but the question names the guide's service
        return response.decision

    def _from_response(self, question: str, response: SearchResponse) -> Answer:
        near_tie = response.decision == CLARIFY
        response = self._resolved(question, response)
        results = response.results
        verdict = self._scope_verdict(question, response)
        if not verdict.answerable:
            return self._decline(question, response, verdict)
        decision = self._decide(question, response)
        floor = self.searcher.policy.fallback_below
        options = [{"doc_id": r.doc_id, "title": r.title} for r in results if r.confidence >= floor][:MAX_OPTIONS]
        if near_tie and len(options) >= 2 and (decision == ANSWER or self._specific(question)):
            return self._with_runner_up(results[0], results[1], question, response)
        if decision == ANSWER:
            return self._from_document(results[0].doc_id, question, results[0].confidence, vector=response.vector)
        if decision == CLARIFY and len(options) >= 2:
            return Answer(decision=CLARIFY, message=ASK_WHICH_DOCUMENT, options=options, confidence=response.confidence)
        if decision == CLARIFY and options:
            return self._from_document(options[0]["doc_id"], question, response.confidence, vector=response.vector)
        return self._decline(question, response, Verdict(False, LOW_CONFIDENCE, verdict.missing_subject))

    @staticmethod
    def _specific(question: str) -> bool:
        """A question that says more than a topic ("高企认定每年啥时候报", not "公积金"): two documents ranked
        as a near tie for it are answered from the first, which is nearly always the one asked about."""
        return asks_one_fact(question) or len(strip_cues(question)) >= SPECIFIC_CHARS

    def _with_runner_up(
        self, first: SearchResult, second: SearchResult, question: str, response: SearchResponse
    ) -> Answer:
        """The first document's answer, offering the near-tied second first among the related documents."""
        answer = self._from_document(first.doc_id, question, first.confidence, vector=response.vector)
        _, data = self.searcher.data()
        record = data.documents[second.doc_id]
        runner_up = {"doc_id": second.doc_id, "title": record["title"], "audience": record["audience"]}
        answer.related = [runner_up, *(r for r in answer.related if r["doc_id"] != second.doc_id)]
        return answer

    def _scope_verdict(self, question: str, response: SearchResponse) -> Verdict:
        """Whether the best document covers what was asked (see :mod:`govbot.answering.answerability`)."""
        if not response.results:
            return Verdict(True, LOW_CONFIDENCE, self.scope.subject(question))  # declined below, naming the subject
        version, data = self.searcher.data()
        top = response.results[0]
        record = data.documents[top.doc_id]
        if record["type"] == EVENT:
            record = scope_record(data.documents, top.doc_id)
            sure = top.confidence >= self.event_confidence and not personal_case(question)
            if sure and not self.scope.lacks_operation(question, record, version):
                return Verdict(True, COVERED)  # a situation ("刚被裁员") is told in words no document uses
        verdict = self.scope.judge(question, record, top.confidence, version)
        described = verdict.answerable and top.type != EVENT and response.vector is not None
        if described and (unheld := self.scope.described_unheld_service(question, response.vector, record, version)):
            return Verdict(False, NOT_COVERED, unheld.name, verdict.probability)  # 开农资店卖农药: 农药经营许可
        return verdict

    def _resolved(self, question: str, response: SearchResponse) -> SearchResponse:
        """Two documents ranked within :data:`RESOLVE_MARGIN`: the one whose service the question asks about
        while it names the other's only as something to bring or already had (``Answerability.service_role``), or
        else the one whose terms the question singles out (see ``ScopeRule.resolves``), is answered from, first;
        otherwise the ranking's decision stands, the two ordered by passage evidence (:meth:`_passage_evidence`).
        Two life events are left in their order, and an event beside a guide: the scope model judges a service's
        terms, not a situation's."""
        results = response.results
        if len(results) < 2 or results[0].score - results[1].score >= RESOLVE_MARGIN or personal_case(question):
            return response
        if results[0].type == results[1].type == EVENT:
            return response
        version, data = self.searcher.data()
        roles = [self.scope.service_role(question, data.documents[r.doc_id], version) for r in results[:2]]
        if roles == [MATERIAL, SUBJECT]:  # "上户口还要交结婚证吗" asks about 上户口, not the marriage licence
            return replace(response, results=[results[1], results[0], *results[2:]], decision=ANSWER)
        first, second = (
            self.scope.probability(question, data.documents[r.doc_id], r.confidence, version) for r in results[:2]
        )
        if self.scope.rule.resolves(second, first) and roles[1] != MATERIAL:
            return replace(response, results=[results[1], results[0], *results[2:]], decision=ANSWER)
        if response.decision == CLARIFY and self.scope.rule.resolves(first, second):
            return replace(response, decision=ANSWER)
        if EVENT in (results[0].type, results[1].type):
            return response  # a plan's text is no passage to weigh against a guide's
        evidence = [self._passage_evidence(question, r, response) for r in results[:2]]
        if evidence[1] > evidence[0] + PASSAGE_EVIDENCE_MARGIN:
            return replace(response, results=[results[1], results[0], *results[2:]])
        return response

    def _passage_evidence(self, question: str, result: SearchResult, response: SearchResponse) -> float:
        """A document's ranking score plus the cosine of its best passage: of two documents too close to call by
        their best sections, the one holding a passage nearer the question comes first ("那个科技资质，创新能力评价
        得多少分才够" is the recognition guide's, not the R&D deduction policy's)."""
        matches = self.searcher.score_passages(question, result.doc_id, query_vector=response.vector)
        return result.score + max((m.dense for m in matches), default=0.0)

    @staticmethod
    def _decline(question: str, response: SearchResponse, verdict: Verdict) -> Answer:
        """Say what was not found, by name, offer the closest services, 12345 and a person."""
        closest = [{"doc_id": r.doc_id, "title": r.title} for r in response.results[:MAX_OPTIONS]]
        if verdict.reason == PERSONAL_CASE:
            message = PERSONAL
        elif verdict.missing_subject:
            kind = "政策" if policy_like(question) else "办事指南"
            message = f"抱歉，没有找到关于「{verdict.missing_subject}」的{kind}，不想给您错误的信息。"
        else:
            message = NOT_FOUND
        if closest:
            message += SEE_ALSO + "；".join(o["title"] for o in closest) + "。"
        return Answer(
            decision=FALLBACK,
            message=message + HOTLINE,
            options=closest,
            confidence=response.confidence,
            missing_subject=verdict.missing_subject,
            reason=verdict.reason,
        )

    def _from_document(
        self,
        doc_id: str,
        question: str,
        confidence: float = 1.0,
        section: str | None = None,
        vector: np.ndarray | None = None,
        topic: str = "",
    ) -> Answer:
        """The passages that answer the question; a whole section (capped) when it is asked for by name.

        ``vector`` is the question's embedding when already computed; ``topic`` the conversation's topic that a
        follow-up leaves unsaid (the document's title), read with the question when choosing passages."""
        _, data = self.searcher.data()
        record = data.documents.get(doc_id)
        if record is None:
            return Answer(decision=FALLBACK, message=UNAVAILABLE)
        if record["type"] == EVENT:
            return self._event(data.documents, doc_id, confidence)
        sections = {s["heading"]: s["text"] for s in record["sections"] if s["text"].strip()}
        if section in sections:
            passages = [_capped(section, sections[section], SECTION_BUDGET)]
        elif heading := asked_section(question, list(sections)):
            passages = [_capped(heading, sections[heading], PASSAGE_BUDGET)]
        else:
            passages = self._passages(doc_id, question, sections, vector, topic)
        shown = {p["section"] for p in passages if not p["truncated"]}
        related = [
            {"doc_id": r, "title": data.documents[r]["title"], "audience": data.documents[r]["audience"]}
            for r in record.get("related", [])
            if r in data.documents
        ]
        return Answer(
            decision=ANSWER,
            doc_id=doc_id,
            title=record["title"],
            passages=passages,
            source=source_of(record),
            sections=[h for h in sections if h not in shown and h != INTRO_SECTION],
            confidence=confidence,
            related=related,
        )

    @staticmethod
    def _event(documents: dict[str, dict[str, Any]], event_id: str, confidence: float) -> Answer:
        """A life event's plan, with no condition answered yet."""
        plan = build_plan(documents, event_id)
        return Answer(
            decision=EVENT,
            doc_id=event_id,
            title=plan["title"],
            source=plan["source"],
            confidence=confidence,
            event=plan,
        )

    def _passages(
        self, doc_id: str, question: str, sections: dict[str, str], vector: np.ndarray | None, topic: str = ""
    ) -> list[dict[str, Any]]:
        """The passages chosen by content; the overview (or first section) when the snapshot has no passages."""
        matches = self.searcher.score_passages(question, doc_id, query_vector=vector, context=topic)
        chosen = choose_passages(question, matches, PASSAGE_BUDGET, topic=topic)
        if chosen:
            return [{"section": m.passage.section, "text": m.passage.text, "truncated": False} for m in chosen]
        heading = INTRO_SECTION if INTRO_SECTION in sections else next(iter(sections), "")
        return [_capped(heading, sections.get(heading, ""), PASSAGE_BUDGET)] if heading else []


def _capped(heading: str, text: str, budget: int) -> dict[str, Any]:
    """A section as one passage, cut at a line end (or the budget) when longer than ``budget``."""
    text = text.strip()
    if len(text) <= budget:
        return {"section": heading, "text": text, "truncated": False}
    cut = text.rfind("\n", 0, budget)
    cut = cut if cut > budget // 2 else budget
    return {"section": heading, "text": text[:cut].rstrip() + "…", "truncated": True}
