"""Figures for staff and decision makers (科学决策): volumes, outcomes, satisfaction, top documents, latency,
and life events (started, steps viewed, where people stop)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, func

from govbot.events.analytics import event_analytics
from govbot.storage.database import session_scope
from govbot.storage.models import AnswerEvent, Feedback, HandoffTicket

TOP = 10


def _median(session, start: dt.datetime, end: dt.datetime) -> float | None:
    """Median response time at 1 ms resolution, from a histogram the database aggregates in one pass."""
    bucket = func.cast(AnswerEvent.latency_ms, Integer)
    histogram = (
        session.query(bucket, func.count())
        .filter(AnswerEvent.created_at >= start, AnswerEvent.created_at < end, AnswerEvent.latency_ms.isnot(None))
        .group_by(bucket)
        .order_by(bucket)
        .all()
    )
    total = sum(count for _, count in histogram)
    if not total:
        return None
    seen = 0
    for milliseconds, count in histogram:
        seen += count
        if seen * 2 >= total:
            return float(milliseconds)
    return None


def analytics(url: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Figures for questions asked from ``start`` up to and including ``end`` (dates in UTC)."""
    lo = dt.datetime.combine(start, dt.time())
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    in_range = (AnswerEvent.created_at >= lo, AnswerEvent.created_at < hi)
    with session_scope(url) as session:
        day = func.date(AnswerEvent.created_at)
        per_day = (
            session.query(day, AnswerEvent.channel, func.count()).filter(*in_range).group_by(day, AnswerEvent.channel)
        )
        by_day: dict[str, dict[str, int]] = {}
        for day_value, channel, count in per_day:
            by_day.setdefault(str(day_value), {})[channel or "unknown"] = count
        outcomes = dict(
            session.query(AnswerEvent.decision, func.count()).filter(*in_range).group_by(AnswerEvent.decision)
        )
        handoffs = (
            session.query(func.count(HandoffTicket.id))
            .filter(HandoffTicket.created_at >= lo, HandoffTicket.created_at < hi)
            .scalar()
        )
        ratings = dict(
            session.query(Feedback.rating, func.count())
            .filter(Feedback.created_at >= lo, Feedback.created_at < hi)
            .group_by(Feedback.rating)
        )
        top_docs = (
            session.query(AnswerEvent.doc_id, func.count().label("n"))
            .filter(*in_range, AnswerEvent.decision == "answer", AnswerEvent.doc_id.isnot(None))
            .group_by(AnswerEvent.doc_id)
            .order_by(func.count().desc())
            .limit(TOP)
            .all()
        )
        median = _median(session, lo, hi)
    total = sum(outcomes.values())
    answered_like = {k: outcomes.get(k, 0) for k in ("answer", "event", "clarify", "fallback")}
    rated = ratings.get(1, 0) + ratings.get(-1, 0)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "messages": total,
        "per_day": [{"date": d, "channels": c, "total": sum(c.values())} for d, c in sorted(by_day.items())],
        "outcomes": {k: {"count": v, "share": round(v / total, 4) if total else 0.0} for k, v in answered_like.items()}
        | {"handoff": {"count": handoffs, "share": round(handoffs / total, 4) if total else 0.0}},
        "satisfaction": {
            "positive": ratings.get(1, 0),
            "negative": ratings.get(-1, 0),
            "share": round(ratings.get(1, 0) / rated, 4) if rated else None,
        },
        "top_documents": [{"doc_id": d, "count": n} for d, n in top_docs],
        "median_response_ms": median,
        "events": event_analytics(url, lo, hi),
    }
