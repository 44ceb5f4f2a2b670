"""Life-event figures for staff: events started, views per step, and where people stop."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func

from govbot.storage.database import session_scope
from govbot.storage.models import EventView


def event_analytics(url: str, lo: dt.datetime, hi: dt.datetime) -> list[dict[str, Any]]:
    """Per event, most started first: ``started``, ``step_views`` ``[{step, views}]`` and ``stops``
    ``[{step, people}]``, where a person stops at the last step they viewed (0: they only saw the plan)."""
    in_range = (EventView.created_at >= lo, EventView.created_at < hi)
    with session_scope(url) as session:
        views = (
            session.query(EventView.event_id, EventView.step, func.count())
            .filter(*in_range)
            .group_by(EventView.event_id, EventView.step)
            .all()
        )
        # The last step each person viewed of each event, by the latest row (ids grow with time).
        last = (
            session.query(func.max(EventView.id))
            .filter(*in_range)
            .group_by(EventView.event_id, EventView.sender)
            .subquery()
        )
        stops = (
            session.query(EventView.event_id, EventView.step, func.count())
            .filter(EventView.id.in_(session.query(last)))
            .group_by(EventView.event_id, EventView.step)
            .all()
        )
    events: dict[str, dict[str, Any]] = {}
    for event_id, step, count in views:
        entry = events.setdefault(event_id, {"event_id": event_id, "started": 0, "step_views": [], "stops": []})
        if step == 0:
            entry["started"] = count
        else:
            entry["step_views"].append({"step": step, "views": count})
    for event_id, step, count in stops:
        events[event_id]["stops"].append({"step": step, "people": count})
    for entry in events.values():
        entry["step_views"].sort(key=lambda v: v["step"])
        entry["stops"].sort(key=lambda v: v["step"])
    return sorted(events.values(), key=lambda e: (-e["started"], e["event_id"]))
