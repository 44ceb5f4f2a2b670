"""Hand the conversation over to a person: give the 12345 hotline and record a ticket with the transcript and the
number the citizen gave to be called back on."""

from __future__ import annotations

import datetime as dt

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_client import KnowledgeUnavailable, post
from govbot.privacy.callback import callback_number

MAX_LINES = 50
MAX_LINE_CHARS = 1_500  # the app's /tickets limits (govbot.api.conversation)


def transcript(tracker: Tracker) -> list[dict[str, str]]:
    """The user and bot messages of the conversation so far, oldest first."""
    lines = []
    for event in tracker.events:
        if event.get("event") in ("user", "bot") and event.get("text"):
            stamp = dt.datetime.fromtimestamp(event.get("timestamp") or 0, dt.timezone.utc).isoformat()
            lines.append({"role": event["event"], "text": event["text"][:MAX_LINE_CHARS], "time": stamp})
    return lines[-MAX_LINES:]


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
                    "callback_number": callback_number(tracker.events),
                    "request_id": tracker.latest_message.get("message_id"),
                },
            )
        except KnowledgeUnavailable:
            ticket = {}
        dispatcher.utter_message(response="utter_handoff")
        if ticket.get("id"):
            dispatcher.utter_message(response="utter_handoff_ticket", ticket_id=str(ticket["id"]))
        return []
