"""Turn a knowledge-service answer into bot messages: text, clarification buttons, feedback buttons."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

FEEDBACK_BUTTONS = [
    {"title": "👍 有用", "payload": "/feedback_positive"},
    {"title": "👎 没用", "payload": "/feedback_negative"},
]


def choice_payload(doc_id: str) -> str:
    return "/choose_document" + json.dumps({"doc_id": doc_id})


def render_answer(dispatcher: CollectingDispatcher, answer: dict[str, Any], suggest: bool = True) -> None:
    """Utter an answer; knowledge answers carry feedback buttons, and related services when ``suggest``."""
    decision = answer.get("decision")
    if decision == "answer":
        dispatcher.utter_message(
            text=answer["text"],
            buttons=FEEDBACK_BUTTONS,
            metadata={"doc_id": answer.get("doc_id"), "source_url": answer.get("source_url")},
        )
        related = answer.get("related") or []
        if related and suggest:
            dispatcher.utter_message(
                text="您可能还需要：" + "、".join(r["title"] for r in related),
                buttons=[{"title": r["title"], "payload": choice_payload(r["doc_id"])} for r in related],
            )
    elif decision == "clarify":
        buttons = [{"title": o["title"], "payload": choice_payload(o["doc_id"])} for o in answer["options"]]
        dispatcher.utter_message(text=answer["text"], buttons=buttons)
    elif decision == "no_topic":
        dispatcher.utter_message(response="utter_ask_which_service")
    else:
        closest = [{"title": o["title"], "payload": choice_payload(o["doc_id"])} for o in answer.get("options") or []]
        dispatcher.utter_message(
            text=answer.get("text") or "抱歉，我没有找到可靠的答案。请拨打 12345 政务服务便民热线咨询。",
            buttons=closest + [{"title": "转人工", "payload": "/ask_human"}],
        )
