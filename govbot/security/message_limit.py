"""The longest chat message the dialogue accepts, and what a citizen is told when a message is longer."""

from __future__ import annotations

MAX_MESSAGE_CHARS = 500
MESSAGE_TOO_LONG = f"消息过长：最多 {MAX_MESSAGE_CHARS} 个字，请精简后再发送。"


def too_long(text: object) -> bool:
    """True when ``text`` is longer than a citizen's message may be."""
    return len(text) > MAX_MESSAGE_CHARS if isinstance(text, str) else False
