"""Admin API for documents: list, read, create/replace, delete, import, history, rollback, 命中测试."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from govbot.admin.auth import Principal
from govbot.admin.kb_store import AuditedStore, NotFound, Precondition, PreconditionFailed, StoreFailure, etag_of
from govbot.api.admin_auth import check_scope, editor, reader
from govbot.api.knowledge import scope_rule_status
from govbot.api.responses import ADMIN, errors
from knowledge.document import parse_document
from knowledge.importer import IMPORTERS, FileReport, plan_import
from knowledge.problems import DocumentError

router = APIRouter(prefix="/admin", tags=["admin"], responses=ADMIN)
INDEX_WAIT = 30.0
CHUNK = 1 << 20
STALE = "文档已被他人修改，请刷新后再保存。"
EXISTS = "已有相同编号的文档，请换一个编号，或打开该文档后再修改。"
NEED_PRECONDITION = (
    "请先打开文档再保存：修改或删除需要 If-Match 请求头（取自打开文档时的 ETag），新建需要 If-None-Match: *。"
)
STORE_FAILED = "保存失败，未做任何修改，请稍后重试。"
# The Markdown body these routes read themselves (any content type; JSON {"markdown": ...} also accepted).
MARKDOWN_BODY = {
    "requestBody": {
        "required": True,
        "content": {"text/plain": {"schema": {"type": "string", "minLength": 1, "pattern": r"^\s*\S"}}},
    }
}


def _store(request: Request) -> AuditedStore:
    return request.app.state.kb_store


def _current(store: AuditedStore, doc_id: str) -> str | None:
    """The document's text now, or None when it does not exist."""
    try:
        return store.read(doc_id)
    except NotFound:
        return None


def _scope_problem(who: Principal, current: str | None, new: str) -> str | None:
    """The scope refusal for one imported document, as a line of the batch report (None: allowed)."""
    try:
        check_scope(who, current, new)
    except HTTPException as exc:
        return str(exc.detail)
    return None


async def _markdown(request: Request) -> str:
    """The request body as Markdown text (any content type; JSON ``{"markdown": ...}`` also accepted)."""
    raw = await request.body()
    if len(raw) > request.app.state.settings.max_upload_mb << 20:
        raise HTTPException(status_code=413, detail="文档过大。")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(status_code=422, detail="文档必须是 UTF-8 编码的 Markdown 文本。") from None
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            value = json.loads(text)
        except ValueError:
            raise HTTPException(status_code=422, detail="JSON 格式错误。") from None
        text = value.get("markdown", "") if isinstance(value, dict) else str(value)
    if not text.strip():
        raise HTTPException(status_code=422, detail="文档内容为空。")
    return text


def _request_key(request: Request) -> str | None:
    """The client's ``Idempotency-Key``: a write retried with the same key replays its first outcome."""
    key = request.headers.get("idempotency-key", "").strip()
    return key[:200] or None


def _precondition(request: Request) -> Precondition:
    """The write's precondition from If-Match / If-None-Match; 428 when there is neither.

    Replacing or deleting a document needs ``If-Match: <ETag from GET>``; creating one needs ``If-None-Match: *``.
    """
    if_match = request.headers.get("if-match")
    if if_match is not None:
        return Precondition(if_match=tuple(tag.strip() for tag in if_match.split(",") if tag.strip()) or ("",))
    if request.headers.get("if-none-match", "").strip() == "*":
        return Precondition(if_none_match=True)
    raise HTTPException(status_code=428, detail=NEED_PRECONDITION)


def _invalid(exc: DocumentError) -> HTTPException:
    return HTTPException(
        status_code=422,
        detail={"message": "文档校验未通过，未做任何修改。", "problems": [p.to_dict() for p in exc.problems]},
    )


async def _reindex(request: Request) -> dict:
    """Ask for a re-index and wait for it, so the change is live when the call returns."""
    reindexer = request.app.state.reindexer
    ticket = reindexer.request()
    done = await run_in_threadpool(reindexer.wait, ticket, INDEX_WAIT)
    status = reindexer.status
    return {
        "indexed": done and status.last_error is None,
        "index_version": status.last_version,
        "index_error": status.last_error,
        "scope_rule": scope_rule_status(request),
    }


@router.get("/documents")
def list_documents(
    request: Request,
    _: Principal = Depends(reader),
    q: str | None = Query(None, max_length=100),
    type: str | None = Query(None, pattern="^(guide|policy|faq|event)$"),
    audience: str | None = None,
    page: int = Query(1, ge=1),
    page_size: int = Query(20, ge=1, le=200),
) -> dict:
    """Documents of the knowledge base (as served), filtered and paged."""
    _, data = request.app.state.searcher.data()
    rows = []
    for record in sorted(data.documents.values(), key=lambda r: r["id"]):
        if type and record["type"] != type or audience and audience not in record["audience"]:
            continue
        if q and q not in record["id"] and q not in record["title"] and not any(q in a for a in record["aliases"]):
            continue
        rows.append(
            {k: record.get(k) for k in ("id", "type", "title", "department", "audience", "updated", "expiry_date")}
        )
    start = (page - 1) * page_size
    return {"total": len(rows), "page": page, "page_size": page_size, "items": rows[start : start + page_size]}


@router.get("/documents/{doc_id}", responses=errors(404))
def get_document(request: Request, response: Response, doc_id: str, _: Principal = Depends(reader)) -> dict:
    """A document's Markdown; its ``ETag`` (also ``etag`` in the body) goes into If-Match when saving."""
    store = _store(request)
    try:
        text = store.read(doc_id)
    except NotFound:
        raise HTTPException(status_code=404, detail=f"没有编号为 {doc_id[:80]} 的文档。") from None
    etag = etag_of(text)
    response.headers["ETag"] = etag
    return {
        "id": doc_id,
        "markdown": text,
        "version": store.latest_version(doc_id),
        "etag": etag,
        "problems": [p.to_dict() for p in store.check(doc_id, text)],
    }


@router.post("/validate/{doc_id}", responses=errors(413), openapi_extra=MARKDOWN_BODY)
async def validate(request: Request, doc_id: str, _: Principal = Depends(reader)) -> dict:
    """Check a draft without saving it; returns problems and the sections it would have (for the preview)."""
    markdown = await _markdown(request)
    problems = _store(request).check(doc_id, markdown)
    sections = []
    if not any(p.field == "front matter" for p in problems):
        try:
            sections = [{"heading": s.heading, "text": s.text} for s in parse_document(markdown).sections]
        except DocumentError:
            sections = []
    return {"problems": [p.to_dict() for p in problems], "sections": sections}


@router.put("/documents/{doc_id}", responses=errors(412, 413, 428, 503), openapi_extra=MARKDOWN_BODY)
async def put_document(request: Request, response: Response, doc_id: str, who: Principal = Depends(editor)) -> dict:
    """Create (``If-None-Match: *``) or replace (``If-Match: <ETag>``) a document; live once the call returns.

    A stale ETag gets 412 and changes nothing; a request with neither header gets 428.
    """
    markdown = await _markdown(request)
    check_scope(who, _current(_store(request), doc_id), markdown)  # authorisation before preconditions
    expect = _precondition(request)
    try:
        change = await run_in_threadpool(
            _store(request).put, doc_id, markdown, who.name, None, expect, _request_key(request)
        )
    except DocumentError as exc:
        raise _invalid(exc) from None
    except NotFound:
        raise HTTPException(status_code=422, detail="文档编号只能包含小写字母、数字和“-”。") from None
    except PreconditionFailed:
        raise HTTPException(status_code=412, detail=EXISTS if expect.if_none_match else STALE) from None
    except StoreFailure:
        raise HTTPException(status_code=503, detail=STORE_FAILED) from None
    response.headers["ETag"] = change.etag or ""
    return {
        "id": doc_id,
        "action": change.action,
        "version": change.version,
        "etag": change.etag,
        **await _reindex(request),
    }


@router.delete("/documents/{doc_id}", responses=errors(404, 412, 428, 503))
async def delete_document(request: Request, doc_id: str, who: Principal = Depends(editor)) -> dict:
    """Delete a document; needs ``If-Match: <ETag>`` (412 when stale, 428 when missing)."""
    check_scope(who, _current(_store(request), doc_id))
    expect = _precondition(request)
    try:
        change = await run_in_threadpool(_store(request).delete, doc_id, who.name, expect, _request_key(request))
    except NotFound:
        raise HTTPException(status_code=404, detail=f"没有编号为 {doc_id[:80]} 的文档。") from None
    except DocumentError as exc:  # an event still names it
        raise _invalid(exc) from None
    except PreconditionFailed:
        raise HTTPException(status_code=412, detail=STALE) from None
    except StoreFailure:
        raise HTTPException(status_code=503, detail=STORE_FAILED) from None
    return {"id": doc_id, "action": change.action, "version": change.version, **await _reindex(request)}


@router.get("/documents/{doc_id}/history")
def history(request: Request, doc_id: str, _: Principal = Depends(reader)) -> dict:
    return {"id": doc_id, "versions": _store(request).history(doc_id)}


@router.post("/documents/{doc_id}/rollback", responses=errors(404, 503))
async def rollback(
    request: Request, doc_id: str, version: int = Query(..., ge=1), who: Principal = Depends(editor)
) -> dict:
    target = next((v["after"] for v in _store(request).history(doc_id) if v["version"] == version), None)
    check_scope(who, _current(_store(request), doc_id), target)
    try:
        change = await run_in_threadpool(_store(request).rollback, doc_id, version, who.name, _request_key(request))
    except NotFound:
        raise HTTPException(status_code=404, detail=f"{doc_id} 没有第 {version} 版。") from None
    except DocumentError as exc:
        raise _invalid(exc) from None
    except StoreFailure:
        raise HTTPException(status_code=503, detail=STORE_FAILED) from None
    return {"id": doc_id, "action": change.action, "version": change.version, **await _reindex(request)}


async def _save_upload(upload: UploadFile, folder: Path, limit: int) -> Path:
    name = Path(upload.filename or "upload").name
    folder.mkdir()
    target = folder / name
    size = 0
    with open(target, "wb") as handle:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise HTTPException(status_code=413, detail=f"文件 {name} 超过 {limit >> 20} MB 上限，未导入。")
            handle.write(chunk)
    return target


@router.post("/import", responses=errors(413, 503))
async def import_files(
    request: Request,
    files: list[UploadFile] = File(...),
    type: str | None = Query(None, pattern="^(guide|policy|faq)$"),
    who: Principal = Depends(editor),
) -> dict:
    """Import uploaded .md .txt .html .csv .xlsx .docx .pdf files, all or nothing, with a report per file.

    When any file fails, nothing is written: 422 with ``files``, each ``ok`` or with its Chinese ``problem``.
    """
    settings = request.app.state.settings
    limit = settings.max_upload_mb << 20
    store = _store(request)
    with tempfile.TemporaryDirectory() as folder:
        saved: list[tuple[str, Path]] = []
        unsupported: dict[int, FileReport] = {}
        for number, upload in enumerate(files):
            name = Path(upload.filename or "upload").name
            if Path(name).suffix.lower() not in IMPORTERS:
                problem = f"不支持的文件类型，支持：{'、'.join(sorted(IMPORTERS))}"
                unsupported[number] = FileReport(name, False, problem=problem)
                continue
            saved.append((name, await _save_upload(upload, Path(folder) / str(number), limit)))
        plan = await run_in_threadpool(plan_import, saved, type, settings.import_limits)
    reports = iter(plan.files)
    plan.files = [unsupported[n] if n in unsupported else next(reports) for n in range(len(files))]
    for number, report in enumerate(plan.files):
        if report.ok:
            problems = [p for i in report.ids for p in store.check(i, plan.documents[i], plan.documents)]
            scope = [_scope_problem(who, _current(store, i), plan.documents[i]) for i in report.ids]
            problems += [p for p in scope if p]
            if problems:
                plan.fail(number, "文档校验未通过：" + "; ".join(str(p) for p in problems))
    report = [f.to_dict() for f in plan.files]
    if not plan.ok:
        raise HTTPException(
            status_code=422, detail={"message": "有文件未通过校验，本批次没有导入任何文档。", "files": report}
        )
    try:
        changes = await run_in_threadpool(store.put_many, plan.documents, who.name, _request_key(request))
    except DocumentError as exc:
        raise _invalid(exc) from None
    except StoreFailure:
        raise HTTPException(status_code=503, detail=STORE_FAILED) from None
    owner = {i: f.file for f in plan.files for i in f.ids}
    imported = [{"id": c.doc_id, "action": c.action, "file": owner[c.doc_id]} for c in changes]
    return {"files": report, "imported": imported, **await _reindex(request)}


@router.get("/search-test")
def search_test(
    request: Request, q: str = Query(..., min_length=1, max_length=500), _: Principal = Depends(reader)
) -> dict:
    """命中测试: what the bot would see for a question, with scores and matched sections."""
    from index.query_text import QueryError

    try:
        return request.app.state.searcher.search(q, top_k=10).to_dict()
    except QueryError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
