"""A small async client for the knowledge service, with a hard time limit.

One pooled ``httpx.AsyncClient`` serves every action call of the process (keep-alive connections to the app);
it is created on first use and closed when the action server stops (:func:`attach`).
"""

from __future__ import annotations

from typing import Any

import httpx
from sanic import Sanic
from sanic.exceptions import SanicException

from govbot.http_client import SharedClient, pool_limits
from govbot.security.internal_token import HEADER
from govbot.security.message_limit import MESSAGE_TOO_LONG
from govbot.security.secrets import internal_token
from govbot.settings import get_settings

SERVICE_UNAVAILABLE = "抱歉，知识库服务暂时无法访问，请稍后再试。您也可以拨打 12345 政务服务便民热线咨询。"
REQUEST_REFUSED = "抱歉，这个问题暂时无法处理，请换个说法再试，或拨打 12345 热线。"
MAX_ERROR_CHARS = 200
CITIZEN_STATUSES = (404, 422)  # refusals about the question itself; their short text may be shown


class KnowledgeUnavailable(RuntimeError):
    """The knowledge service did not answer in time or answered with an error."""


def _new_client() -> httpx.AsyncClient:
    settings = get_settings()
    return httpx.AsyncClient(
        base_url=settings.knowledge_url,
        timeout=settings.knowledge_timeout,
        headers={HEADER: internal_token(settings)},
        limits=pool_limits(settings.http_pool),
    )


KNOWLEDGE = SharedClient(_new_client)


def attach(app_name: str = "rasa_sdk") -> None:
    """Close the shared client when the action server (the Sanic app rasa_sdk creates) stops."""
    try:
        app = Sanic.get_app(app_name)
    except SanicException:
        return  # not inside the action server (e.g. a test importing the actions)

    async def close_client(*_: Any) -> None:
        await KNOWLEDGE.aclose()

    app.register_listener(close_client, "after_server_stop")


async def post(path: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST JSON to the knowledge service; raise :class:`KnowledgeUnavailable` on timeout or error."""
    try:
        response = await KNOWLEDGE.get().post(path, json=payload)
    except httpx.HTTPError as exc:
        raise KnowledgeUnavailable(str(exc) or type(exc).__name__) from exc
    if response.status_code >= 500:
        raise KnowledgeUnavailable(f"{path}: HTTP {response.status_code}")
    if response.status_code >= 400:
        return {"error": citizen_error(response)}
    return response.json()


def citizen_error(response: httpx.Response) -> str:
    """A short sentence for a refused request: the service's own text about the question when it is one short
    line, else a fixed sentence; never a structure, a dump or an internal reason."""
    if response.status_code == 413:
        return MESSAGE_TOO_LONG
    if response.status_code not in CITIZEN_STATUSES:
        return REQUEST_REFUSED
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return REQUEST_REFUSED
    if isinstance(detail, str) and 0 < len(detail) <= MAX_ERROR_CHARS and "\n" not in detail:
        return detail
    return REQUEST_REFUSED
