"""A custom Rasa input channel for SMS, phone/IVR and smart-speaker gateways, and the /elder page.

``POST /webhooks/plaintext/webhook`` with ``{"sender": ..., "message": ...}`` returns ``{"text": ...}``: one
plain, voice-friendly string (see :mod:`channels.voice_text`). A digit answers the numbered options of the
previous reply; "1" after a long answer reads the next part.

When the service is reachable beyond loopback, or ``GOVBOT_GATEWAY_SECRET`` is set, every request must carry
``X-Govbot-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` (see :mod:`govbot.security.signatures`).
The per-sender paging state is bounded in number of senders and in time.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.sender_state import SenderState
from channels.voice_text import MORE_PROMPT, to_voice_reply
from govbot.security import signatures
from govbot.security.secrets import gateway_secret
from govbot.settings import get_settings
from index.normalize import HANS, HANT, conversation_script, to_traditional, traditional_share

CHANNEL_NAME = "plaintext"
MAX_MESSAGE_CHARS = 500
BAD_SIGNATURE = "请求签名无效，已拒绝。"
_CHINESE_DIGITS = {
    "一": "1",
    "二": "2",
    "两": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_DIGIT_REPLY = re.compile(r"^\s*(?:第|选|选择|回复)?\s*([1-9一二两三四五六七八九])\s*(?:个|项|号)?\s*[。.!！]?\s*$")


@dataclass
class _Pending:
    """What a sender's next digit means: the next page of a long answer, or one of the numbered options."""

    pages: list[str] = field(default_factory=list)
    options: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Sender:
    """One sender's lock (messages are handled in order) and what its next digit means."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: _Pending | None = None
    script: tuple[str, str] = (HANS, "")  # the conversation's script and OpenCC reply configuration

    def heard(self, message: str) -> None:
        """Follow the script of the sender's latest message that shows one (a digit or 你好 shows none)."""
        if traditional_share(message) is not None:
            self.script = conversation_script([message])


def in_script(text: str, script: tuple[str, str]) -> str:
    """The channel's own words (paging, choices) in ``script`` (a script and OpenCC reply configuration, as
    ``conversation_script`` gives), like the bot's."""
    kind, config = script
    return to_traditional(text, config) if kind == HANT and config else text


def digit_of(message: str) -> int | None:
    """The number a reply like "1", "第二个" or "选3" picks, if it is only that."""
    match = _DIGIT_REPLY.match(unicodedata.normalize("NFKC", message))
    if not match:
        return None
    return int(_CHINESE_DIGITS.get(match.group(1), match.group(1)))


class PlainTextInput(InputChannel):
    """Plain-text channel: voice-friendly replies, numbered choices, paged long answers."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def __init__(self) -> None:
        settings = get_settings()
        self._senders: SenderState[_Sender] = SenderState(settings.voice_state_senders, settings.voice_state_ttl)
        self._secret = gateway_secret(settings) if settings.gateway_signature_required else None

    async def _handle(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender: str,
        state: _Sender,
        message: str,
        metadata: dict,
    ) -> str:
        state.heard(message)
        pending = state.pending
        number = digit_of(message)
        if pending and number is not None:
            if pending.pages and number == 1:
                page = pending.pages.pop(0)
                more = bool(pending.pages)
                return in_script(page + (MORE_PROMPT if more else ""), state.script)
            if not pending.pages and 1 <= number <= len(pending.options):
                message = pending.options[number - 1][1]
        collector = CollectingOutputChannel()
        await on_new_message(UserMessage(message, collector, sender, input_channel=CHANNEL_NAME, metadata=metadata))
        reply = to_voice_reply(collector.messages)
        state.pending = _Pending(pages=reply.pages[1:], options=reply.options)
        spoken = reply.first_message() or "抱歉，我没有听清楚。请再说一遍，或拨打 1 2 3 4 5 热线。"
        return in_script(spoken, state.script)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("plaintext_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self._secret and not signatures.verify(
                self._secret, request.body, request.headers.get(signatures.HEADER)
            ):
                return response.json({"text": BAD_SIGNATURE}, status=401)
            body = request.json if isinstance(request.json, dict) else {}
            sender = str(body.get("sender") or "").strip()[:200]
            message = str(body.get("message") or "").strip()
            if not sender:
                return response.json({"text": "请求缺少 sender。"}, status=400)
            if not message:
                return response.json({"text": "请说出或输入您的问题。"})
            if len(message) > MAX_MESSAGE_CHARS:
                too_long = f"您的消息太长了，请控制在{MAX_MESSAGE_CHARS}字以内。"
                return response.json({"text": in_script(too_long, conversation_script([message[:MAX_MESSAGE_CHARS]]))})
            state = self._senders.setdefault(sender, _Sender)
            async with state.lock:
                text = await self._handle(on_new_message, sender, state, message, self.get_metadata(request) or {})
            return response.json({"text": text})

        return hook
