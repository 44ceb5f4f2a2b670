"""Wire the web hardening into the app: error handlers, then middleware from the outside in.

Order of a request: security headers (added to every answer below) → Host allow-list → body size → rate limits
→ the routes (authentication and body parsing happen only there).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware

from govbot.security.body_limit import BodyLimitMiddleware
from govbot.security.errors import install_error_handlers
from govbot.security.headers import SecurityHeadersMiddleware
from govbot.security.rate_limit import RateLimitMiddleware, Rule
from govbot.settings import Settings

UPLOAD_PREFIX = "/admin/"


def rate_rules(settings: Settings) -> list[Rule]:
    return [
        Rule("chat", settings.rate_chat, ("/api/chat", "/api/elder")),
        Rule("search", settings.rate_search, ("/search", "/admin/search-test")),
        Rule("tts", settings.rate_tts, ("/tts",)),
        Rule("admin-auth", settings.rate_admin_failures, ("/admin",), failures_only=True),
    ]


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add the error handlers and the middleware stack to ``app``."""
    upload_limit, body_limit = settings.max_upload_mb << 20, settings.max_body_kb << 10

    def limit_for(path: str) -> int:
        return upload_limit if path.startswith(UPLOAD_PREFIX) else body_limit

    install_error_handlers(app)
    app.add_middleware(RateLimitMiddleware, rules=rate_rules(settings))  # innermost
    app.add_middleware(BodyLimitMiddleware, limit_for=limit_for)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost
