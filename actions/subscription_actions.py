"""Opt-in policy notifications: subscribe to topics, and unsubscribe."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.knowledge_client import SERVICE_UNAVAILABLE, KnowledgeUnavailable, post
from knowledge.schema import TOPICS

ALL_TOPICS = "全部"
_ALIASES = {
    "养老": "养老服务",
    "老人": "养老服务",
    "就业": "就业创业",
    "创业": "就业创业",
    "企业": "企业扶持",
    "税": "税收优惠",
    "育儿": "婴幼儿照护",
    "托育": "婴幼儿照护",
    "孩子": "婴幼儿照护",
    "医疗": "医疗救助",
    "看病": "医疗救助",
    "房": "住房",
    "残疾": "残疾人",
    "补贴": ALL_TOPICS,
    "都要": ALL_TOPICS,
}


def parse_topics(text: str) -> list[str]:
    found = {t for t in TOPICS if t in text}
    found |= {topic for word, topic in _ALIASES.items() if word in text}
    if ALL_TOPICS in text or ALL_TOPICS in found:
        return [ALL_TOPICS]
    return sorted(found)


class ValidateSubscriptionForm(FormValidationAction):
    def name(self) -> str:
        return "validate_subscription_form"

    def validate_sub_topics(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        topics = parse_topics(str(value or ""))
        if not topics:
            dispatcher.utter_message(response="utter_pm_not_understood")
            return {"sub_topics": None}
        return {"sub_topics": "、".join(topics)}


class ActionSubscribeSubmit(Action):
    def name(self) -> str:
        return "action_subscribe_submit"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        topics = (tracker.get_slot("sub_topics") or ALL_TOPICS).split("、")
        channel = (tracker.get_latest_input_channel() or "rest")[:32]
        try:
            await post("/subscriptions", {"sender": tracker.sender_id, "channel": channel, "topics": topics})
        except KnowledgeUnavailable:
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return [SlotSet("sub_topics", None)]
        dispatcher.utter_message(response="utter_subscribed", topics="、".join(topics))
        return [SlotSet("sub_topics", None)]


class ActionUnsubscribe(Action):
    def name(self) -> str:
        return "action_unsubscribe"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        try:
            await post("/subscriptions/cancel", {"sender": tracker.sender_id})
        except KnowledgeUnavailable:
            dispatcher.utter_message(text=SERVICE_UNAVAILABLE)
            return []
        dispatcher.utter_message(response="utter_unsubscribed")
        return []
