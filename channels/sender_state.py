"""Per-sender state with a bound: at most ``max_senders`` entries, each forgotten ``ttl`` seconds after last use."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SenderState(Generic[T]):
    """A least-recently-used map with a time-to-live; the oldest entries go first when it is full."""

    def __init__(self, max_senders: int, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.max_senders = max_senders
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, T]] = OrderedDict()

    def __len__(self) -> int:
        self._expire()
        return len(self._entries)

    def _expire(self) -> None:
        cutoff = self._clock() - self.ttl
        while self._entries and next(iter(self._entries.values()))[0] < cutoff:
            self._entries.popitem(last=False)

    def get(self, sender: str) -> T | None:
        self._expire()
        entry = self._entries.get(sender)
        if entry is None:
            return None
        self._entries[sender] = (self._clock(), entry[1])
        self._entries.move_to_end(sender)
        return entry[1]

    def setdefault(self, sender: str, factory: Callable[[], T]) -> T:
        """The sender's value, created with ``factory`` when it has none."""
        value = self.get(sender)
        if value is None:
            value = factory()
            self.put(sender, value)
        return value

    def put(self, sender: str, value: T) -> None:
        self._expire()
        self._entries[sender] = (self._clock(), value)
        self._entries.move_to_end(sender)
        while len(self._entries) > self.max_senders:
            self._entries.popitem(last=False)
