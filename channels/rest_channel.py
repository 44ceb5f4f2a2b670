"""Rasa's REST channel, with a length limit before anything else sees the message.

An overlong message gets one short sentence back at once: it reaches neither the NLU pipeline (a 20,000-character
message made the model use ~10 GB and get killed), nor the tracker store, nor the knowledge service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from govbot.security.message_limit import MESSAGE_TOO_LONG, too_long


class LimitedRestInput(RestInput):
    """``POST /webhooks/rest/webhook`` as in Rasa, refusing messages over the length limit."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def guarded(message: UserMessage) -> None:
            if too_long(message.text):
                await message.output_channel.send_text_message(message.sender_id, MESSAGE_TOO_LONG)
                return
            await on_new_message(message)

        return super().blueprint(guarded)
