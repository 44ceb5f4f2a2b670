"""Admin API for handoff tickets: editors see the citizen's callback number, viewers see it masked."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from govbot.admin.auth import Principal
from govbot.api.admin_auth import reader
from govbot.api.responses import ADMIN, errors
from govbot.storage.tickets import get_ticket, list_tickets

router = APIRouter(prefix="/admin", tags=["admin"], responses=ADMIN)


@router.get("/tickets")
async def tickets(
    request: Request,
    status: str | None = Query(None, max_length=16),
    limit: int = Query(100, ge=1, le=1000),
    who: Principal = Depends(reader),
) -> dict:
    """Handoff tickets, newest first (transcripts are in the single-ticket view)."""
    url = request.app.state.settings.database_url
    rows = await run_in_threadpool(list_tickets, url, reveal=who.can_write, status=status, limit=limit)
    return {"tickets": rows}


@router.get("/tickets/{ticket_id}", responses=errors(404))
async def ticket(request: Request, ticket_id: int, who: Principal = Depends(reader)) -> dict:
    """One ticket with its masked transcript; the callback number in full for editors only."""
    url = request.app.state.settings.database_url
    found = await run_in_threadpool(get_ticket, url, ticket_id, reveal=who.can_write)
    if found is None:
        raise HTTPException(status_code=404, detail=f"没有编号为 {ticket_id} 的工单。")
    return found
