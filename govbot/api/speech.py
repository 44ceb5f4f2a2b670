"""Server-side speech: WAV from espeak-ng's Mandarin voice, for gateways and browsers without speech."""

from __future__ import annotations

import logging
import shutil
import subprocess

from fastapi import APIRouter, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from govbot.api.responses import WavResponse, errors

logger = logging.getLogger(__name__)
router = APIRouter(tags=["speech"])
MAX_TTS_CHARS = 500
VOICE = "cmn"
TIMEOUT_SECONDS = 30
# For the schema; the handler checks both itself, to answer with a specific message.
SPOKEN = {"maxLength": MAX_TTS_CHARS, "pattern": r"^\s*\S"}
UNAVAILABLE = "语音服务暂时不可用，请稍后再试。"


class SpeechUnavailable(RuntimeError):
    """espeak-ng is missing or failed; the details are for the server log only."""


def synthesize(text: str) -> bytes:
    """WAV bytes of ``text`` spoken by espeak-ng (Mandarin).

    The text goes to espeak-ng on standard input, never on its command line, so it cannot become an option.
    """
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise SpeechUnavailable("espeak-ng is not installed")
    try:
        result = subprocess.run(
            [binary, "-v", VOICE, "-s", "150", "--stdout", "--stdin"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SpeechUnavailable(f"espeak-ng failed: {type(exc).__name__}") from exc
    if not result.stdout.startswith(b"RIFF"):
        raise SpeechUnavailable("espeak-ng returned no WAV data")
    return result.stdout


@router.get("/tts", response_class=WavResponse, responses=errors(503))
async def tts(text: str = Query(..., min_length=1, json_schema_extra=SPOKEN)) -> Response:
    """Speak ``text`` (at most 500 characters) as a WAV file."""
    if len(text) > MAX_TTS_CHARS:
        raise HTTPException(status_code=422, detail=f"朗读文字过长：最多 {MAX_TTS_CHARS} 个字。")
    text = text.strip()
    if not text:
        raise HTTPException(status_code=422, detail="请提供要朗读的文字。")
    try:
        audio = await run_in_threadpool(synthesize, text)
    except SpeechUnavailable:
        logger.exception("speech synthesis failed")
        raise HTTPException(status_code=503, detail=UNAVAILABLE) from None
    return Response(content=audio, media_type="audio/wav", headers={"Cache-Control": "max-age=3600"})
