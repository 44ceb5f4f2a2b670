"""Wire the web hardening into the app: error handlers, then middleware from the outside in.

Order of a request: security headers (added to every answer below) → Host allow-list → body size → rate limits
→ the routes (authentication and body parsing happen only there).
"""

from __future__ import annotations

from fastapi import FastAPI

from govbot.api.responses import ERROR_CONTENT
from govbot.security.body_limit import BodyLimitMiddleware
from govbot.security.errors import install_error_handlers
from govbot.security.headers import SecurityHeadersMiddleware
from govbot.security.hosts import HostAllowListMiddleware
from govbot.security.rate_limit import RateLimitMiddleware, Rule
from govbot.settings import Settings

ADMIN_PREFIX = UPLOAD_PREFIX = "/admin/"


def rate_rules(settings: Settings) -> list[Rule]:
    return [
        Rule("chat", settings.rate_chat, ("/api/chat", "/api/elder")),
        Rule("search", settings.rate_search, ("/search", "/admin/search-test")),
        Rule("tts", settings.rate_tts, ("/tts",)),
        Rule("admin-auth", settings.rate_admin_failures, ("/admin",), failures_only=True),
    ]


def _shape_openapi(app: FastAPI, rules: list[Rule], with_admin: bool) -> None:
    """The OpenAPI schema without the admin API (unless ``with_admin``), and with the middleware's answers:
    400 and 413 where a body is sent, 429 where a rate applies."""
    generate = app.openapi
    error = {"content": ERROR_CONTENT}
    limited = [rule for rule in rules if rule.rate.strip().lower() not in ("", "off")]

    def openapi() -> dict:
        if app.openapi_schema is None:
            paths = generate().get("paths", {})
            for path in [p for p in paths if p.startswith(ADMIN_PREFIX) and not with_admin]:
                del paths[path]
            for path, operations in paths.items():
                for operation in operations.values():
                    responses = operation.setdefault("responses", {})
                    if "requestBody" in operation:
                        responses.setdefault("400", {"description": "请求体无法解析", **error})
                        responses.setdefault("413", {"description": "请求体过大", **error})
                    if any(rule.matches(path) for rule in limited):
                        responses.setdefault("429", {"description": "请求过于频繁", **error})
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add the error handlers and the middleware stack to ``app``."""
    upload_limit, body_limit = settings.max_upload_mb << 20, settings.max_body_kb << 10

    def limit_for(path: str) -> int:
        return upload_limit if path.startswith(UPLOAD_PREFIX) else body_limit

    rules = rate_rules(settings)
    install_error_handlers(app)
    _shape_openapi(app, rules, settings.docs_admin)
    app.add_middleware(RateLimitMiddleware, rules=rules, redis_url=settings.redis_url)  # innermost
    app.add_middleware(BodyLimitMiddleware, limit_for=limit_for)
    app.add_middleware(HostAllowListMiddleware, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost
