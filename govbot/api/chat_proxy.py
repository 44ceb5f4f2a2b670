"""Same-origin proxy from the web pages to Rasa: the REST channel, the plain-text channel and history.

The Rasa sender id comes from the caller's session cookie (see :mod:`govbot.security.sessions`); a sender
sent by the client is ignored.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import Field, StrictStr

from govbot.api.models import RequestModel
from govbot.api.responses import errors
from govbot.cluster.pinned import request_pinned
from govbot.http_client import SharedClient, pool_limits
from govbot.security import signatures
from govbot.security.secrets import gateway_secret, rasa_token
from govbot.security.sessions import current_session

router = APIRouter(prefix="/api", tags=["chat"])
MAX_MESSAGE_CHARS = 500
RASA_TIMEOUT = 20.0
RASA_UNAVAILABLE = "对话服务暂时无法访问，请稍后再试，或拨打 12345 热线。"


class ChatMessage(RequestModel):
    # maxLength for the schema only: _forward answers a longer message with a specific sentence.
    message: StrictStr = Field(..., min_length=1, maxLength=MAX_MESSAGE_CHARS)


def rasa_client(pool: int) -> SharedClient:
    """The app's one pooled client for Rasa (``app.state.rasa_client``; closed at shutdown)."""
    return SharedClient(lambda: httpx.AsyncClient(timeout=RASA_TIMEOUT, limits=pool_limits(pool)))


async def _to_rasa(request: Request, sender: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A request about ``sender``'s conversation, sent to the Rasa replica that handles it."""
    state = request.app.state
    return await request_pinned(state.rasa_client.get(), state.rasa_ring, sender, method, path, **kwargs)


async def _post(request: Request, sender: str, path: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
    try:
        headers = {"Content-Type": "application/json", **headers}
        return await _to_rasa(request, sender, "POST", path, content=content, headers=headers)
    except httpx.HTTPError:
        raise HTTPException(status_code=503, detail=RASA_UNAVAILABLE) from None


async def _forward(request: Request, channel: str, sender: str, message: str) -> list | dict:
    if len(message) > MAX_MESSAGE_CHARS:
        raise HTTPException(status_code=422, detail=f"消息过长：最多 {MAX_MESSAGE_CHARS} 个字，请精简后再发送。")
    body = json.dumps({"sender": sender, "message": message}, ensure_ascii=False).encode()
    headers = {}
    if channel == "plaintext":
        headers[signatures.HEADER] = signatures.sign(gateway_secret(request.app.state.settings), body)
    response = await _post(request, sender, f"/webhooks/{channel}/webhook", body, headers)
    if response.status_code != 200:
        raise HTTPException(status_code=502, detail="对话服务出错，请稍后再试。")
    return response.json()


@router.post("/chat", responses=errors(502, 503))
async def chat(request: Request, response: Response, body: ChatMessage) -> list[dict]:
    """Send a message through Rasa's REST channel as this session; returns the bot's messages."""
    session = current_session(request, response)
    return await _forward(request, "rest", session.chat_sender, body.message)


@router.post("/elder", responses=errors(502, 503))
async def elder(request: Request, response: Response, body: ChatMessage) -> dict:
    """Send a message through the plain-text (voice) channel as this session; returns ``{"text": ...}``."""
    session = current_session(request, response)
    return await _forward(request, "plaintext", session.elder_sender, body.message)


@router.get("/history")
async def history(request: Request, response: Response) -> list[dict]:
    """This session's conversation so far, from Rasa's tracker store: user and bot messages in order.

    A caller without a session gets one here (the page asks for its history first), and an empty history.
    """
    session = current_session(request, response, create=False)
    if session is None:
        current_session(request, response)
        return []
    token = rasa_token(request.app.state.settings)
    try:
        sender = session.chat_sender
        tracker = await _to_rasa(request, sender, "GET", f"/conversations/{sender}/tracker", params={"token": token})
    except httpx.HTTPError:
        return []
    if tracker.status_code != 200:
        return []
    messages: list[dict] = []
    titles: dict[str, str] = {}
    for event in tracker.json().get("events", []):
        if event.get("event") == "user" and event.get("text"):
            text = event["text"]
            if text.startswith("/"):
                if text not in titles:
                    continue
                text = titles[text]
            messages.append({"role": "user", "text": text})
        elif event.get("event") == "bot" and event.get("text"):
            data = event.get("data") or {}
            buttons = data.get("buttons") or []
            titles.update({b.get("payload", ""): b.get("title", "") for b in buttons})
            messages.append({"role": "bot", "text": event["text"], "buttons": buttons, "custom": data.get("custom")})
    return messages
