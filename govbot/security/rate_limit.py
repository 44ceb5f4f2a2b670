"""Per-client rate limits (``limits`` library) on chat, search, speech, and admin authentication failures.

Fixed windows: expired counters are dropped, so memory stays bounded however many clients come and go. The
counters live in memory, or in Redis when ``GOVBOT_REDIS_URL`` is set (the cluster), so that every app replica
counts the same client together. If Redis cannot be reached, requests pass (logged): the limits protect the
service, they must not take it down.

Each rule names path prefixes and a rate like ``30/minute`` (empty or ``off`` disables it). A request over
its rule's rate gets 429 with a Chinese message and ``Retry-After``. Admin requests are counted only when they
fail authentication (401); a client past that rate is refused on every admin path until the window moves.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_MANY = "请求过于频繁，请 {seconds} 秒后再试。"
ADMIN_LOCKED = "登录失败次数过多，请 {seconds} 秒后再试。"
logger = logging.getLogger("govbot.security")


@dataclass(frozen=True)
class Rule:
    """A named rate for requests whose path starts with one of ``prefixes``."""

    name: str
    rate: str
    prefixes: tuple[str, ...]
    failures_only: bool = False

    def matches(self, path: str) -> bool:
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.prefixes)


def _item(rate: str) -> RateLimitItem | None:
    rate = rate.strip()
    return None if rate.lower() in ("", "off") else parse(rate)


def counter_storage(redis_url: str) -> Storage:
    """Where the counters live: Redis at ``redis_url``, else this process's memory."""
    return storage_from_string(redis_url) if redis_url else MemoryStorage()


class RateLimitMiddleware:
    """Pure ASGI middleware applying every matching rule per client address."""

    def __init__(self, app: ASGIApp, rules: list[Rule], redis_url: str = ""):
        self.app = app
        self.rules = [(rule, item) for rule in rules if (item := _item(rule.rate)) is not None]
        self.storage = counter_storage(redis_url)  # the limiter holds only a weak reference to it
        self.limiter = FixedWindowRateLimiter(self.storage)

    def _allowed(self, rule: Rule, item: RateLimitItem, client: str) -> bool:
        check = self.limiter.test if rule.failures_only else self.limiter.hit
        try:
            return check(item, rule.name, client)
        except (RedisError, OSError) as exc:
            logger.warning("rate limit %s not applied: counter store unreachable (%s)", rule.name, exc)
            return True

    def _count_failure(self, rule: Rule, item: RateLimitItem, client: str) -> None:
        try:
            self.limiter.hit(item, rule.name, client)
        except (RedisError, OSError) as exc:
            logger.warning("rate limit %s not counted: counter store unreachable (%s)", rule.name, exc)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        matching = [(rule, item) for rule, item in self.rules if rule.matches(scope["path"])]
        client = (scope.get("client") or ("unknown", 0))[0]
        for rule, item in matching:
            if not self._allowed(rule, item, client):
                await self._refuse(send, rule, item, client)
                return
        failure_rules = [(rule, item) for rule, item in matching if rule.failures_only]
        if not failure_rules:
            await self.app(scope, receive, send)
            return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                for rule, item in failure_rules:
                    self._count_failure(rule, item, client)
            await send(message)

        await self.app(scope, receive, counting_send)

    async def _refuse(self, send: Send, rule: Rule, item: RateLimitItem, client: str) -> None:
        try:
            reset, _ = self.limiter.get_window_stats(item, rule.name, client)
        except (RedisError, OSError):
            reset = time.time() + item.get_expiry()
        seconds = max(1, math.ceil(reset - time.time()))
        message = ADMIN_LOCKED if rule.failures_only else TOO_MANY
        body = json.dumps({"detail": message.format(seconds=seconds)}, ensure_ascii=False).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(seconds).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
