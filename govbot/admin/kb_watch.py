"""Follow other replicas' edits: with the knowledge base in the database, poll its revision and re-index when it
moved past the revision this replica last built from (an edit made here is built by the request that saved it)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from govbot.admin.reindexer import Reindexer

logger = logging.getLogger(__name__)


class RevisionWatcher:
    """Asks the re-indexer for a build when ``revision()`` differs from :attr:`built` and no build is pending."""

    def __init__(self, revision: Callable[[], int], interval: float):
        self.revision = revision
        self.built: int | None = None  # set by each build, from the revision it is about to index
        self._interval = interval
        self._stop = threading.Event()

    def _loop(self, reindexer: Reindexer) -> None:
        while not self._stop.wait(self._interval):
            try:
                if reindexer.idle and self.revision() != self.built:
                    reindexer.request()
            except Exception:  # noqa: BLE001 - the database may be briefly away; the next poll retries
                logger.exception("knowledge-base revision poll failed")

    def start(self, reindexer: Reindexer) -> RevisionWatcher:
        threading.Thread(target=self._loop, args=(reindexer,), name="kb-watch", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stop.set()
