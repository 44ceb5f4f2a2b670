"""Admin API for what citizens ask: the review queue, analytics (科学决策) and subscriber notifications."""

from __future__ import annotations

import csv
import datetime as dt
import io

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import Field, StrictStr

from govbot.admin.aliases import with_aliases
from govbot.admin.analytics import analytics
from govbot.admin.auth import Principal
from govbot.admin.kb_store import NotFound, StoreFailure
from govbot.admin.review import close_items, group_items, open_items
from govbot.api.admin_auth import check_scope, editor, reader
from govbot.api.admin_documents import STORE_FAILED, _invalid, _reindex
from govbot.api.models import IsoDate, PositiveId, RequestModel
from govbot.api.responses import ADMIN, CsvResponse, errors
from govbot.storage.subscriptions import list_notifications
from knowledge.problems import DocumentError

router = APIRouter(prefix="/admin", tags=["admin"], responses=ADMIN)


class GroupAction(RequestModel):
    group_id: PositiveId


class LinkAction(GroupAction):
    # minLength for the schema only: the handler answers an empty id with a specific sentence.
    doc_id: StrictStr = Field(..., max_length=80, minLength=1)


def _groups(request: Request) -> list:
    settings = request.app.state.settings
    items = open_items(settings.database_url)
    return group_items(items, request.app.state.question_vectors, settings.review_group_similarity)


def _find(request: Request, group_id: int):
    group = next((g for g in _groups(request) if g.id == group_id), None)
    if group is None:
        raise HTTPException(status_code=404, detail=f"没有编号为 {group_id} 的待处理问题组。")
    return group


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A cell a spreadsheet will not run as a formula (text starting with = + - @ tab or CR gets a leading '), and
    without NUL characters, which a CSV file cannot hold (a citizen's question may contain one)."""
    if not isinstance(value, str):
        return value
    value = value.replace("\x00", "")
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv(rows: list[list], filename: str) -> Response:
    """A CSV download (UTF-8 with BOM for Excel); every text cell is made formula-safe (OWASP CSV injection)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[spreadsheet_safe(cell) for cell in row] for row in rows])
    return CsvResponse(
        "\ufeff" + buffer.getvalue(),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/review")
async def review(request: Request, _: Principal = Depends(reader)) -> dict:
    """Open questions that went unanswered, got low confidence, a 👎 or a handoff, grouped by meaning."""
    groups = await run_in_threadpool(_groups, request)
    return {"groups": [g.to_dict() for g in groups]}


@router.get("/review.csv", response_class=CsvResponse)
async def review_csv(request: Request, _: Principal = Depends(reader)) -> Response:
    groups = await run_in_threadpool(_groups, request)
    rows = [["group_id", "size", "kinds", "documents", "questions", "first_seen", "last_seen"]]
    for g in groups:
        kinds = " ".join(f"{k}:{v}" for k, v in g.kinds.items())
        rows.append([g.id, g.size, kinds, " ".join(g.doc_ids), " | ".join(g.questions), g.first_seen, g.last_seen])
    return _csv(rows, "review.csv")


@router.post("/review/link", responses=errors(404, 503))
async def link(request: Request, body: LinkAction, who: Principal = Depends(editor)) -> dict:
    """Add a group's questions to a document's aliases (live once this returns) and close the group."""
    if not body.doc_id:
        raise HTTPException(status_code=422, detail="请指定要关联的文档编号 doc_id。")
    group = await run_in_threadpool(_find, request, body.group_id)
    store = request.app.state.kb_store
    questions = group.questions

    def linked(text: str) -> str:
        check_scope(who, text)
        return with_aliases(text, questions)

    try:
        change = await run_in_threadpool(store.edit, body.doc_id, linked, who.name, "link")
    except NotFound:
        raise HTTPException(status_code=404, detail=f"没有编号为 {body.doc_id} 的文档。") from None
    except DocumentError as exc:
        raise _invalid(exc) from None
    except StoreFailure:
        raise HTTPException(status_code=503, detail=STORE_FAILED) from None
    closed = close_items(request.app.state.settings.database_url, group.item_ids, "linked", who.name, body.doc_id)
    return {
        "group_id": group.id,
        "doc_id": body.doc_id,
        "version": change.version,
        "closed": closed,
        **await _reindex(request),
    }


@router.post("/review/resolve", responses=errors(404))
async def resolve(request: Request, body: GroupAction, who: Principal = Depends(editor)) -> dict:
    group = await run_in_threadpool(_find, request, body.group_id)
    closed = close_items(request.app.state.settings.database_url, group.item_ids, "resolved", who.name)
    return {"group_id": group.id, "closed": closed}


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    end = end or dt.date.today()
    start = start or end - dt.timedelta(days=29)
    if start > end:
        raise HTTPException(status_code=422, detail="开始日期不能晚于结束日期。")
    return start, end


@router.get("/analytics")
async def get_analytics(
    request: Request,
    start: IsoDate | None = Query(None, alias="from"),
    end: IsoDate | None = Query(None, alias="to"),
    _: Principal = Depends(reader),
) -> dict:
    """Messages per day and channel, outcome shares, satisfaction, top documents, unanswered groups, and life
    events (``events``: started, views per step, and ``stops``, people whose last viewed step it was)."""
    start, end = _period(start, end)
    figures = await run_in_threadpool(analytics, request.app.state.settings.database_url, start, end)
    groups = await run_in_threadpool(_groups, request)
    figures["top_unanswered"] = [{"group_id": g.id, "size": g.size, "question": g.questions[0]} for g in groups[:10]]
    return figures


@router.get("/analytics.csv", response_class=CsvResponse)
async def analytics_csv(
    request: Request,
    start: IsoDate | None = Query(None, alias="from"),
    end: IsoDate | None = Query(None, alias="to"),
    _: Principal = Depends(reader),
) -> Response:
    start, end = _period(start, end)
    figures = await run_in_threadpool(analytics, request.app.state.settings.database_url, start, end)
    rows = [["date", "channel", "messages"]]
    for day in figures["per_day"]:
        rows += [[day["date"], channel, count] for channel, count in sorted(day["channels"].items())]
    rows += [[], ["outcome", "count", "share"]]
    rows += [[k, v["count"], v["share"]] for k, v in figures["outcomes"].items()]
    rows += [
        [],
        ["satisfaction", figures["satisfaction"]["share"]],
        ["median_response_ms", figures["median_response_ms"]],
        [],
        ["event", "started", "step", "views", "stopped_here"],
    ]
    for event in figures["events"]:
        views = {v["step"]: v["views"] for v in event["step_views"]}
        stops = {s["step"]: s["people"] for s in event["stops"]}
        rows += [
            [event["event_id"], event["started"], step, views.get(step, 0), stops.get(step, 0)]
            for step in sorted({0, *views, *stops})
        ]
    return _csv(rows, f"analytics-{start}-{end}.csv")


@router.get("/notifications")
def notifications(
    request: Request,
    status: str | None = Query("pending", pattern="^(pending|sent|all)$"),
    _: Principal = Depends(reader),
) -> dict:
    """Notification records for a delivery gateway to send."""
    url = request.app.state.settings.database_url
    return {"notifications": list_notifications(url, None if status == "all" else status)}
