"""Bearer-token authentication for the admin API, with roles ``editor`` and ``viewer`` and department scopes.

Tokens come from ``GOVBOT_ADMIN_TOKENS`` (``token:role`` or ``token:role:department``, comma-separated) or
from a tokens file (``GOVBOT_ADMIN_TOKENS_FILE``, one ``name token role [department]`` per line), which is
re-read whenever it changes. Tokens shorter than :data:`MIN_TOKEN_LENGTH` are ignored with a warning.
Tokens are compared in constant time and never logged; the audit log names a token by its name, or by its
role and a short fingerprint.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from govbot.security.secrets import create_private_file

logger = logging.getLogger(__name__)
ROLES = ("editor", "viewer")
MIN_TOKEN_LENGTH = 24


@dataclass(frozen=True)
class Principal:
    """Who is calling: a name for the audit log, a role, and the department it may edit (None: all)."""

    name: str
    role: str
    department: str | None = None

    @property
    def can_write(self) -> bool:
        return self.role == "editor"

    def may_edit(self, department: str | None) -> bool:
        """Whether this principal may write a document of ``department``."""
        return self.department is None or department == self.department


@dataclass(frozen=True)
class _Token:
    secret: bytes
    principal: Principal


@dataclass
class ParsedTokens:
    """The accepted tokens, and a warning for each one that was ignored."""

    tokens: list[_Token] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def add(self, token: str, principal: Principal, where: str) -> None:
        if len(token) < MIN_TOKEN_LENGTH:
            self.rejected.append(f"{where}: token shorter than {MIN_TOKEN_LENGTH} characters, ignored")
        else:
            self.tokens.append(_Token(token.encode(), principal))


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:8]


class TokenError(ValueError):
    """The token configuration is malformed."""


def _env_pair(pair: str) -> tuple[str, str, str | None]:
    parts = pair.split(":")
    if len(parts) >= 2 and parts[-1] in ROLES:
        return ":".join(parts[:-1]), parts[-1], None
    if len(parts) >= 3 and parts[-2] in ROLES and parts[-1].strip():
        return ":".join(parts[:-2]), parts[-2], parts[-1].strip()
    raise TokenError(
        "GOVBOT_ADMIN_TOKENS must be comma-separated token:role or token:role:department, role editor or viewer"
    )


def parse_tokens(env_value: str, file_text: str = "") -> ParsedTokens:
    """Tokens from the environment value and the tokens file text."""
    parsed = ParsedTokens()
    for number, pair in enumerate(filter(None, (p.strip() for p in env_value.split(","))), start=1):
        token, role, department = _env_pair(pair)
        name = f"{role}-{fingerprint(token)}"
        parsed.add(token, Principal(name, role, department), f"GOVBOT_ADMIN_TOKENS entry {number} ({role})")
    for number, line in enumerate(file_text.splitlines(), start=1):
        parts = line.split()
        if not parts or line.lstrip().startswith("#"):
            continue
        if len(parts) < 3 or parts[2] not in ROLES:
            raise TokenError(f"tokens file line {number}: expected 'name token role [department]'")
        department = " ".join(parts[3:]) or None
        parsed.add(parts[1], Principal(parts[0], parts[2], department), f"tokens file line {number} ({parts[0]})")
    return parsed


class TokenAuthority:
    """Checks bearer tokens against the configured ones, re-reading the tokens file when it changes."""

    def __init__(self, env_value: str, tokens_file: Path | None = None):
        self._env_value = env_value
        self._file = tokens_file
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._tokens: list[_Token] = []
        self.rejected: list[str] = []
        self._load(self._file_stamp())

    @classmethod
    def from_settings(cls, env_value: str, tokens_file: Path) -> TokenAuthority:
        return cls(env_value, tokens_file)

    def _file_stamp(self) -> tuple[int, int, int] | None:
        if self._file is None:
            return None
        try:
            status = self._file.stat()
        except FileNotFoundError:
            return None
        return status.st_mtime_ns, status.st_size, status.st_ino

    def _load(self, stamp: tuple[int, int, int] | None) -> None:
        text = self._file.read_text("utf-8") if stamp is not None and self._file is not None else ""
        parsed = parse_tokens(self._env_value, text)
        self._tokens, self.rejected, self._stamp = parsed.tokens, parsed.rejected, stamp
        for warning in parsed.rejected:
            logger.warning("admin tokens: %s", warning)

    def _refresh(self) -> None:
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            try:
                self._load(stamp)
            except (TokenError, OSError, UnicodeDecodeError) as exc:
                self._stamp = stamp
                logger.error("admin tokens file not reloaded, keeping the previous tokens: %s", exc)

    def identify(self, presented: str | None) -> Principal | None:
        """The principal of a token, or None; every configured token is compared, in constant time."""
        if not presented:
            return None
        self._refresh()
        found = None
        candidate = presented.encode()
        for token in self._tokens:
            if hmac.compare_digest(token.secret, candidate):
                found = token.principal
        return found


def ensure_token_file(tokens_file: Path, env_value: str) -> bool:
    """Create a private (0600) tokens file with one editor token when none is configured; True if it did."""
    if env_value.strip() or tokens_file.is_file():
        return False
    text = f"# name token role [department]\nadmin {secrets.token_urlsafe(24)} editor\n"
    return create_private_file(tokens_file, text)
