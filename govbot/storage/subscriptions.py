"""Policy subscriptions and the notifications they produce when a policy is published or updated."""

from __future__ import annotations

from typing import Any

from govbot.privacy.pii import mask_pii
from govbot.privacy.protector import get_protector
from govbot.storage.database import session_scope
from govbot.storage.models import Notification, Subscription


def subscribe(url: str, sender: str, channel: str, topics: list[str]) -> int:
    """Record an opt-in (replacing the sender's earlier one).

    The sender is identified by a keyed hash of its id (two phones that mask alike stay apart) and shown masked.
    """
    key = get_protector().identity(sender)
    with session_scope(url) as session:
        session.query(Subscription).filter_by(sender_key=key, active=1).update({"active": 0})
        row = Subscription(
            sender=mask_pii(sender)[:64], sender_key=key, channel=channel[:32], topics=sorted(set(topics)), active=1
        )
        session.add(row)
        session.flush()
        return int(row.id)


def unsubscribe(url: str, sender: str) -> int:
    """End the sender's subscriptions; returns how many were active."""
    with session_scope(url) as session:
        key = get_protector().identity(sender)
        return int(session.query(Subscription).filter_by(sender_key=key, active=1).update({"active": 0}))


def notify_subscribers(url: str, records: list[dict[str, Any]]) -> int:
    """Create a notification for each active subscriber whose topics meet each published policy's tags."""
    created = 0
    with session_scope(url) as session:
        subscribers = session.query(Subscription).filter_by(active=1).all()
        for record in records:
            tags = set(record.get("tags") or [])
            if record.get("type") != "policy" or not tags:
                continue
            for sub in subscribers:
                topics = set(sub.topics or [])
                if "全部" not in topics and not topics & tags:
                    continue
                message = f"示例市发布或更新了政策：《{record['title']}》。回复“{record['title']}”可了解详情。"
                session.add(
                    Notification(
                        subscription_id=sub.id,
                        sender=sub.sender,
                        channel=sub.channel,
                        doc_id=record["id"],
                        message=message,
                    )
                )
                created += 1
    return created


def list_notifications(url: str, status: str | None = "pending", limit: int = 100) -> list[dict[str, Any]]:
    with session_scope(url) as session:
        query = session.query(Notification).order_by(Notification.id)
        if status:
            query = query.filter_by(status=status)
        return [
            {
                "id": n.id,
                "created_at": n.created_at.isoformat(),
                "sender": n.sender,
                "channel": n.channel,
                "doc_id": n.doc_id,
                "message": n.message,
                "status": n.status,
            }
            for n in query.limit(limit)
        ]
