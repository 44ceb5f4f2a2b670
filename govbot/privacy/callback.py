"""The number to call a citizen back on: sealed (encrypted) into a stored user event, found again at handoff."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from govbot.privacy.pii import phone_numbers
from govbot.privacy.protector import get_protector

CALLBACK_KEY = "govbot_callback"


def seal_callback(text: str | None) -> str | None:
    """The last phone number in ``text``, encrypted with the data key; None when there is none."""
    numbers = phone_numbers(text)
    return get_protector().encrypt(numbers[-1]) if numbers else None


def callback_number(events: Iterable[dict[str, Any]]) -> str | None:
    """The last phone number the citizen gave: read in a message still in memory, or unsealed from metadata."""
    for event in reversed(list(events)):
        if event.get("event") != "user":
            continue
        if numbers := phone_numbers(event.get("text")):
            return numbers[-1]
        token = (event.get("metadata") or {}).get(CALLBACK_KEY)
        if token and (number := get_protector().decrypt(token)):
            return number
    return None
