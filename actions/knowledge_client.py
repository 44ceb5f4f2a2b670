"""A small async client for the knowledge service, with a hard time limit."""

from __future__ import annotations

from typing import Any

import httpx

from govbot.security.internal_token import HEADER
from govbot.security.secrets import internal_token
from govbot.settings import get_settings

SERVICE_UNAVAILABLE = "抱歉，知识库服务暂时无法访问，请稍后再试。您也可以拨打 12345 政务服务便民热线咨询。"


class KnowledgeUnavailable(RuntimeError):
    """The knowledge service did not answer in time or answered with an error."""


async def post(path: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST JSON to the knowledge service; raise :class:`KnowledgeUnavailable` on timeout or error."""
    settings = get_settings()
    try:
        async with httpx.AsyncClient(base_url=settings.knowledge_url, timeout=settings.knowledge_timeout) as client:
            response = await client.post(path, json=payload, headers={HEADER: internal_token(settings)})
    except httpx.HTTPError as exc:
        raise KnowledgeUnavailable(str(exc) or type(exc).__name__) from exc
    if response.status_code >= 500:
        raise KnowledgeUnavailable(f"{path}: HTTP {response.status_code}")
    if response.status_code >= 400:
        return {"error": response.json().get("detail", "请求有误")}
    return response.json()
