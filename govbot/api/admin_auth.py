"""FastAPI dependencies for admin authentication: any valid token reads, editors write, scoped editors
write only their department's documents; and ``GET /admin/me`` (who the token is)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request

from govbot.admin.auth import Principal
from govbot.api.responses import ADMIN
from knowledge.document import parse_document
from knowledge.problems import DocumentError

router = APIRouter(prefix="/admin", tags=["admin"], responses=ADMIN)
UNAUTHORIZED = HTTPException(
    status_code=401,
    detail="需要有效的管理令牌（Authorization: Bearer <token>）。",
    headers={"WWW-Authenticate": "Bearer"},
)


def reader(request: Request) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    principal = request.app.state.tokens.identify(token.strip()) if scheme.lower() == "bearer" else None
    if principal is None:
        raise UNAUTHORIZED
    return principal


def editor(principal: Principal = Depends(reader)) -> Principal:
    if not principal.can_write:
        raise HTTPException(status_code=403, detail="只读账号不能修改知识库。")
    return principal


def department_of(text: str | None) -> str | None:
    """The ``department`` of a document's Markdown, or None when there is no text or it does not parse."""
    if text is None:
        return None
    try:
        value = parse_document(text).meta.get("department")
    except DocumentError:
        return None
    return str(value).strip() if value is not None else None


def check_scope(who: Principal, current: str | None, new: str | None = None) -> None:
    """403 unless ``who`` may edit both the current text and the new text (None: absent) of a document.

    A new text without a readable department is left to validation, which rejects it anyway.
    """
    if who.department is None:
        return
    departments = [department_of(current)] if current is not None else []
    if department_of(new) is not None:
        departments.append(department_of(new))
    for department in departments:
        if not who.may_edit(department):
            raise HTTPException(
                status_code=403,
                detail=f"您的编辑范围是{who.department}，不能修改{department or '未注明部门'}的文档。",
            )


@router.get("/me")
def me(who: Principal = Depends(reader)) -> dict:
    """The caller's name, role and editing scope (``department`` null: all departments)."""
    return {"name": who.name, "role": who.role, "department": who.department}
