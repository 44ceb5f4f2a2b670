"""Endpoints the dialogue's custom actions call: answer, feedback and handoff tickets."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from govbot.answering.answerer import Answerer
from govbot.security.internal_token import require_internal
from govbot.storage.records import record_answer, record_feedback, record_ticket
from index.normalize import HANS, HANT, convert_visible, detect_script, reply_config, to_simplified
from index.query_text import QueryError
from index.searcher import IndexNotReady

router = APIRouter(tags=["conversation"], dependencies=[Depends(require_internal)])


class AnswerRequest(BaseModel):
    question: str = Field(..., max_length=10_000)
    sender: str = Field("anonymous", max_length=200)
    channel: str = Field("rest", max_length=32)
    current_doc: str | None = None
    followup: bool = False
    doc_id: str | None = None
    # The conversation's script so far ("hans"/"hant"), used when the question itself shows neither.
    script: str | None = Field(None, regex="^(hans|hant)$")
    section: str | None = Field(None, max_length=100)


class FeedbackRequest(BaseModel):
    sender: str = Field("anonymous", max_length=200)
    channel: str = Field("rest", max_length=32)
    question: str | None = Field(None, max_length=10_000)
    doc_id: str | None = None
    useful: bool


class TranscriptLine(BaseModel):
    role: str = Field(..., max_length=16)
    text: str = Field("", max_length=5_000)
    time: str = Field("", max_length=40)


class TicketRequest(BaseModel):
    sender: str = Field("anonymous", max_length=200)
    channel: str = Field("rest", max_length=32)
    transcript: list[TranscriptLine] = Field(default_factory=list, max_items=500)
    callback_number: str | None = Field(None, max_length=40)


@router.post("/answer")
async def answer(request: Request, body: AnswerRequest) -> dict:
    """The answer to a citizen's message as structure (see :class:`Answer`), recorded (masked) for analytics; in
    Traditional script when the citizen wrote in Traditional (``script`` says which)."""
    started = time.perf_counter()
    answerer: Answerer = request.app.state.answerer
    try:
        question = to_simplified(body.question)  # cue words, passages and scope checks all read Simplified
        result = await run_in_threadpool(
            answerer.answer, question, body.current_doc, body.followup, body.doc_id, body.section
        )
    except QueryError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    except IndexNotReady as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from None
    latency_ms = (time.perf_counter() - started) * 1000
    await run_in_threadpool(
        record_answer,
        request.app.state.settings.database_url,
        sender=body.sender,
        channel=body.channel,
        question=body.question,
        decision=result.decision,
        doc_id=result.doc_id,
        section=result.section,
        confidence=result.confidence,
        latency_ms=latency_ms,
    )
    script = detect_script(body.question, default=body.script or HANS)
    reply = result.to_dict()
    if script == HANT:
        reply = convert_visible(reply, reply_config(body.question))
    return {**reply, "script": script}


@router.post("/feedback")
async def feedback(request: Request, body: FeedbackRequest) -> dict:
    feedback_id = await run_in_threadpool(
        record_feedback,
        request.app.state.settings.database_url,
        sender=body.sender,
        channel=body.channel,
        question=body.question,
        doc_id=body.doc_id,
        rating=1 if body.useful else -1,
    )
    return {"id": feedback_id}


@router.post("/tickets")
async def ticket(request: Request, body: TicketRequest) -> dict:
    ticket_id = await run_in_threadpool(
        record_ticket,
        request.app.state.settings.database_url,
        sender=body.sender,
        channel=body.channel,
        transcript=[line.dict() for line in body.transcript],
        callback_number=body.callback_number,
    )
    return {"id": ticket_id}
