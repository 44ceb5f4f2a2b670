"""Life events (一件事一次办) for the dialogue's actions: an event's plan, and one step's guide."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import Field, StrictBool, StrictStr, validator

from govbot.answering.answerer import Answerer
from govbot.api.models import PositiveId, RequestModel
from govbot.api.responses import INTERNAL, errors
from govbot.events.plan import UnknownEvent, build_plan, expand_steps
from govbot.security.internal_token import require_internal
from govbot.storage.records import record_event_view
from index.normalize import HANT, TRADITIONAL, convert_visible
from index.searcher import IndexNotReady

router = APIRouter(tags=["conversation"], dependencies=[Depends(require_internal)], responses=INTERNAL)
MAX_STEPS = 50
STEP_KEY = r"^[1-9][0-9]?$"


class EventRequest(RequestModel):
    event_id: StrictStr = Field(..., max_length=80)
    # Conditional steps answered so far, by step number: true applies, false does not, null skipped.
    conditions: dict[StrictStr, StrictBool | None] = Field(default_factory=dict)
    sender: StrictStr = Field("anonymous", max_length=200)
    channel: StrictStr = Field("rest", max_length=32)
    script: StrictStr = Field("hans", regex="^(hans|hant)$")

    class Config:
        @staticmethod
        def schema_extra(schema: dict, model: type) -> None:
            RequestModel.Config.schema_extra(schema, model)
            schema["properties"]["conditions"].update(
                additionalProperties={"type": ["boolean", "null"]},
                propertyNames={"pattern": STEP_KEY},
                maxProperties=MAX_STEPS,
            )


class StepRequest(RequestModel):
    event_id: StrictStr = Field(..., max_length=80)
    step: PositiveId
    sender: StrictStr = Field("anonymous", max_length=200)
    channel: StrictStr = Field("rest", max_length=32)
    script: StrictStr = Field("hans", regex="^(hans|hant)$")

    class Config:
        @staticmethod
        def schema_extra(schema: dict, model: type) -> None:
            RequestModel.Config.schema_extra(schema, model)
            schema["properties"]["step"]["maximum"] = MAX_STEPS

    @validator("step")
    def _at_most_max_steps(cls, step: int) -> int:  # noqa: N805 - pydantic passes the class
        if step > MAX_STEPS:
            raise ValueError(f"at most {MAX_STEPS}")
        return step


def _documents(request: Request) -> dict:
    try:
        return request.app.state.searcher.data()[1].documents
    except IndexNotReady as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from None


def _unknown(event_id: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"没有编号为 {event_id[:80]} 的一件事。")


def _in_script(reply: dict, script: str) -> dict:
    return {**(convert_visible(reply, TRADITIONAL) if script == HANT else reply), "script": script}


async def _record_view(request: Request, body: EventRequest | StepRequest, step: int = 0) -> None:
    """Record (masked, for analytics) that the sender opened the event (step 0), or one of its steps."""
    await run_in_threadpool(
        record_event_view,
        request.app.state.settings.database_url,
        sender=body.sender,
        channel=body.channel,
        event_id=body.event_id,
        step=step,
    )


@router.post("/event", responses=errors(404, 503))
async def event(request: Request, body: EventRequest) -> dict:
    """The plan of a life event: steps with where and how long, one merged materials list, the total time, the
    conditional steps still to ask (``pending``), the source and offers. The first request per sender and event
    is recorded as the event started."""
    if len(body.conditions) > MAX_STEPS or not all(re.fullmatch(STEP_KEY, key) for key in body.conditions):
        raise HTTPException(status_code=422, detail="conditions 的键必须是步骤序号（1、2、3…）。")
    try:
        plan = build_plan(_documents(request), body.event_id, body.conditions)
    except UnknownEvent:
        raise _unknown(body.event_id) from None
    await _record_view(request, body)
    return _in_script(plan, body.script)


@router.post("/event/step", responses=errors(404, 503))
async def event_step(request: Request, body: StepRequest) -> dict:
    """One step of a life event: the answer for its guide (its overview passage, source and sections) and
    ``step`` (number, total, title, condition, notes). Recorded as the step viewed."""
    documents = _documents(request)
    try:
        steps = expand_steps(documents, body.event_id)
    except UnknownEvent:
        raise _unknown(body.event_id) from None
    if body.step > len(steps):
        raise HTTPException(status_code=404, detail=f"这件事只有 {len(steps)} 个步骤，没有第 {body.step} 步。")
    step = steps[body.step - 1]
    answerer: Answerer = request.app.state.answerer
    answer = await run_in_threadpool(answerer.overview, step["guide"])
    await _record_view(request, body, body.step)
    reply = {
        **answer.to_dict(),
        "step": {
            "number": body.step,
            "total": len(steps),
            "title": documents[step["guide"]]["title"],
            "condition": step.get("condition"),
            "notes": step.get("notes"),
        },
    }
    return _in_script(reply, body.script)
