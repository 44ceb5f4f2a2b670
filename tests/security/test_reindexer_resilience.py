"""The re-indexer survives any build error: it retries, /health says degraded (still 200), and edits go live
once builds work again."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from govbot.admin.reindexer import Reindexer
from govbot.components import tokenizer_for
from index.builder import BuildResult, build_index
from tests.browser import browser
from tests.conftest import write_doc
from tests.processes import free_port
from tests.security.inprocess import AUTH, BASE_URL, running_app


class FailingDisk:
    """A real build that raises RuntimeError while ``broken`` is set (as FAISS does on a full disk)."""

    def __init__(self, app):
        self.app = app
        self.broken = threading.Event()
        self.calls = 0

    def build(self) -> BuildResult:
        self.calls += 1
        if self.broken.is_set():
            raise RuntimeError("Error in faiss::FileIOWriter: /srv/govbot/var/index/tmp/dense.faiss: No space left")
        settings = self.app.state.settings
        embedder = self.app.state.searcher.embedder
        return build_index(settings.kb_dir, settings.index_dir, lambda: embedder, tokenizer_for(settings), settings)


@pytest.fixture(scope="module")
def setup(sample_index, tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("reindex"), sample_index, rate_search="off") as app:
        disk = FailingDisk(app)
        app.state.reindexer = Reindexer(disk.build, lambda _: app.state.searcher.refresh(), retry_seconds=0.2)
        yield app, disk, TestClient(app, base_url=BASE_URL)


CREATE = {**AUTH, "If-None-Match": "*"}  # a new document (where saves carry preconditions)


def new_doc(folder: Path, doc_id: str, title: str) -> bytes:
    return write_doc(folder, doc_id, title, "## 办理流程\n\n到窗口办理。").read_bytes()


def top_doc(client, question: str) -> str:
    return client.get("/search", params={"q": question}).json()["results"][0]["doc_id"]


def wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_reindexer_survives_runtime_error_and_recovers(setup, tmp_path):
    app, disk, client = setup
    disk.broken.set()
    saved = client.put(
        "/admin/documents/seal-carving", content=new_doc(tmp_path, "seal-carving", "刻章备案"), headers=CREATE
    )
    assert saved.status_code == 200 and saved.json()["indexed"] is False
    assert saved.json()["index_error"].startswith("RuntimeError:") and "/srv" not in saved.json()["index_error"]
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "degraded"
    assert "No space left" in health.json()["reindex"]["last_error"]
    assert top_doc(client, "刻章备案怎么办") != "seal-carving"  # the last good snapshot keeps serving
    assert wait_for(lambda: disk.calls >= 3), "the worker did not retry"

    disk.broken.clear()  # the disk has room again: the pending retry publishes without a new request
    assert wait_for(lambda: client.get("/health").json()["status"] == "ok")
    assert client.get("/health").json()["reindex"] == {"failures": 0, "last_error": None}
    assert top_doc(client, "刻章备案怎么办") == "seal-carving"

    following = client.put(
        "/admin/documents/boat-licence", content=new_doc(tmp_path, "boat-licence", "游船牌照"), headers=CREATE
    )
    assert following.status_code == 200 and following.json()["indexed"] is True
    assert top_doc(client, "游船牌照怎么办") == "boat-licence"


@contextlib.contextmanager
def served(app) -> Iterator[str]:
    """The same app over real HTTP (uvicorn in a thread), for the browser."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert wait_for(lambda: server.started, 30)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_admin_page_shows_a_banner_while_degraded(setup, tmp_path):
    app, disk, client = setup
    disk.broken.set()
    client.put("/admin/documents/kite-permit", content=new_doc(tmp_path, "kite-permit", "风筝许可"), headers=CREATE)
    assert client.get("/health").json()["status"] == "degraded"
    with served(app) as url, browser() as chromium:
        page = chromium.new_page()
        page.goto(url + "/admin")
        banner = page.locator("#index-health")
        banner.wait_for(state="visible", timeout=10_000)
        assert "索引更新失败" in banner.inner_text() and "No space left" in banner.inner_text()
        disk.broken.clear()
        assert wait_for(lambda: client.get("/health").json()["status"] == "ok")
        page.reload()
        page.wait_for_load_state("networkidle")
        assert not banner.is_visible()
