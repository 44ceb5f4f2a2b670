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
    typed-text payloads (not ``/intent``); buttons are replaced by converted copies."""
    if script != HANT:
        return
    for message in messages:
        if message.get("text"):
            message["text"] = to_traditional(message["text"], config or TRADITIONAL)
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("message"), str):
            custom["message"] = to_traditional(custom["message"], config or TRADITIONAL)
        if message.get("buttons"):  # new button objects: an action may share one (转人工) with every conversation
            message["buttons"] = [_converted_button(button, config or TRADITIONAL) for button in message["buttons"]]


def _converted_button(button: dict[str, Any], config: str) -> dict[str, Any]:
    """A copy of the button with its title, and a typed-text payload (not ``/intent``), in Traditional."""
    converted = {**button, "title": to_traditional(str(button.get("title", "")), config)}
    payload = str(button.get("payload", ""))
    if not payload.startswith("/"):
        converted["payload"] = to_traditional(payload, config)
    return converted
