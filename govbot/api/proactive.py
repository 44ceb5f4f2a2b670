"""Proactive service endpoints the dialogue calls: policy matching and subscriptions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import Field, StrictStr, constr

from govbot.api.models import RequestModel
from govbot.api.responses import INTERNAL
from govbot.matching.matcher import match_policies
from govbot.matching.profile import Profile
from govbot.matching.report import MAX_LISTED, compose
from govbot.security.internal_token import require_internal
from govbot.storage import subscriptions
from knowledge.schema import TOPICS

router = APIRouter(tags=["proactive"], dependencies=[Depends(require_internal)], responses=INTERNAL)
VOICE_CHANNELS = ("plaintext",)


class MatchRequest(RequestModel):
    answers: dict = Field(default_factory=dict)
    channel: StrictStr = Field("rest", max_length=32)


class SubscriptionRequest(RequestModel):
    sender: StrictStr = Field(..., min_length=1, max_length=200)
    channel: StrictStr = Field("rest", max_length=32)
    topics: list[constr(strict=True, max_length=20)] = Field(default_factory=list, max_items=20)


@router.post("/match")
def match(request: Request, body: MatchRequest) -> dict:
    """Policies the profile qualifies for (with reasons), near misses, and the reply text."""
    _, data = request.app.state.searcher.data()
    records = data.documents
    profile = Profile.from_answers(body.answers)
    matches, near = match_policies(profile, list(records.values()))
    return {
        "text": compose(matches, near, records, short=body.channel in VOICE_CHANNELS),
        "matches": [m.to_dict() for m in matches],
        "near_misses": [m.to_dict() for m in near],
        "options": [{"doc_id": m.doc_id, "title": m.title} for m in matches[:MAX_LISTED]],
    }


@router.post("/subscriptions")
async def subscribe(request: Request, body: SubscriptionRequest) -> dict:
    topics = [t for t in body.topics if t in TOPICS or t == "全部"] or ["全部"]
    url = request.app.state.settings.database_url
    subscription_id = await run_in_threadpool(subscriptions.subscribe, url, body.sender, body.channel, topics)
    return {"id": subscription_id, "topics": topics}


@router.post("/subscriptions/cancel")
async def unsubscribe(request: Request, body: SubscriptionRequest) -> dict:
    url = request.app.state.settings.database_url
    return {"cancelled": await run_in_threadpool(subscriptions.unsubscribe, url, body.sender)}
