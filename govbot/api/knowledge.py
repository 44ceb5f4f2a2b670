"""The knowledge service: health, search and documents, from the served snapshot."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from govbot.answering.answerability import SCOPE_RULE_STALE
from govbot.api.responses import errors
from index.filters import SearchFilters
from index.query_text import QueryError
from index.searcher import IndexNotReady, Searcher

router = APIRouter(tags=["knowledge"])
MAX_RAW_QUERY = 10_000
# What a question must be, for the schema; the handler checks it itself, to answer with a specific message.
QUESTION = {"minLength": 1, "maxLength": MAX_RAW_QUERY, "pattern": r"^\s*\S"}


def searcher_of(request: Request) -> Searcher:
    return request.app.state.searcher


@router.get("/health", responses=errors(503))
def health(request: Request) -> dict:
    """Liveness and the snapshot being served; ``degraded`` (still 200) while re-indexing keeps failing."""
    try:
        version, data = searcher_of(request).data()
    except IndexNotReady as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from None
    reindex = request.app.state.reindexer.status
    return {
        "status": "degraded" if reindex.degraded else "ok",
        "index_version": version,
        "backend": data.manifest.get("backend"),
        "documents": len(data.documents),
        "chunks": len(data.chunks),
        "reindex": {"failures": reindex.failures, "last_error": reindex.last_error},
        "scope_rule": scope_rule_status(request),
    }


def scope_rule_status(request: Request) -> dict:
    """Whether the scope rule was fitted on the served index's calibration; a message for staff when not."""
    searcher = searcher_of(request)
    fits = request.app.state.answerer.scope.rule.fits(*searcher.calibrated(searcher.data()[1]))
    return {"fits_calibration": fits, "message": None if fits else SCOPE_RULE_STALE}


@router.get("/search", responses=errors(503))
async def search(
    request: Request,
    q: str = Query(..., description="the citizen's question", json_schema_extra=QUESTION),
    top_k: int = Query(5, ge=1, le=50),
    type: str | None = Query(None, pattern="^(guide|policy|faq|event)$"),
    audience: str | None = None,
    region: str | None = None,
    in_effect: bool = Query(False, description="only documents in effect today"),
) -> dict:
    """Ranked documents (best chunk each), with a confidence and a decision: answer, clarify or fallback."""
    if len(q) > MAX_RAW_QUERY:
        raise HTTPException(status_code=422, detail=f"查询内容过长（超过 {MAX_RAW_QUERY} 字），请精简后再试。")
    filters = SearchFilters(type, audience, region, dt.date.today() if in_effect else None)
    try:
        response = await run_in_threadpool(searcher_of(request).search, q, top_k, filters)
    except QueryError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    except IndexNotReady as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from None
    return response.to_dict()


@router.get("/documents/{doc_id}", responses=errors(404, 503))
def document(request: Request, doc_id: str) -> dict:
    """One document as indexed: its metadata and full sections."""
    try:
        _, data = searcher_of(request).data()
    except IndexNotReady as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from None
    record = data.documents.get(doc_id)
    if record is None:
        raise HTTPException(status_code=404, detail=f"没有编号为 {doc_id} 的文档。")
    return record
