"""Show one step of the current life event ("下一步", "第2步", "第二步"): that step's guide passage."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.event_plan import utter
from actions.event_rendering import FIRST_STEP, LAST_STEP, applying_steps, offer_buttons, step_message
from actions.event_service import conditions_of, fetch_plan, fetch_step
from actions.knowledge_client import SERVICE_UNAVAILABLE, KnowledgeUnavailable
from actions.script_output import tracker_script
from actions.step_numbers import NEXT, requested_step

NO_EVENT = "请先告诉我您要办的事，比如“我想开个奶茶店”，我会列出要办的每一步。"


def _target(wanted: int | str, shown: int | None, numbers: list[int]) -> int | str:
    """The step number to show, or :data:`LAST_STEP` / :data:`FIRST_STEP` when there is none that way."""
    if isinstance(wanted, int):
        return wanted
    if wanted == NEXT:
        later = [n for n in numbers if shown is None or n > shown]
        return later[0] if later else LAST_STEP
    earlier = [n for n in numbers if shown is not None and n < shown]
    return earlier[-1] if earlier else FIRST_STEP


class ActionEventStep(Action):
    """A step of the current event; the step's guide becomes the current document for follow-ups."""

    def name(self) -> str:
        return "action_event_step"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        event_id = tracker.get_slot("current_event")
        if not event_id:
            dispatcher.utter_message(text=NO_EVENT)
            return []
        entity = next(tracker.get_latest_entity_values("step_number"), None)
        wanted = requested_step(tracker.latest_message.get("text") or "", entity)
        shown = tracker.get_slot("event_step")
        shown = int(shown) if isinstance(shown, int | float) else None
        try:
            plan = await fetch_plan(tracker, event_id, conditions_of(tracker))
            if "error" in plan:
                dispatcher.utter_message(text=plan["error"])
                return []
            numbers = [step["number"] for step in applying_steps(plan)]
            target = _target(wanted, shown, numbers)
            if isinstance(target, str):
                buttons = offer_buttons(plan.get("offers")) if target == LAST_STEP else []
                dispatcher.utter_message(text=target, buttons=buttons)
                return []
            answer = await fetch_step(tracker, event_id, target)
        except KnowledgeUnavailable:
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return []
        if "error" in answer:
            dispatcher.utter_message(text=answer["error"])
            return []
        later = [n for n in numbers if n > target]
        message = step_message(answer, event_id, later[0] if later else None, plan.get("offers"))
        utter(dispatcher, tracker, [message], answer.get("script") or tracker_script(tracker)[0])
        return [
            SlotSet("event_step", target),
            SlotSet("event_asking", False),
            SlotSet("current_doc", answer["doc_id"]),
            SlotSet("current_title", answer.get("title")),
        ]
