"""The web pages: the chat at /, the elderly mode at /elder, and their static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

WEB_DIR = Path(__file__).resolve().parents[2] / "channels" / "web"
router = APIRouter(tags=["pages"])


@router.get("/", include_in_schema=False)
def chat_page() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html")


@router.get("/elder", include_in_schema=False)
def elder_page() -> FileResponse:
    return FileResponse(WEB_DIR / "elder.html")
