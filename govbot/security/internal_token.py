"""The service token between the action server and the app's internal endpoints (/answer, /tickets, ...)."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

from govbot.security.secrets import internal_token

HEADER = "X-Govbot-Internal"
UNAUTHORIZED = "这是内部服务接口，需要有效的服务令牌。"


def require_internal(request: Request) -> None:
    """FastAPI dependency: 401 unless the request carries the internal service token."""
    expected = internal_token(request.app.state.settings).encode()
    presented = request.headers.get(HEADER, "").encode()
    if not hmac.compare_digest(presented, expected):
        raise HTTPException(status_code=401, detail=UNAUTHORIZED)
