"""The real app in-process (real model, real index copy, real database) with per-module settings."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from fastapi import FastAPI

from govbot.settings import get_settings
from tests.conftest import SAMPLE_KB, copy_index

EDITOR = "security-editor-token-0123456789"
AUTH = {"Authorization": f"Bearer {EDITOR}"}
INTERNAL_TOKEN = "security-internal-token-0123456789"
INTERNAL = {"X-Govbot-Internal": INTERNAL_TOKEN}  # for the internal endpoints (/answer, ...) where required
BASE_URL = "http://127.0.0.1"


@contextlib.contextmanager
def running_app(root: Path, sample_index: Path, **env: str) -> Iterator[FastAPI]:
    """``create_app()`` over a copy of the sample knowledge base and index, with ``GOVBOT_*`` overrides."""
    from govbot.app import create_app

    shutil.copytree(SAMPLE_KB, root / "kb")
    copy_index(sample_index, root / "var" / "index")
    values = {
        "GOVBOT_KB_DIR": str(root / "kb"),
        "GOVBOT_VAR_DIR": str(root / "var"),
        "GOVBOT_ADMIN_TOKENS": f"{EDITOR}:editor",
        "GOVBOT_ADMIN_TOKENS_FILE": str(root / "no-tokens-file"),
        "GOVBOT_INTERNAL_TOKEN": INTERNAL_TOKEN,
        **{f"GOVBOT_{k.upper()}": v for k, v in env.items()},
    }
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        app = create_app()
        assert app.state.reindexer.wait(1, 120), "start-up re-index did not finish"
        yield app
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
