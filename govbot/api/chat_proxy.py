"""Same-origin proxy from the web pages to Rasa: the REST channel, the plain-text channel and history."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

router = APIRouter(prefix="/api", tags=["chat"])
MAX_MESSAGE_CHARS = 500
RASA_TIMEOUT = 20.0


class ChatMessage(BaseModel):
    sender: str = Field(..., min_length=1, max_length=100, regex=r"^[A-Za-z0-9_.:-]+$")
    message: str = Field(..., min_length=1)


def _rasa_url(request: Request) -> str:
    return request.app.state.settings.rasa_url


async def _post(url: str, body: dict) -> httpx.Response:
    try:
        async with httpx.AsyncClient(timeout=RASA_TIMEOUT) as client:
            return await client.post(url, json=body)
    except httpx.HTTPError:
        raise HTTPException(status_code=503, detail="对话服务暂时无法访问，请稍后再试，或拨打 12345 热线。") from None


async def _forward(request: Request, channel: str, body: ChatMessage) -> list | dict:
    if len(body.message) > MAX_MESSAGE_CHARS:
        raise HTTPException(status_code=422, detail=f"消息过长：最多 {MAX_MESSAGE_CHARS} 个字，请精简后再发送。")
    response = await _post(f"{_rasa_url(request)}/webhooks/{channel}/webhook", body.dict())
    if response.status_code != 200:
        raise HTTPException(status_code=502, detail="对话服务出错，请稍后再试。")
    return response.json()


@router.post("/chat")
async def chat(request: Request, body: ChatMessage) -> list[dict]:
    """Send a message through Rasa's REST channel; returns the bot's messages."""
    return await _forward(request, "rest", body)


@router.post("/elder")
async def elder(request: Request, body: ChatMessage) -> dict:
    """Send a message through the plain-text (voice) channel; returns ``{"text": ...}``."""
    return await _forward(request, "plaintext", body)


@router.get("/history")
async def history(
    request: Request, sender: str = Query(..., max_length=100, regex=r"^[A-Za-z0-9_.:-]+$")
) -> list[dict]:
    """The conversation so far, from Rasa's tracker store: user and bot messages in order."""
    try:
        async with httpx.AsyncClient(timeout=RASA_TIMEOUT) as client:
            response = await client.get(f"{_rasa_url(request)}/conversations/{sender}/tracker")
    except httpx.HTTPError:
        return []
    if response.status_code != 200:
        return []
    messages: list[dict] = []
    titles: dict[str, str] = {}
    for event in response.json().get("events", []):
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
