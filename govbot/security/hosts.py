"""Answer only to known host names (against DNS rebinding), refusing others with a Chinese sentence."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

UNKNOWN_HOST = "请求的主机名不在本服务的允许列表中。"


def host_name(header: str) -> str:
    """The host name of a ``Host`` header, without its port (``[::1]:8000`` → ``::1``)."""
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class HostAllowListMiddleware:
    """400 for any HTTP request whose ``Host`` is not one of ``allowed_hosts`` (case-insensitive)."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]):
        self.app = app
        self.allowed = {h.lower().strip("[]") for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = host_name(Headers(scope=scope).get("host", "")).lower()
            if host not in self.allowed:
                await JSONResponse({"detail": UNKNOWN_HOST}, status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)
