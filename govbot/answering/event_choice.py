"""Whether a life-event question means the event the events-only search found, or is one service's question
after all, judged against the search over every document.

A question that asks one fact of a service ranked above the event ("孩子出生了，上户口要带哪些材料") is that
service's question, even when it tells its situation; so is one that asks for no plan while another document is
far more confident than the event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govbot.answering.event_cues import asks_one_fact, wants_whole_plan
from govbot.events.plan import EVENT, expand_steps
from index.searcher import SearchResponse

OUTRANKED_MARGIN = 0.25  # a document this much more confident than the event, for a question not asking a plan


def event_fits(question: str, event_id: str, everything: SearchResponse) -> bool:
    """Whether the question is the event's rather than one service's: no other document ranks first while the
    question asks one fact, nor far above the event while it asks for no plan."""
    if not everything.results or everything.results[0].type == EVENT:
        return True
    top = everything.results[0]
    if asks_one_fact(question):
        return False
    own = next((r.confidence for r in everything.results if r.doc_id == event_id), 0.0)
    return wants_whole_plan(question) or top.confidence - own < OUTRANKED_MARGIN


def leads_everything(documents: Mapping[str, Mapping[str, Any]], event_id: str, everything: SearchResponse) -> bool:
    """Whether the event ranks first over every document but its own steps' guides: the situation's class
    matches the event even when its own words (砂锅粥, 贸易公司) are in no document."""
    steps = {step["guide"] for step in expand_steps(documents, event_id)}
    first = next((r.doc_id for r in everything.results if r.doc_id not in steps), None)
    return first == event_id
