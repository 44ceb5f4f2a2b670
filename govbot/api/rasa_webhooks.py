"""The Rasa channel webhooks at the cluster's gateway: each conversation forwarded to its own Rasa replica.

On a single machine the webhooks are Rasa's own (port 5005); in the cluster profile (``GOVBOT_RASA_URLS`` set)
the app serves the same paths, because only it can read the sender id that pins a conversation to a replica.
"""

from __future__ import annotations

import json

import httpx
from fastapi import APIRouter, HTTPException, Request, Response

from govbot.api.chat_proxy import RASA_UNAVAILABLE
from govbot.api.responses import errors
from govbot.cluster.pinned import request_pinned
from govbot.security import signatures

router = APIRouter(tags=["chat"])
CHANNELS = ("rest", "plaintext")
MAX_SENDER_CHARS = 128
SESSION_PREFIXES = ("web-", "elder-")  # the web pages' conversations: reachable only with their session cookie
FORWARDED_REFUSALS = (401, 413, 422)  # the channels' own refusals, already one Chinese sentence
BAD_REQUEST = "请求格式不正确：请发送 JSON，包含 sender（字符串）和 message。"


def _sender(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise HTTPException(status_code=400, detail=BAD_REQUEST) from None
    sender = payload.get("sender") if isinstance(payload, dict) else None
    if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARS:
        raise HTTPException(status_code=400, detail=BAD_REQUEST)
    if sender.startswith(SESSION_PREFIXES):
        raise HTTPException(status_code=400, detail="这个会话编号保留给网页会话，请换一个。")
    return sender


@router.post("/webhooks/{channel}/webhook", responses=errors(400, 401, 404, 502, 503))
async def webhook(channel: str, request: Request) -> Response:
    """Forward one channel message to the Rasa replica that owns the conversation; Rasa's reply unchanged."""
    if channel not in CHANNELS:
        raise HTTPException(status_code=404, detail="没有这个渠道。")
    body = await request.body()
    headers = {"Content-Type": "application/json"}
    if signature := request.headers.get(signatures.HEADER):
        headers[signatures.HEADER] = signature
    try:
        state = request.app.state
        path = f"/webhooks/{channel}/webhook"
        response = await request_pinned(
            state.rasa_client.get(), state.rasa_ring, _sender(body), "POST", path, content=body, headers=headers
        )
    except httpx.HTTPError:
        raise HTTPException(status_code=503, detail=RASA_UNAVAILABLE) from None
    if response.status_code != 200 and response.status_code not in FORWARDED_REFUSALS:
        raise HTTPException(status_code=502, detail="对话服务出错，请稍后再试。")
    return Response(response.content, response.status_code, media_type="application/json")
