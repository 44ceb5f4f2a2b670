"""Oversized bodies get 413 before authentication and before any parsing: declared or streamed (chunked)."""

from __future__ import annotations

import anyio
import httpx
import pytest

from tests.security.inprocess import AUTH, BASE_URL, INTERNAL, running_app

LIMIT_MB = 1
CHUNK = 64 << 10


@pytest.fixture(scope="module")
def app(sample_index, tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("body"), sample_index, max_upload_mb=str(LIMIT_MB)) as app:
        yield app


class Body:
    """A multipart-looking request body streamed in chunks, counting how much the server pulled."""

    def __init__(self, total: int):
        self.total = total
        self.sent = 0

    async def __aiter__(self):
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="big.md"\r\n\r\n'
        while self.sent < self.total:
            self.sent += CHUNK
            yield b"x" * CHUNK


def post(app, path: str, body: Body, headers: dict) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            return await client.post(path, content=body, headers=headers)

    return anyio.run(run)


MULTIPART = {"Content-Type": "multipart/form-data; boundary=b"}


def test_small_unauthenticated_upload_gets_401(app):
    response = post(app, "/admin/import", Body(CHUNK), MULTIPART)
    assert response.status_code == 401


def test_declared_huge_upload_gets_413_before_auth_without_reading(app):
    body = Body(5 << 30)
    response = post(app, "/admin/import", body, {**MULTIPART, "Content-Length": str(5 << 30)})
    assert response.status_code == 413 and response.json()["detail"] == "提交的内容过大：最多 1 MB，未处理。"
    assert body.sent == 0


@pytest.mark.parametrize("headers", [MULTIPART, {**MULTIPART, **AUTH}], ids=["anonymous", "editor"])
def test_streamed_upload_stops_at_the_limit(app, headers, tmp_path):
    body = Body(50 << 20)
    response = post(app, "/admin/import", body, headers)
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]
    assert body.sent <= (LIMIT_MB << 20) + 2 * CHUNK
    assert not (app.state.settings.kb_dir / "big.md").exists()


def test_ordinary_json_endpoints_have_a_small_limit(app):
    body = Body(2 << 20)
    response = post(app, "/answer", body, {"Content-Type": "application/json", **INTERNAL})
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]
    assert body.sent <= (1024 << 10) + 2 * CHUNK
