"""Table definitions. Every free text stored here has been through PII masking first."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Column, DateTime, Float, Integer, String, Text
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
    """A request to talk to a person, with the (masked) conversation so staff can call back."""

    __tablename__ = "handoff_tickets"
    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, default=utcnow, index=True, nullable=False)
    sender = Column(String(64), index=True)
    channel = Column(String(32))
    transcript = Column(JSON, nullable=False)
    status = Column(String(16), default="open", nullable=False)
