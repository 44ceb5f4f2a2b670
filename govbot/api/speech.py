"""Server-side speech: WAV from espeak-ng's Mandarin voice, for gateways and browsers without speech."""

from __future__ import annotations

import shutil
import subprocess

from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

router = APIRouter(tags=["speech"])
MAX_TTS_CHARS = 500
VOICE = "cmn"


def synthesize(text: str) -> bytes:
    """WAV bytes of ``text`` spoken by espeak-ng (Mandarin)."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise RuntimeError("espeak-ng is not installed")
    result = subprocess.run(
        [binary, "-v", VOICE, "-s", "150", "--stdout", text], capture_output=True, timeout=30, check=True
    )
    return result.stdout


@router.get("/tts")
async def tts(text: str = Query(..., min_length=1)) -> Response:
    """Speak ``text`` (at most 500 characters) as a WAV file."""
    text = text.strip()
    if not text:
        raise HTTPException(status_code=422, detail="请提供要朗读的文字。")
    if len(text) > MAX_TTS_CHARS:
        raise HTTPException(status_code=422, detail=f"朗读文字过长：最多 {MAX_TTS_CHARS} 个字。")
    try:
        audio = await run_in_threadpool(synthesize, text)
    except (RuntimeError, subprocess.SubprocessError) as exc:
        raise HTTPException(status_code=503, detail=f"语音服务暂时不可用（{exc}）。") from None
    return Response(content=audio, media_type="audio/wav", headers={"Cache-Control": "max-age=3600"})
