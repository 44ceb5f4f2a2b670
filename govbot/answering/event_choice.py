"""Whether a life-event question means the event the events-only search found, or is one service's question
after all, judged against the search over every document.

A question that asks one fact ("孩子出生了，上户口要带哪些材料") is a service's question, even when it tells its
situation, unless the event is far ahead of every service; so is one that asks for no plan while a service is far
ahead of the event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govbot.answering.event_cues import asks_one_fact, wants_whole_plan
from govbot.events.plan import EVENT, expand_steps
from index.searcher import SearchResponse, SearchResult

OUTRANKED_MARGIN = 0.25  # a confidence gap between the event and the best other document that settles it
FAR_AHEAD_MARGIN = 0.5  # a service this far above the event is asked about even by a plan question


def _names_event(question: str, record: Mapping[str, Any]) -> bool:
    """The question holds the event's title, one of its aliases or keywords verbatim ("结业", "店不做了")."""
    names = [record.get("title") or "", *record.get("aliases", []), *record.get("keywords", [])]
    return any(len(name) >= 2 and name in question for name in names)


def named_instead(
    question: str, documents: Mapping[str, Mapping[str, Any]], events: list[SearchResult]
) -> SearchResult | None:
    """Events ranked close together ("小吃铺要结业" is near both opening and closing a food shop): when the question
    names no event of the first result verbatim, the first event within :data:`OUTRANKED_MARGIN` it does name."""
    if not events or _names_event(question, documents[events[0].doc_id]):
        return None
    close = (r for r in events[1:] if events[0].confidence - r.confidence < OUTRANKED_MARGIN)
    return next((r for r in close if _names_event(question, documents[r.doc_id])), None)


def event_fits(question: str, event_id: str, everything: SearchResponse) -> bool:
    """Whether the question is the event's rather than one service's. A question asking one fact needs the event
    clearly above every other document; one asking for no plan, no other document far above the event; one asking
    for a plan, no service that far above it ("开电子发票要准备啥" asks the invoice guide's materials)."""
    own = next((r.confidence for r in everything.results if r.doc_id == event_id), 0.0)
    other = next((r.confidence for r in everything.results if r.type != EVENT), 0.0)
    if asks_one_fact(question):
        return own - other >= OUTRANKED_MARGIN
    if wants_whole_plan(question):
        return other - own < FAR_AHEAD_MARGIN
    return other - own < OUTRANKED_MARGIN


def leads_everything(documents: Mapping[str, Mapping[str, Any]], event_id: str, everything: SearchResponse) -> bool:
    """Whether the event ranks first over every document but its own steps' guides: the situation's class
    matches the event even when its own words (砂锅粥, 贸易公司) are in no document."""
    steps = {step["guide"] for step in expand_steps(documents, event_id)}
    first = next((r.doc_id for r in everything.results if r.doc_id not in steps), None)
    return first == event_id


def planned_event(question: str, everything: SearchResponse, floor: float) -> str | None:
    """For a question asking a whole plan, not one fact: the best event at least ``floor`` confident and not far
    behind the first document ("闺女上个月出世，户口医保社保卡这些要怎么一起弄" ranks 出生登记 first)."""
    if not everything.results or asks_one_fact(question) or not wants_whole_plan(question):
        return None
    first = everything.results[0].confidence
    event = next((r for r in everything.results if r.type == EVENT), None)
    if event is None or event.confidence < floor or first - event.confidence >= OUTRANKED_MARGIN:
        return None
    return event.doc_id
