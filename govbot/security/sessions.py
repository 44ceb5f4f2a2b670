"""Server-issued web sessions: a random id in a signed, HttpOnly, SameSite=Strict cookie.

The cookie value is ``<id>.<issued>.<signature>`` (HMAC-SHA256 over id and issue time with the session
secret). The Rasa sender id is derived from the id on the server; whatever sender a client sends is ignored,
so a conversation is readable and writable only with its own cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from fastapi import Request, Response

from govbot.security.secrets import session_secret
from govbot.settings import Settings

COOKIE = "govbot_session"
_ID_BYTES = 18


def _sign(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), f"session:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue(secret: str, now: float | None = None) -> str:
    """A new signed cookie value."""
    payload = f"{secrets.token_urlsafe(_ID_BYTES)}.{int(now if now is not None else time.time())}"
    return f"{payload}.{_sign(secret, payload)}"


def session_id(value: str | None, secret: str, max_age: float, now: float | None = None) -> str | None:
    """The id in a cookie value, or None when it is missing, forged, malformed or expired."""
    if not value or value.count(".") != 2:
        return None
    payload, _, signature = value.rpartition(".")
    if not hmac.compare_digest(signature.encode(), _sign(secret, payload).encode()):
        return None
    identifier, _, issued = payload.partition(".")
    if not issued.isdigit() or (now if now is not None else time.time()) - int(issued) > max_age:
        return None
    return identifier


@dataclass(frozen=True)
class WebSession:
    """The caller's session id and the Rasa sender ids derived from it."""

    id: str

    @property
    def chat_sender(self) -> str:
        return f"web-{self.id}"

    @property
    def elder_sender(self) -> str:
        return f"elder-{self.id}"


def _secure(settings: Settings, request: Request) -> bool:
    return settings.secure_cookies == "1" or (settings.secure_cookies == "auto" and request.url.scheme == "https")


def current_session(request: Request, response: Response, create: bool = True) -> WebSession | None:
    """The caller's session; a new one (cookie set on ``response``) when it has none and ``create`` is true."""
    settings: Settings = request.app.state.settings
    secret = session_secret(settings)
    max_age = settings.session_days * 86400
    identifier = session_id(request.cookies.get(COOKIE), secret, max_age)
    if identifier is not None:
        return WebSession(identifier)
    if not create:
        return None
    value = issue(secret)
    response.set_cookie(
        COOKIE,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=_secure(settings, request),
        path="/",
    )
    return WebSession(value.split(".", 1)[0])
