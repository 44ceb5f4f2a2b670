"""Write the dialogue's records: answer events, feedback and handoff tickets, PII-masked."""

from __future__ import annotations

import hashlib

from sqlalchemy.exc import IntegrityError

from govbot.privacy.pii import mask_pii, phone_numbers
from govbot.privacy.protector import get_protector
from govbot.storage.database import session_scope
from govbot.storage.models import AnswerEvent, EventView, Feedback, HandoffTicket, ReviewItem

LOW_CONFIDENCE = 0.6

MAX_TEXT = 2000


def _clean(text: str | None) -> str:
    return mask_pii((text or "")[:MAX_TEXT])


def record_answer(
    url: str,
    *,
    sender: str,
    channel: str,
    question: str,
    decision: str,
    doc_id: str | None,
    section: str | None,
    confidence: float,
    latency_ms: float,
) -> None:
    with session_scope(url) as session:
        if decision == "fallback" or (decision == "answer" and confidence < LOW_CONFIDENCE):
            kind = "unanswered" if decision == "fallback" else "low_confidence"
            session.add(ReviewItem(kind=kind, question=_clean(question), doc_id=doc_id))
        session.add(
            AnswerEvent(
                sender=_clean(sender)[:64],
                channel=channel[:32],
                question=_clean(question),
                decision=decision,
                doc_id=doc_id,
                section=section,
                confidence=confidence,
                latency_ms=latency_ms,
            )
        )


def record_feedback(
    url: str, *, sender: str, channel: str, question: str | None, doc_id: str | None, rating: int
) -> int:
    with session_scope(url) as session:
        row = Feedback(
            sender=_clean(sender)[:64],
            channel=channel[:32],
            question=_clean(question),
            doc_id=doc_id,
            rating=rating,
        )
        session.add(row)
        if rating < 0:  # a 👎 goes to the review queue, next to unanswered questions and handoffs
            asked = _clean(question).strip() or f"（对文档 {doc_id or '未知'} 的回答不满意）"
            session.add(ReviewItem(kind="negative", question=asked, doc_id=doc_id))
        session.flush()
        return int(row.id)


def idempotency_key(*parts: str) -> str:
    """A fixed-length key for a retried request's identity (the parts may hold personal data: only a hash is kept)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def record_ticket(
    url: str,
    *,
    sender: str,
    channel: str,
    transcript: list[dict[str, str]],
    callback_number: str | None = None,
    request_id: str | None = None,
) -> int:
    """Store a handoff ticket: the transcript masked, the callback number (when it is one) encrypted.

    With a ``request_id`` (the Rasa message that asked for it), a retry returns the first ticket's id.
    """
    key = idempotency_key("ticket", sender, request_id) if request_id else None
    if key is not None and (existing := _ticket_with_key(url, key)) is not None:
        return existing
    numbers = phone_numbers(callback_number)
    callback = get_protector().encrypt(numbers[0]) if numbers else None
    masked = [{"role": t.get("role", ""), "text": _clean(t.get("text")), "time": t.get("time", "")} for t in transcript]
    try:
        with session_scope(url) as session:
            row = HandoffTicket(
                sender=_clean(sender)[:64],
                channel=channel[:32],
                transcript=masked[-50:],
                callback=callback,
                idempotency_key=key,
            )
            session.add(row)
            asked = [t["text"] for t in masked if t["role"] == "user" and t["text"] and not t["text"].startswith("/")]
            question = next((q for q in reversed(asked) if "人工" not in q), asked[-1] if asked else "（转人工）")
            session.add(ReviewItem(kind="handoff", question=question))
            session.flush()
            return int(row.id)
    except IntegrityError:  # the same request, retried concurrently, was stored first
        existing = _ticket_with_key(url, key) if key else None
        if existing is None:
            raise
        return existing


def _ticket_with_key(url: str, key: str) -> int | None:
    with session_scope(url) as session:
        found = session.query(HandoffTicket.id).filter_by(idempotency_key=key).scalar()
        return None if found is None else int(found)


def record_event_view(url: str, *, sender: str, channel: str, event_id: str, step: int = 0) -> bool:
    """Record a step of a life event viewed, or (``step`` 0) the event started: that once per sender and event.

    Returns whether a row was written.
    """
    masked = _clean(sender)[:64]
    with session_scope(url) as session:
        if step == 0:
            seen = session.query(EventView.id).filter_by(sender=masked, event_id=event_id, step=0).first()
            if seen is not None:
                return False
        session.add(EventView(sender=masked, channel=channel[:32], event_id=event_id, step=step))
        return True
