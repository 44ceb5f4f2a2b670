"""Hand the conversation over to a person: give the 12345 hotline and record a ticket with the transcript and the
number the citizen gave to be called back on."""

from __future__ import annotations

import datetime as dt

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_client import KnowledgeUnavailable, post
from govbot.privacy.masked_tracker_store import CALLBACK_KEY
from govbot.privacy.pii import phone_numbers
from govbot.privacy.protector import get_protector

MAX_LINES = 50


def transcript(tracker: Tracker) -> list[dict[str, str]]:
    """The user and bot messages of the conversation so far, oldest first."""
    lines = []
    for event in tracker.events:
        if event.get("event") in ("user", "bot") and event.get("text"):
            stamp = dt.datetime.fromtimestamp(event.get("timestamp") or 0, dt.timezone.utc).isoformat()
            lines.append({"role": event["event"], "text": event["text"], "time": stamp})
    return lines[-MAX_LINES:]


def callback_number(tracker: Tracker) -> str | None:
    """The last phone number the citizen gave: in this turn's message, or kept encrypted with an earlier one."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        numbers = phone_numbers(event.get("text") or "")
        if numbers:
            return numbers[-1]
        token = (event.get("metadata") or {}).get(CALLBACK_KEY)
        if token and (number := get_protector().decrypt(token)):
            return number
    return None


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        channel = (tracker.get_latest_input_channel() or "rest")[:32]
        try:
            ticket = await post(
                "/tickets",
                {
                    "sender": tracker.sender_id,
                    "channel": channel,
                    "transcript": transcript(tracker),
                    "callback_number": callback_number(tracker),
                },
            )
        except KnowledgeUnavailable:
            ticket = {}
        dispatcher.utter_message(response="utter_handoff")
        if ticket.get("id"):
            dispatcher.utter_message(response="utter_handoff_ticket", ticket_id=str(ticket["id"]))
        return []
