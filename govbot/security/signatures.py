"""HMAC-SHA256 signatures of request bodies between a gateway (or the app) and the plain-text channel."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-Govbot-Signature"
_PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """The header value for ``body``: ``sha256=<hex>``."""
    return _PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of ``body``; compared in constant time."""
    return bool(header) and hmac.compare_digest(header.strip().encode(), sign(secret, body).encode())
