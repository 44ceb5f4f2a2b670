"""Bearer-token authentication for the admin API, with roles ``editor`` and ``viewer``.

Tokens come from ``GOVBOT_ADMIN_TOKENS`` (``token:role,token:role``) or from a tokens file
(``GOVBOT_ADMIN_TOKENS_FILE``, one ``name token role`` per line). Tokens are compared in constant time and
never logged; the audit log names a token by its name, or by its role and a short fingerprint.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

ROLES = ("editor", "viewer")


@dataclass(frozen=True)
class Principal:
    """Who is calling: a name for the audit log, and a role."""

    name: str
    role: str

    @property
    def can_write(self) -> bool:
        return self.role == "editor"


@dataclass(frozen=True)
class _Token:
    secret: bytes
    principal: Principal


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:8]


class TokenError(ValueError):
    """The token configuration is malformed."""


def parse_tokens(env_value: str, file_text: str = "") -> list[_Token]:
    """Tokens from the environment value and the tokens file text."""
    tokens = []
    for pair in filter(None, (p.strip() for p in env_value.split(","))):
        token, _, role = pair.rpartition(":")
        if not token or role not in ROLES:
            raise TokenError("GOVBOT_ADMIN_TOKENS must be comma-separated token:role pairs with role editor or viewer")
        tokens.append(_Token(token.encode(), Principal(f"{role}-{fingerprint(token)}", role)))
    for number, line in enumerate(file_text.splitlines(), start=1):
        parts = line.split()
        if not parts or line.lstrip().startswith("#"):
            continue
        if len(parts) != 3 or parts[2] not in ROLES:
            raise TokenError(f"tokens file line {number}: expected 'name token role'")
        tokens.append(_Token(parts[1].encode(), Principal(parts[0], parts[2])))
    return tokens


class TokenAuthority:
    """Checks bearer tokens against the configured ones."""

    def __init__(self, tokens: list[_Token]):
        self._tokens = tokens

    @classmethod
    def from_settings(cls, env_value: str, tokens_file: Path) -> TokenAuthority:
        text = tokens_file.read_text("utf-8") if tokens_file.is_file() else ""
        return cls(parse_tokens(env_value, text))

    def identify(self, presented: str | None) -> Principal | None:
        """The principal of a token, or None; every configured token is compared, in constant time."""
        if not presented:
            return None
        found = None
        candidate = presented.encode()
        for token in self._tokens:
            if hmac.compare_digest(token.secret, candidate):
                found = token.principal
        return found


def ensure_token_file(tokens_file: Path, env_value: str) -> bool:
    """Create a tokens file with one editor token when none is configured. True when it created one."""
    if env_value.strip() or tokens_file.is_file():
        return False
    tokens_file.parent.mkdir(parents=True, exist_ok=True)
    tokens_file.write_text(f"# name token role\nadmin {secrets.token_urlsafe(24)} editor\n", "utf-8")
    tokens_file.chmod(0o600)
    return True
