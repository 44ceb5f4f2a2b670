"""FastAPI dependencies for admin authentication: any valid token reads, editors write."""

from __future__ import annotations

from fastapi import Depends, HTTPException, Request

from govbot.admin.auth import Principal

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
