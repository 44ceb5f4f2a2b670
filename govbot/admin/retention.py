"""Purge conversation records older than the retention period, at start-up and then periodically.

Purged: answer events, feedback, handoff tickets, review items, notifications, cancelled subscriptions, and the
events of Rasa's tracker store. Kept: active subscriptions (a standing opt-in until cancelled) and the audit log
of knowledge-base edits (staff actions on documents, no citizen data).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text

from govbot.settings import Settings
from govbot.storage.database import session_scope
from govbot.storage.models import (
    AnswerEvent,
    EventView,
    Feedback,
    HandoffTicket,
    Notification,
    ReviewItem,
    Subscription,
    utcnow,
)

logger = logging.getLogger(__name__)


def purge_older_than(url: str, days: int, tracker_url: str | None = None) -> dict[str, int]:
    """Delete records older than ``days`` from the database and the tracker store; returns counts per table."""
    cutoff = utcnow() - dt.timedelta(days=days)
    with session_scope(url) as session:
        counts = {
            model.__tablename__: session.query(model).filter(model.created_at < cutoff).delete()
            for model in (AnswerEvent, EventView, Feedback, HandoffTicket, ReviewItem, Notification)
        }
        counts["subscriptions"] = (
            session.query(Subscription).filter(Subscription.created_at < cutoff, Subscription.active == 0).delete()
        )
    sqlite_file = Path(tracker_url.removeprefix("sqlite:///")) if tracker_url and _is_sqlite(tracker_url) else None
    if tracker_url is not None and (sqlite_file is None or sqlite_file.is_file()):
        counts["tracker_events"] = purge_tracker(tracker_url, cutoff.replace(tzinfo=dt.timezone.utc).timestamp())
    return counts


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def purge_tracker(url: str, before: float) -> int:
    """Delete Rasa tracker-store events with a timestamp (seconds since the epoch) before ``before``."""
    if _is_sqlite(url):
        engine = create_engine(url, future=True, connect_args={"timeout": 30})
        event.listen(engine, "connect", lambda connection, _record: connection.execute("PRAGMA secure_delete=ON"))
    else:
        engine = create_engine(url, future=True)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        with engine.begin() as connection:
            return connection.execute(text("DELETE FROM events WHERE timestamp < :before"), {"before": before}).rowcount
    finally:
        engine.dispose()


class RetentionJob:
    """Runs the purge now and then every ``interval_hours`` in a daemon thread; errors are logged, not fatal."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._stop = threading.Event()
        self.last: dict[str, int] = {}
        self._thread = threading.Thread(target=self._loop, name="retention", daemon=True)

    def run_once(self) -> dict[str, int]:
        settings = self.settings
        self.last = purge_older_than(settings.database_url, settings.retention_days, settings.tracker_database_url)
        if any(self.last.values()):
            logger.info("retention: purged %s", self.last)
        return self.last

    def _loop(self) -> None:
        interval = max(self.settings.retention_interval_hours, 0.001) * 3600
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the next run retries; the app keeps serving
                logger.exception("retention run failed")
            self._stop.wait(interval)

    def start(self) -> RetentionJob:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
