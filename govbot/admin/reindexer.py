"""Keep the index in step with the knowledge base: incremental rebuilds in one background worker.

Requests that arrive while a build runs are merged into the next build. Waiters are released when a build
that started after their request has published (or failed).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from index.builder import BuildError, BuildResult

logger = logging.getLogger(__name__)


@dataclass
class ReindexStatus:
    requested: int = 0
    completed: int = 0
    last_version: str | None = None
    last_error: str | None = None
    last_seconds: float = 0.0


class Reindexer:
    """Runs ``build`` on request, one at a time, and calls ``on_built`` with each result."""

    def __init__(self, build: Callable[[], BuildResult], on_built: Callable[[BuildResult], None] | None = None):
        self._build = build
        self._on_built = on_built
        self._cond = threading.Condition()
        self.status = ReindexStatus()
        self._thread = threading.Thread(target=self._run, name="reindexer", daemon=True)
        self._thread.start()

    def request(self) -> int:
        """Ask for a rebuild; returns a ticket to wait on."""
        with self._cond:
            self.status.requested += 1
            self._cond.notify_all()
            return self.status.requested

    def wait(self, ticket: int, timeout: float) -> bool:
        """Wait until a build covering ``ticket`` finished; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.status.completed < ticket:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def _run(self) -> None:
        while True:
            with self._cond:
                while self.status.completed >= self.status.requested:
                    self._cond.wait()
                target = self.status.requested
            started = time.perf_counter()
            try:
                result = self._build()
                error = None
            except (BuildError, OSError, ValueError) as exc:
                result, error = None, str(exc)
                logger.error("re-index failed: %s", exc)
            if result is not None and self._on_built is not None:
                try:
                    self._on_built(result)
                except Exception:  # noqa: BLE001 - a notification failure must not stop re-indexing
                    logger.exception("after-build hook failed")
            with self._cond:
                self.status.completed = target
                self.status.last_error = error
                self.status.last_seconds = time.perf_counter() - started
                if result is not None:
                    self.status.last_version = result.version
                self._cond.notify_all()
