"""Answer questions, follow-ups and clarification choices from the knowledge service."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.event_plan import start_event
from actions.knowledge_client import SERVICE_UNAVAILABLE, KnowledgeUnavailable, post
from actions.rendering import render_answer
from actions.script_output import to_script, tracker_script
from govbot.security.message_limit import MESSAGE_TOO_LONG, too_long
from govbot.settings import get_settings
from index.query_vector import PARSE_KEY

ELDERLY_CHANNELS = ("plaintext",)
ELDERLY_AUDIENCE = "老年人"
MAX_SUGGESTIONS = 2
LIFE_EVENT_INTENT = "ask_life_event"
EVENT = "event"
FALLBACK = "fallback"
PERSONAL_CASE = "personal_case"  # a question about one's own case goes to a person, never to an event
CONTEXT = ("current_doc", "previous_question")  # what a new question carries of the conversation so far


def _channel(tracker: Tracker) -> str:
    return (tracker.get_latest_input_channel() or "rest")[:32]


def nlu_vector(tracker: Tracker) -> dict[str, Any]:
    """The NLU's embedding of the latest message, passed on so the knowledge service need not embed it again."""
    carried = tracker.latest_message.get(PARSE_KEY)
    return {"query_vector": carried} if isinstance(carried, dict) else {}


def _closest_event(answer: dict[str, Any], intent_confidence: float) -> str | None:
    """The closest event of a declined event search, when the NLU is sure the message describes a life event
    (the situation's own words, "面馆", need not appear in the event's document)."""
    options = answer.get("options") or []
    sure = intent_confidence >= get_settings().event_intent_confidence
    if answer.get("decision") != FALLBACK or answer.get("reason") == PERSONAL_CASE or not options or not sure:
        return None
    return options[0].get("doc_id")


def asked_text(tracker: Tracker) -> str:
    """The citizen's own words: the NLU reads Traditional text in its Simplified form, but the knowledge service
    must see the original to reply in the citizen's script."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("text") or ""
    return tracker.latest_message.get("text") or ""


def previous_question(tracker: Tracker) -> dict[str, str]:
    """The conversation's question before this one, for the knowledge service to read an elliptical follow-up."""
    last = tracker.get_slot("last_question")
    return {"previous_question": last} if isinstance(last, str) and last else {}


async def answer_message(
    dispatcher: CollectingDispatcher, tracker: Tracker, question: str, **options: Any
) -> list[EventType]:
    """Ask the knowledge service and render its reply (an answer, a plan, a clarification or a decline)."""
    if too_long(question):
        dispatcher.utter_message(text=MESSAGE_TOO_LONG)
        return []
    script, config = tracker_script(tracker)
    payload = {"question": question, "sender": tracker.sender_id, "channel": _channel(tracker), "script": script}
    payload.update(options)
    intent = tracker.latest_message.get("intent") or {}
    # A new question (not a choice or a follow-up; the NLU's vector is no such option) the NLU calls a life event.
    life_event = intent.get("name") == LIFE_EVENT_INTENT and not set(options) - {*CONTEXT, "query_vector"}
    try:
        answer = await post("/answer", {**payload, "kinds": [EVENT]}) if life_event else {}
        closest = _closest_event(answer, intent.get("confidence") or 0.0)
        if closest:
            answer = await post("/answer", {**payload, "doc_id": closest})
        if answer.get("decision") != EVENT:
            answer = await post("/answer", payload)
    except KnowledgeUnavailable:
        dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
        return []
    if "error" in answer:
        dispatcher.utter_message(text=f"{answer['error']}")
        return []
    if answer.get("decision") == EVENT:
        return [SlotSet("last_question", question), *start_event(dispatcher, tracker, answer["event"])]
    if _channel(tracker) in ELDERLY_CHANNELS:
        answer["related"] = [r for r in answer.get("related") or [] if ELDERLY_AUDIENCE in r.get("audience", [])]
    answer["related"] = (answer.get("related") or [])[:MAX_SUGGESTIONS]
    suggested = list(tracker.get_slot("suggested_docs") or [])
    is_answer = answer.get("decision") == "answer"
    new_topic = is_answer and answer["doc_id"] not in suggested
    first = len(dispatcher.messages)
    render_answer(dispatcher, answer, suggest=new_topic)
    to_script(dispatcher.messages[first:], answer.get("script", script), config)
    events: list[EventType] = [SlotSet("last_question", question), SlotSet("event_asking", False)]
    if is_answer:
        events += [SlotSet("current_doc", answer["doc_id"]), SlotSet("current_title", answer["title"])]
    if new_topic:
        events.append(SlotSet("suggested_docs", suggested + [answer["doc_id"]]))
    return events


class ActionAnswerQuestion(Action):
    """A new question: search the knowledge base; a confident answer becomes the current topic."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        context = previous_question(tracker)  # "那社保卡呢" asks the question before again, about 社保卡
        if context and (current_doc := tracker.get_slot("current_doc")):
            context["current_doc"] = current_doc
        return await answer_message(dispatcher, tracker, asked_text(tracker), **context, **nlu_vector(tracker))


class ActionAnswerFollowup(Action):
    """A follow-up ("那要多少钱？"): answer that section of the current document, or ask which service."""

    def name(self) -> str:
        return "action_answer_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        question = asked_text(tracker)
        current_doc = tracker.get_slot("current_doc")
        return await answer_message(
            dispatcher,
            tracker,
            question,
            current_doc=current_doc,
            followup=True,
            **previous_question(tracker),
            **nlu_vector(tracker),
        )


class ActionAnswerChoice(Action):
    """A clarification or section button: answer the earlier question from the chosen document, or show the
    chosen section of it."""

    def name(self) -> str:
        return "action_answer_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        doc_id = next(tracker.get_latest_entity_values("doc_id"), None)
        section = next(tracker.get_latest_entity_values("section"), None)
        question = tracker.get_slot("last_question") or ""
        if not doc_id:
            dispatcher.utter_message(response="utter_ask_which_service")
            return []
        return await answer_message(dispatcher, tracker, question, doc_id=doc_id, section=section)
