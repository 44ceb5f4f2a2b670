"""Messages of the custom actions in the conversation's script (Traditional when the citizen writes so)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from index.normalize import HANT, TRADITIONAL, conversation_script, to_traditional


def tracker_script(tracker: Tracker) -> tuple[str, str]:
    """The conversation's script (``hans``/``hant``) and, for ``hant``, the OpenCC reply configuration."""
    texts = [event.get("text") or "" for event in tracker.events if event.get("event") == "user"]
    return conversation_script(texts)


def to_script(messages: list[dict[str, Any]], script: str, config: str) -> None:
    """Convert uttered messages in place: text, the structured message's own sentence, button titles and
    typed-text payloads (not ``/intent``)."""
    if script != HANT:
        return
    for message in messages:
        if message.get("text"):
            message["text"] = to_traditional(message["text"], config or TRADITIONAL)
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("message"), str):
            custom["message"] = to_traditional(custom["message"], config or TRADITIONAL)
        for button in message.get("buttons") or []:
            button["title"] = to_traditional(str(button.get("title", "")), config or TRADITIONAL)
            payload = str(button.get("payload", ""))
            if not payload.startswith("/"):
                button["payload"] = to_traditional(payload, config or TRADITIONAL)
