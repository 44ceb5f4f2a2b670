"""Calls to the knowledge service's life-event endpoints (``/event``, ``/event/step``) for one conversation."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.knowledge_client import post
from actions.script_output import tracker_script


def channel_of(tracker: Tracker) -> str:
    return (tracker.get_latest_input_channel() or "rest")[:32]


def conditions_of(tracker: Tracker) -> dict[str, bool | None]:
    """The answered conditional steps of the current event: ``{"<step number>": true|false|null}``."""
    value = tracker.get_slot("event_conditions")
    return dict(value) if isinstance(value, dict) else {}


def _base(tracker: Tracker, event_id: str) -> dict[str, Any]:
    script, _ = tracker_script(tracker)
    return {"event_id": event_id, "sender": tracker.sender_id, "channel": channel_of(tracker), "script": script}


async def fetch_plan(tracker: Tracker, event_id: str, conditions: dict[str, bool | None]) -> dict[str, Any]:
    """The event's plan with these conditions answered (``{"error": …}`` when refused); may raise
    :class:`actions.knowledge_client.KnowledgeUnavailable`."""
    return await post("/event", {**_base(tracker, event_id), "conditions": conditions})


async def fetch_step(tracker: Tracker, event_id: str, number: int) -> dict[str, Any]:
    """One step's guide passage as an answer with its ``step`` (``{"error": …}`` for an unknown step)."""
    return await post("/event/step", {**_base(tracker, event_id), "step": number})
