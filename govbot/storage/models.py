"""Table definitions. Every free text stored here has been through PII masking first; the one personal value
kept readable for staff (a ticket's callback number) is stored encrypted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class AnswerEvent(Base):
    """One question answered (or not) by the assistant: the raw material of analytics."""

    __tablename__ = "answer_events"
    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, default=utcnow, index=True, nullable=False)
    sender = Column(String(64), index=True)
    channel = Column(String(32), index=True)
    question = Column(Text, nullable=False)
    decision = Column(String(16), index=True, nullable=False)
    doc_id = Column(String(80), index=True)
    section = Column(String(40))
    confidence = Column(Float)
    latency_ms = Column(Float)

    # Lets the analytics queries read everything they group by from the index alone.
    __table_args__ = (Index("ix_answer_events_analytics", "created_at", "decision", "channel", "latency_ms"),)


class EventView(Base):
    """A life event started (``step`` 0, once per sender and event) or one of its steps viewed."""

    __tablename__ = "event_views"
    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, default=utcnow, index=True, nullable=False)
    sender = Column(String(64), index=True)
    channel = Column(String(32))
    event_id = Column(String(80), index=True, nullable=False)
    step = Column(Integer, nullable=False)

    __table_args__ = (Index("ix_event_views_analytics", "created_at", "event_id", "step"),)


class Feedback(Base):
    """A citizen's 有用 / 没用 on an answer."""

    __tablename__ = "feedback"
    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, default=utcnow, index=True, nullable=False)
    sender = Column(String(64), index=True)
    channel = Column(String(32))
    question = Column(Text)
    doc_id = Column(String(80), index=True)
    rating = Column(Integer, nullable=False)  # 1 useful, -1 not useful
    comment = Column(Text)


class HandoffTicket(Base):
    """A request to talk to a person, with the (masked) conversation and the callback number, encrypted."""

    __tablename__ = "handoff_tickets"
    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, default=utcnow, index=True, nullable=False)
    sender = Column(String(64), index=True)
    channel = Column(String(32))
    transcript = Column(JSON, nullable=False)
    status = Column(String(16), default="open", nullable=False)
    callback = Column(Text)  # Fernet token of the number the citizen gave (govbot.privacy.protector), or null
    # A hash of the sender and the Rasa message that asked for it: a retried request finds its ticket, never adds one.
    idempotency_key = Column(String(64))

    __table_args__ = (Index("ux_handoff_tickets_idempotency_key", "idempotency_key", unique=True),)


class Subscription(Base):
    """A citizen's opt-in to hear about new or updated policies on some topics."""

    __tablename__ = "subscriptions"
    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, default=utcnow, nullable=False)
    sender = Column(String(64), index=True, nullable=False)  # masked, for display only
    sender_key = Column(String(64), index=True)  # keyed hash of the raw sender id: the identity
    channel = Column(String(32))
    topics = Column(JSON, nullable=False)
    active = Column(Integer, default=1, nullable=False)


class Notification(Base):
    """A message for a delivery gateway: a policy a subscriber asked to hear about was published or updated."""

    __tablename__ = "notifications"
    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, default=utcnow, index=True, nullable=False)
    subscription_id = Column(Integer, index=True, nullable=False)
    sender = Column(String(64), nullable=False)
    channel = Column(String(32))
    doc_id = Column(String(80), nullable=False)
    message = Column(Text, nullable=False)
    status = Column(String(16), default="pending", nullable=False)


class AuditEntry(Base):
    """One change to the knowledge base: who, when, what, and the document before and after."""

    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, default=utcnow, index=True, nullable=False)
    actor = Column(String(64), nullable=False)
    action = Column(String(16), nullable=False)  # create, update, delete, rollback, import, link
    doc_id = Column(String(80), index=True, nullable=False)
    version = Column(Integer, nullable=False)
    before = Column(Text)
    after = Column(Text)
    # A hash of the request's Idempotency-Key and the document: a retried write replays, never adds a row.
    idempotency_key = Column(String(64))

    __table_args__ = (Index("ux_audit_log_idempotency_key", "idempotency_key", unique=True),)


class KnowledgeDocument(Base):
    """A knowledge document's current Markdown, when the knowledge base lives in the database (GOVBOT_KB_STORE)."""

    __tablename__ = "kb_documents"
    doc_id = Column(String(80), primary_key=True)
    text = Column(Text, nullable=False)
    updated_at = Column(DateTime, default=utcnow, onupdate=utcnow, nullable=False)


class ReviewItem(Base):
    """Something staff should look at: an unanswered or low-confidence question, a 👎, or a handoff."""

    __tablename__ = "review_items"
    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, default=utcnow, index=True, nullable=False)
    kind = Column(String(16), index=True, nullable=False)  # unanswered, low_confidence, negative, handoff
    question = Column(Text, nullable=False)
    doc_id = Column(String(80))
    status = Column(String(16), default="open", index=True, nullable=False)  # open, linked, resolved
    linked_doc = Column(String(80))
    resolved_by = Column(String(64))
