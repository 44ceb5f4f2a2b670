"""Shared OpenAPI declarations: the error answers routes can give, with the app's error body.

Every error body is ``{"detail": <short Chinese sentence>}`` (see :mod:`govbot.security.errors`); routers and
endpoints list here the statuses they can answer, so the schema tells clients (and the fuzz test) the truth.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

DESCRIPTIONS = {
    400: "请求格式不正确",
    401: "缺少或无效的令牌",
    403: "没有权限",
    404: "未找到",
    412: "文档已被修改（If-Match 不符）或已存在（If-None-Match: *）",
    413: "请求体过大",
    428: "缺少 If-Match 或 If-None-Match 请求头",
    502: "对话服务出错",
    503: "服务暂时不可用",
}


# The error body as the handlers send it (govbot.security.errors documents this component as ``{"detail": ...}``);
# JSON even where the success answer is audio or CSV.
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these status codes."""
    return {code: {"description": DESCRIPTIONS[code], "content": ERROR_CONTENT} for code in codes}


ADMIN = errors(401, 403)  # the admin routers: no or unknown token, or a read-only token writing
INTERNAL = errors(401)  # the internal routers (action server → app): no or wrong service token


class WavResponse(Response):
    """A WAV file (``response_class`` documents the media type)."""

    media_type = "audio/wav"


class CsvResponse(Response):
    """A CSV download; Starlette adds ``; charset=utf-8``."""

    media_type = "text/csv"
