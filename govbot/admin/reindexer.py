"""Keep the index in step with the knowledge base: incremental rebuilds in one background worker.

Requests that arrive while a build runs are merged into the next build. Waiters are released when a build
that started after their request has published (or failed). No error stops the worker: a failed build is
retried with exponential backoff (sooner when a new request arrives), and until one succeeds the status is
``degraded`` with a short description of the last error, while the previous snapshot keeps serving.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from index.builder import BuildResult

logger = logging.getLogger(__name__)
MAX_ERROR_CHARS = 200
MAX_RETRY_SECONDS = 60.0
_DIRECTORIES = re.compile(r"(?:/[^/\s'\"]+)+/")


def short_error(exc: BaseException) -> str:
    """The exception's kind and first line, without directories, at most 200 characters."""
    first_line = (str(exc).strip().splitlines() or [""])[0]
    text = f"{type(exc).__name__}: {_DIRECTORIES.sub('', first_line)}" if first_line else type(exc).__name__
    return text[:MAX_ERROR_CHARS]


@dataclass
class ReindexStatus:
    requested: int = 0
    completed: int = 0
    last_version: str | None = None
    last_error: str | None = None
    last_seconds: float = 0.0
    failures: int = 0

    @property
    def degraded(self) -> bool:
        """True while the last build failed: edits since the served snapshot are not live yet."""
        return self.last_error is not None


class Reindexer:
    """Runs ``build`` on request, one at a time, and calls ``on_built`` with each result."""

    def __init__(
        self,
        build: Callable[[], BuildResult],
        on_built: Callable[[BuildResult], None] | None = None,
        retry_seconds: float = 2.0,
    ):
        self._build = build
        self._on_built = on_built
        self._retry_seconds = retry_seconds
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

    @property
    def idle(self) -> bool:
        """True when every request has been built (or has failed and waits for its retry)."""
        with self._cond:
            return self.status.completed >= self.status.requested

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

    def _retry_delay(self) -> float | None:
        """Seconds until a failed build is retried; None when nothing failed."""
        if not self.status.failures:
            return None
        return min(MAX_RETRY_SECONDS, self._retry_seconds * 2 ** (self.status.failures - 1))

    def _next_target(self) -> int:
        """Block until there is a request or a retry is due; the request count the build will cover."""
        with self._cond:
            delay = self._retry_delay()
            deadline = None if delay is None else time.monotonic() + delay
            while self.status.completed >= self.status.requested:
                if deadline is None:
                    self._cond.wait()
                elif (remaining := deadline - time.monotonic()) > 0:
                    self._cond.wait(remaining)
                else:
                    break
            return self.status.requested

    def _run(self) -> None:
        while True:
            target = self._next_target()
            started = time.perf_counter()
            try:
                result, error = self._build(), None
            except Exception as exc:  # noqa: BLE001 - any failure is reported and retried, never fatal
                result, error = None, short_error(exc)
                logger.exception("re-index failed (will retry)")
            if result is not None and self._on_built is not None:
                try:
                    self._on_built(result)
                except Exception:  # noqa: BLE001 - a notification failure must not stop re-indexing
                    logger.exception("after-build hook failed")
            with self._cond:
                self.status.completed = max(self.status.completed, target)
                self.status.last_error = error
                self.status.failures = 0 if error is None else self.status.failures + 1
                self.status.last_seconds = time.perf_counter() - started
                if result is not None:
                    self.status.last_version = result.version
                self._cond.notify_all()
