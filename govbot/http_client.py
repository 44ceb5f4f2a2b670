"""One pooled HTTP client per process for calls between govbot's processes (keep-alive, no per-call set-up)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx


class SharedClient:
    """A lazily created ``httpx.AsyncClient`` shared by every call in the process, closed by :meth:`aclose`.

    A client belongs to the event loop it was first used in; a call from another loop (only in tests, which
    run each request in a fresh loop) gets a client of its own.
    """

    def __init__(self, factory: Callable[[], httpx.AsyncClient]):
        self._factory = factory
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.created = 0  # how many clients were made (one per process in normal operation)

    def get(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._client.is_closed or self._loop is not loop:
            self._client, self._loop = self._factory(), loop
            self.created += 1
        return self._client

    async def aclose(self) -> None:
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.aclose()
        self._client, self._loop = None, None


def pool_limits(size: int) -> httpx.Limits:
    """Up to ``size`` connections, all kept alive between calls."""
    return httpx.Limits(max_connections=size, max_keepalive_connections=size)
