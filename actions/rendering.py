"""Turn a knowledge-service answer into bot messages rendered from its structure.

Each knowledge message carries a readable ``text`` with its buttons (for clients that only show text) and the
structure itself as a custom payload (``json_message``) whose ``type`` is the decision (``answer``, ``clarify``,
``fallback``) or ``related``; channels render from the payload.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

FEEDBACK_BUTTONS = [
    {"title": "👍 有用", "payload": "/feedback_positive"},
    {"title": "👎 没用", "payload": "/feedback_negative"},
]
HANDOFF_BUTTON = {"title": "转人工", "payload": "/ask_human"}
RELATED_PROMPT = "您可能还需要："
DEFAULT_FALLBACK = "抱歉，我没有找到可靠的答案。请拨打 12345 政务服务便民热线咨询。"


def choice_payload(doc_id: str, section: str | None = None) -> str:
    """The intent payload that opens a document (and one of its sections)."""
    entities = {"doc_id": doc_id} if section is None else {"doc_id": doc_id, "section": section}
    return "/choose_document" + json.dumps(entities, ensure_ascii=False)


def render_answer(dispatcher: CollectingDispatcher, answer: dict[str, Any], suggest: bool = True) -> None:
    """Utter an answer; knowledge answers offer the document's other sections, feedback buttons, and related
    services when ``suggest``."""
    decision = answer.get("decision")
    if decision == "answer":
        sections = [{"title": s, "payload": choice_payload(answer["doc_id"], s)} for s in answer.get("sections", [])]
        dispatcher.utter_message(
            text=answer["text"],
            buttons=sections + FEEDBACK_BUTTONS,
            json_message={"type": "answer", **answer},
        )
        related = answer.get("related") or []
        if related and suggest:
            dispatcher.utter_message(
                text=RELATED_PROMPT + "、".join(r["title"] for r in related),
                buttons=[{"title": r["title"], "payload": choice_payload(r["doc_id"])} for r in related],
                json_message={"type": "related", "message": RELATED_PROMPT, "related": related},
            )
    elif decision == "clarify":
        buttons = [{"title": o["title"], "payload": choice_payload(o["doc_id"])} for o in answer["options"]]
        dispatcher.utter_message(text=answer["text"], buttons=buttons, json_message={"type": "clarify", **answer})
    elif decision == "no_topic":
        dispatcher.utter_message(response="utter_ask_which_service")
    else:
        closest = [{"title": o["title"], "payload": choice_payload(o["doc_id"])} for o in answer.get("options") or []]
        dispatcher.utter_message(
            text=answer.get("text") or DEFAULT_FALLBACK,
            buttons=closest + [HANDOFF_BUTTON],
            json_message={"type": "fallback", **answer},
        )
