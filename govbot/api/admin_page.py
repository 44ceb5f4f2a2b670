"""The staff page at /admin (token login happens in the page; every API call carries the token)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from govbot.api.pages import WEB_DIR

router = APIRouter(tags=["pages"])


@router.get("/admin", include_in_schema=False)
def admin_page() -> FileResponse:
    return FileResponse(WEB_DIR / "admin.html")
