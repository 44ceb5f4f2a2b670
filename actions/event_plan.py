"""Show a life event's plan and ask its first open conditional question; the slots that follow from it."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.event_rendering import plan_message, question_message
from actions.script_output import to_script, tracker_script


def utter(dispatcher: CollectingDispatcher, tracker: Tracker, messages: list[dict[str, Any]], script: str) -> None:
    """Utter built messages in the conversation's script."""
    _, config = tracker_script(tracker)
    first = len(dispatcher.messages)
    for message in messages:
        dispatcher.utter_message(**message)
    to_script(dispatcher.messages[first:], script, config)


def present_plan(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    plan: dict[str, Any],
    conditions: dict[str, bool | None],
    with_plan: bool = True,
) -> list[EventType]:
    """The plan (unless ``with_plan`` is false, between two questions), then the next open question if any."""
    pending = plan.get("pending") or []
    messages = [plan_message(plan, conditions)] if with_plan or not pending else []
    if pending:
        messages.append(question_message(plan, pending[0]))
    script = plan.get("script") or tracker_script(tracker)[0]
    utter(dispatcher, tracker, messages, script)
    return [
        SlotSet("current_event", plan["event_id"]),
        SlotSet("event_conditions", conditions),
        SlotSet("event_question", pending[0]["number"] if pending else None),
        SlotSet("event_asking", bool(pending)),
    ]


def start_event(dispatcher: CollectingDispatcher, tracker: Tracker, plan: dict[str, Any]) -> list[EventType]:
    """A new event: its plan with nothing answered yet; no step shown and no single document current."""
    return [
        *present_plan(dispatcher, tracker, plan, {}),
        SlotSet("event_step", None),
        SlotSet("current_doc", None),
        SlotSet("current_title", None),
    ]
