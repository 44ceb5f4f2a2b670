"""Read handoff tickets for staff: the callback number decrypted for editors, masked for everyone else."""

from __future__ import annotations

from typing import Any

from govbot.privacy.pii import mask_pii
from govbot.privacy.protector import get_protector
from govbot.storage.database import session_scope
from govbot.storage.models import HandoffTicket


def _callback(token: str | None, reveal: bool) -> str | None:
    number = get_protector().decrypt(token) if token else None
    return number if reveal or number is None else mask_pii(number)


def _as_dict(row: HandoffTicket, reveal: bool, transcript: bool) -> dict[str, Any]:
    out = {
        "id": row.id,
        "created_at": row.created_at.isoformat(),
        "sender": row.sender,
        "channel": row.channel,
        "status": row.status,
        "callback_number": _callback(row.callback, reveal),
    }
    if transcript:
        out["transcript"] = row.transcript
    return out


def list_tickets(url: str, *, reveal: bool, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The newest tickets first, without transcripts."""
    with session_scope(url) as session:
        query = session.query(HandoffTicket).order_by(HandoffTicket.id.desc())
        if status:
            query = query.filter_by(status=status)
        return [_as_dict(row, reveal, transcript=False) for row in query.limit(limit)]


def get_ticket(url: str, ticket_id: int, *, reveal: bool) -> dict[str, Any] | None:
    """One ticket with its (masked) transcript, or None."""
    with session_scope(url) as session:
        row = session.get(HandoffTicket, ticket_id)
        return None if row is None else _as_dict(row, reveal, transcript=True)
