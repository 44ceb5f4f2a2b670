"""Secrets from the environment, or generated once into the var folder as private (0600) files.

A generated file is written completely under a temporary name with mode 0600 and then hard-linked into
place, so a reader never sees a partial or world-readable secret, and two processes starting at the same
time agree on one value (the second link fails and it reads the first).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path

from govbot.settings import Settings

SECRET_BYTES = 32


def create_private_file(path: Path, text: str) -> bool:
    """Create ``path`` with ``text`` and mode 0600 atomically; False (nothing written) if it already exists."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def ensure_secret(path: Path) -> str:
    """The secret stored in ``path``, generated first when the file does not exist yet."""
    if not path.is_file():
        create_private_file(path, secrets.token_urlsafe(SECRET_BYTES) + "\n")
    return path.read_text("utf-8").strip()


@lru_cache(maxsize=32)
def _resolve(configured: str, settings: Settings, name: str) -> str:
    return configured or ensure_secret(settings.secrets_dir / name)


def session_secret(settings: Settings) -> str:
    """Signs web session cookies (``GOVBOT_SESSION_SECRET``)."""
    return _resolve(settings.session_secret, settings, "session_secret")


def internal_token(settings: Settings) -> str:
    """Authenticates the action server to the app's internal endpoints (``GOVBOT_INTERNAL_TOKEN``)."""
    return _resolve(settings.internal_token, settings, "internal_token")


def rasa_token(settings: Settings) -> str:
    """Rasa's ``--auth-token`` for its HTTP API (``GOVBOT_RASA_TOKEN``)."""
    return _resolve(settings.rasa_token, settings, "rasa_token")


def gateway_secret(settings: Settings) -> str:
    """Signs requests to the plain-text channel (``GOVBOT_GATEWAY_SECRET``)."""
    return _resolve(settings.gateway_secret, settings, "gateway_secret")


def ensure_all(settings: Settings) -> None:
    """Generate every secret that is not configured, before the services start (so they never race)."""
    for resolve in (session_secret, internal_token, rasa_token, gateway_secret):
        resolve(settings)
