"""Reject oversized request bodies before anything reads them (authentication, JSON or multipart parsing).

A declared ``Content-Length`` over the limit gets 413 at once, without calling the app. Streamed (chunked)
bodies are counted as the app receives them; once over the limit the app's receive fails, whatever the app
answers is dropped, and the client gets 413.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "提交的内容过大：最多 {limit}，未处理。"


class BodyTooLarge(Exception):
    """Raised from ``receive`` when the streamed body passes the limit."""


def _readable(limit: int) -> str:
    return f"{limit >> 20} MB" if limit >= 1 << 20 else f"{max(1, limit >> 10)} KB"


class BodyLimitMiddleware:
    """Pure ASGI middleware; ``limit_for(path)`` gives the largest body in bytes for a path."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _reject(send, limit)
            return
        received = 0
        exceeded = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _reject(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _reject(send: Send, limit: int) -> None:
    body = json.dumps({"detail": TOO_LARGE.format(limit=_readable(limit))}, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
