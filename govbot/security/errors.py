"""App-wide error handlers: every error body is ``{"detail": <short Chinese>}``; nothing internal leaks.

Validation dumps, English details (status phrases, framework messages), detail lists and unexpected exceptions
become fixed Chinese sentences; the details go to the server log. Structured details for staff
(``{"message": ..., ...}`` from the admin API's document validation) are kept.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

logger = logging.getLogger(__name__)
MAX_DETAIL_CHARS = 300
NO_BODY = (204, 304)
TOO_LONG = "提交的内容过长，请精简后再试。"
MISSING = "缺少必要的内容，请补充后再试。"
INVALID = "请求格式有误，请检查后再试。"
INTERNAL = "服务器内部错误，请稍后再试，或拨打 12345 热线。"
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"anyOf": [{"type": "string"}, {"type": "object"}], "title": "Detail"}},
}
BY_STATUS = {
    400: INVALID,
    401: "需要登录。",
    403: "没有权限。",
    404: "未找到该地址。",
    405: "不支持该请求方式。",
    406: "不支持该响应格式。",
    413: "提交的内容过大。",
    415: "不支持该内容类型。",
    422: INVALID,
    429: "请求过于频繁，请稍后再试。",
    503: "服务暂时不可用，请稍后再试。",
}


def validation_message(errors: list[dict]) -> str:
    """One short sentence for a list of validation errors (their kinds only, never their text)."""
    kinds = " ".join(str(e.get("type", "")) for e in errors)
    if "max_length" in kinds or "max_items" in kinds or "too_long" in kinds:
        return TOO_LONG
    if "missing" in kinds:
        return MISSING
    return INVALID


def safe_detail(status: int, detail: object) -> object:
    """The detail as citizens and staff may see it."""
    if isinstance(detail, dict) and isinstance(detail.get("message"), str):
        return detail
    # The app's own details are Chinese; an ASCII-only one comes from a framework ("There was an error parsing
    # the body") and is replaced by the status's sentence.
    if isinstance(detail, str) and detail and not detail.isascii() and len(detail) <= MAX_DETAIL_CHARS:
        return detail
    return BY_STATUS.get(status, INVALID if status < 500 else INTERNAL)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    logger.info("invalid request to %s: %d problems", request.url.path, len(exc.errors()))
    return JSONResponse({"detail": validation_message(exc.errors())}, status_code=422)


def allowed_methods(request: Request) -> str:
    """Every method the app's routes serve for this path (Starlette names only the first matching route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if getattr(route, "methods", None) and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods))


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": allowed_methods(request)}
    if exc.status_code in NO_BODY:
        return Response(status_code=exc.status_code, headers=headers)
    return JSONResponse({"detail": safe_detail(exc.status_code, exc.detail)}, exc.status_code, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": INTERNAL}, status_code=500)


def _document_error_bodies(app: FastAPI) -> None:
    """Describe 422 bodies in the OpenAPI schema as they are sent (a sentence, not a list of problems)."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schemas = generate().setdefault("components", {}).setdefault("schemas", {})
            schemas["HTTPValidationError"] = ERROR_SCHEMA
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on ``app`` and document the error bodies they send."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
    _document_error_bodies(app)
