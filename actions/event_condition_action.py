"""The answer to a life event's conditional question: yes, no or skip; then the next question or the new plan."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.event_plan import present_plan
from actions.event_service import conditions_of, fetch_plan
from actions.knowledge_client import SERVICE_UNAVAILABLE, KnowledgeUnavailable

ANSWERS = {"affirm": True, "deny": False, "skip_question": None}
STOPPED = "好的，不再询问了。标着“视情况”的步骤，请按您的实际情况办理。"
NO_EVENT = "请先告诉我您要办的事，比如“我想开个奶茶店”。"


class ActionEventCondition(Action):
    """Record yes/no/skip for the conditional step being asked ("算了" stops asking) and move on."""

    def name(self) -> str:
        return "action_event_condition"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        event_id = tracker.get_slot("current_event")
        number = tracker.get_slot("event_question")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if not event_id or number is None:
            dispatcher.utter_message(text=NO_EVENT)
            return [SlotSet("event_asking", False)]
        conditions = conditions_of(tracker)
        stopped = intent not in ANSWERS
        conditions[str(int(number))] = None if stopped else ANSWERS[intent]
        try:
            plan = await fetch_plan(tracker, event_id, conditions)
            if stopped and "error" not in plan and plan.get("pending"):
                conditions.update({str(p["number"]): None for p in plan["pending"]})  # the rest are skipped too
                plan = await fetch_plan(tracker, event_id, conditions)
        except KnowledgeUnavailable:
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return []
        if "error" in plan:
            dispatcher.utter_message(text=plan["error"])
            return [SlotSet("event_asking", False)]
        if stopped:
            dispatcher.utter_message(text=STOPPED)
        return present_plan(dispatcher, tracker, plan, conditions, with_plan=stopped)
