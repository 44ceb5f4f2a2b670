"""Security headers on every response, the Host allow-list, admin routes hidden from the API docs, and pages
that work under a CSP without inline script or style."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from govbot.api.pages import WEB_DIR
from tests.security.inprocess import BASE_URL, running_app


@pytest.fixture(scope="module")
def client(sample_index, tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("headers"), sample_index) as app:
        yield TestClient(app, base_url=BASE_URL)


@pytest.mark.parametrize("path", ["/", "/elder", "/admin", "/static/chat.js", "/health", "/no-such-page", "/docs"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    if path != "/docs":
        script = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
        assert "unsafe-inline" not in script and "unsafe-eval" not in script
        assert "unsafe-inline" not in csp


def test_not_found_is_chinese(client):
    assert client.get("/no-such-page").json() == {"detail": "未找到该地址。"}


def test_unknown_host_is_refused(client):
    refused = client.get("/health", headers={"Host": "attacker.example"})
    assert refused.status_code == 400 and refused.json() == {"detail": "请求的主机名不在本服务的允许列表中。"}
    assert client.get("/health", headers={"Host": "attacker.example:8000"}).status_code == 400
    assert client.get("/health", headers={"Host": "127.0.0.1.attacker.example"}).status_code == 400
    assert client.get("/health", headers={"Host": "localhost:8000"}).status_code == 200
    assert client.get("/health", headers={"Host": "LOCALHOST"}).status_code == 200


def test_admin_routes_hidden_from_openapi_by_default(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert "/search" in paths and "/tts" in paths
    assert not [p for p in paths if p.startswith("/admin")]


def test_admin_routes_in_openapi_when_enabled(sample_index, tmp_path_factory):
    with running_app(tmp_path_factory.mktemp("docs-admin"), sample_index, docs_admin="1") as app:
        paths = TestClient(app, base_url=BASE_URL).get("/openapi.json").json()["paths"]
    assert "/admin/documents/{doc_id}" in paths and "/admin/import" in paths


class _InlineFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag}[{name}]" for name in names if name == "style" or name.startswith("on")]


@pytest.mark.parametrize("page", sorted(p.name for p in WEB_DIR.glob("*.html")))
def test_pages_have_no_inline_script_or_style(page):
    finder = _InlineFinder()
    finder.feed((WEB_DIR / page).read_text("utf-8"))
    assert finder.found == []
