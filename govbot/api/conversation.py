"""Endpoints the dialogue's custom actions call: answer, feedback and handoff tickets."""

from __future__ import annotations

import time
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import Field, StrictBool, StrictStr

from govbot.answering.answerer import Answerer
from govbot.api.models import RequestModel
from govbot.api.responses import INTERNAL, errors
from govbot.security.internal_token import require_internal
from govbot.storage.records import record_answer, record_feedback, record_ticket
from index.normalize import HANS, HANT, convert_visible, detect_script, reply_config, to_simplified
from index.query_text import QueryError, clean_query
from index.query_vector import decode, vector_for
from index.searcher import IndexNotReady

router = APIRouter(tags=["conversation"], dependencies=[Depends(require_internal)], responses=INTERNAL)
MAX_LINES = 50  # as many as the handoff action sends
MAX_LINE_CHARS = 1_500  # the handoff action cuts longer lines


class QueryVector(RequestModel):
    """The NLU's embedding of the message (see :mod:`index.query_vector`); reused when it embeds the question."""

    text: StrictStr = Field(..., max_length=10_000)
    vector: StrictStr = Field(..., max_length=8_192)  # base64 float32: up to 1536 dimensions


class AnswerRequest(RequestModel):
    # minLength and pattern for the schema only: the answerer refuses a blank question with a specific sentence.
    question: StrictStr = Field(..., max_length=10_000, minLength=1, pattern=r"^\s*\S")
    sender: StrictStr = Field("anonymous", max_length=200)
    channel: StrictStr = Field("rest", max_length=32)
    current_doc: StrictStr | None = Field(None, max_length=200)
    followup: StrictBool = False
    doc_id: StrictStr | None = Field(None, max_length=200)
    # The conversation's script so far ("hans"/"hant"), used when the question itself shows neither.
    script: StrictStr | None = Field(None, regex="^(hans|hant)$")
    section: StrictStr | None = Field(None, max_length=100)
    query_vector: QueryVector | None = None
    # Search only these document types: ["event"] for a life-event question, ["guide", "policy", "faq"] for none.
    kinds: list[Literal["guide", "policy", "faq", "event"]] | None = Field(None, min_items=1, max_items=4)
    # False for a look ahead that is not shown to the citizen (whether a request names one document): not recorded.
    record: StrictBool = True
    # The conversation's question before this one, which a follow-up like "那医保卡呢" asks again.
    previous_question: StrictStr | None = Field(None, max_length=10_000)


class FeedbackRequest(RequestModel):
    sender: StrictStr = Field("anonymous", max_length=200)
    channel: StrictStr = Field("rest", max_length=32)
    question: StrictStr | None = Field(None, max_length=10_000)
    doc_id: StrictStr | None = Field(None, max_length=200)
    useful: StrictBool


class TranscriptLine(RequestModel):
    role: StrictStr = Field(..., max_length=16)
    text: StrictStr = Field("", max_length=MAX_LINE_CHARS)
    time: StrictStr = Field("", max_length=40)


class TicketRequest(RequestModel):
    sender: StrictStr = Field("anonymous", max_length=200)
    channel: StrictStr = Field("rest", max_length=32)
    # Within the body limit (GOVBOT_MAX_BODY_KB) even when every character takes 3 bytes and is JSON-escaped.
    transcript: list[TranscriptLine] = Field(default_factory=list, max_items=MAX_LINES)
    callback_number: StrictStr | None = Field(None, max_length=40)
    # The Rasa message id that asked for the handoff: a retried request returns the same ticket.
    request_id: StrictStr | None = Field(None, max_length=100)


@router.post("/answer", responses=errors(503))
async def answer(request: Request, body: AnswerRequest) -> dict:
    """The answer to a citizen's message as structure (see :class:`Answer`), recorded (masked) for analytics; in
    Traditional script when the citizen wrote in Traditional (``script`` says which)."""
    started = time.perf_counter()
    answerer: Answerer = request.app.state.answerer
    try:
        question = to_simplified(body.question)  # cue words, passages and scope checks all read Simplified
        vector = None
        if body.query_vector is not None:
            carried = decode(body.query_vector.text, body.query_vector.vector, answerer.searcher.embedder.dimension)
            vector = vector_for(carried, clean_query(question))
        result = await run_in_threadpool(
            answerer.answer,
            question,
            body.current_doc,
            body.followup,
            body.doc_id,
            body.section,
            vector,
            tuple(body.kinds) if body.kinds else None,
            to_simplified(body.previous_question) if body.previous_question else None,
        )
    except QueryError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    except IndexNotReady as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from None
    latency_ms = (time.perf_counter() - started) * 1000
    if body.record:
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


@router.get("/embeddings")
def embeddings(request: Request) -> dict[str, int]:
    """How many query texts this process has embedded so far (a knowledge message should add none: the NLU's
    vector is reused)."""
    return {"queries": request.app.state.searcher.embedder.queries_embedded}


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
        request_id=body.request_id,
    )
    return {"id": ticket_id}
