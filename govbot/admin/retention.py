"""Purge conversation records older than the retention period."""

from __future__ import annotations

import datetime as dt

from govbot.storage.database import session_scope
from govbot.storage.models import AnswerEvent, Feedback, HandoffTicket, ReviewItem, utcnow


def purge_older_than(url: str, days: int) -> dict[str, int]:
    """Delete events, feedback, tickets and closed review items older than ``days``; returns counts."""
    cutoff = utcnow() - dt.timedelta(days=days)
    with session_scope(url) as session:
        counts = {
            "answer_events": session.query(AnswerEvent).filter(AnswerEvent.created_at < cutoff).delete(),
            "feedback": session.query(Feedback).filter(Feedback.created_at < cutoff).delete(),
            "handoff_tickets": session.query(HandoffTicket).filter(HandoffTicket.created_at < cutoff).delete(),
            "review_items": session.query(ReviewItem)
            .filter(ReviewItem.created_at < cutoff, ReviewItem.status != "open")
            .delete(),
        }
    return counts
