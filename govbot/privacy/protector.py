"""The data key: encrypts what staff must read back (ticket callback numbers) and keys sender-id hashes.

The key is ``GOVBOT_DATA_KEY`` (a Fernet key) or, when unset, the file ``var/secrets/data.key``, generated once
with mode 0600 and published atomically, so the app, the action server and Rasa all use the same key.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from govbot.security.secrets import create_private_file
from govbot.settings import get_settings


class DataKeyError(RuntimeError):
    """The configured data key is not a valid Fernet key."""


def load_or_create_key(path: Path) -> bytes:
    """The key stored at ``path``; generated there first (mode 0600, never half-written) when missing."""
    if not path.is_file():
        create_private_file(path, Fernet.generate_key().decode("ascii") + "\n")
    return path.read_bytes().strip()


class DataProtector:
    """Encryption of values staff must read back, and keyed hashes of identities that must not be stored."""

    def __init__(self, key: bytes):
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise DataKeyError("GOVBOT_DATA_KEY must be a Fernet key (32 bytes, URL-safe base64)") from None
        self._hash_key = hmac.new(key, b"govbot sender id", hashlib.sha256).digest()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str | None:
        """The plain value, or None when the token was not made with this key."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            return None

    def identity(self, sender: str) -> str:
        """A keyed hash (HMAC-SHA256) of a sender id: equal for equal ids, unlinkable without the key."""
        return hmac.new(self._hash_key, sender.encode("utf-8"), hashlib.sha256).hexdigest()


@lru_cache(maxsize=1)
def get_protector() -> DataProtector:
    """The process-wide protector, from the configured key or the key file."""
    settings = get_settings()
    key = settings.data_key.encode() if settings.data_key else load_or_create_key(settings.data_key_file)
    return DataProtector(key)
