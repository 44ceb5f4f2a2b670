"""Store a citizen's 有用 / 没用 for the last answer, for staff review."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_client import KnowledgeUnavailable, post

logger = logging.getLogger(__name__)


class ActionRecordFeedback(Action):
    def name(self) -> str:
        return "action_record_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        useful = tracker.latest_message.get("intent", {}).get("name") == "feedback_positive"
        payload = {
            "sender": tracker.sender_id,
            "channel": (tracker.get_latest_input_channel() or "rest")[:32],
            "question": tracker.get_slot("last_question"),
            "doc_id": tracker.get_slot("current_doc"),
            "useful": useful,
        }
        try:
            await post("/feedback", payload)
        except KnowledgeUnavailable as exc:
            logger.warning("feedback not stored: %s", exc)
            dispatcher.utter_message(response="utter_feedback_not_stored")
            return []
        dispatcher.utter_message(response="utter_feedback_positive" if useful else "utter_feedback_negative")
        return []
