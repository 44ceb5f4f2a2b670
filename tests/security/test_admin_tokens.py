"""Admin tokens over real HTTP (`govbot serve`): department scopes, the minimum length, reloading the tokens
file without a restart, and the private token file."""

from __future__ import annotations

import os
import shutil
import time

import httpx
import pytest

from govbot.admin.auth import MIN_TOKEN_LENGTH, ensure_token_file
from tests.conftest import SAMPLE_KB, copy_index
from tests.processes import BIN, free_port, start, stop, wait_http

SCOPED = "scoped-editor-token-minzheng-0001"
EDITOR = "unscoped-editor-token-for-tests-01"
SHORT = "short-token-1234"
DEPARTMENT = "示例市民政局"


@pytest.fixture(scope="module")
def service(sample_index, tmp_path_factory):
    root = tmp_path_factory.mktemp("tokens")
    shutil.copytree(SAMPLE_KB, root / "kb")
    copy_index(sample_index, root / "var" / "index")
    tokens_file = root / "var" / "admin_tokens"
    tokens_file.write_text(f"# name token role [department]\nminzheng {SCOPED} editor {DEPARTMENT}\n", "utf-8")
    port = free_port()
    env = {
        "GOVBOT_KB_DIR": str(root / "kb"),
        "GOVBOT_VAR_DIR": str(root / "var"),
        "GOVBOT_APP_PORT": str(port),
        "GOVBOT_ADMIN_TOKENS": f"{EDITOR}:editor,{SHORT}:editor",
    }
    process = start([str(BIN / "govbot"), "serve"], env, root / "serve.log")
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/health", process=process)
    yield url, root
    stop(process)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_scoped_editor_writes_only_its_department(service):
    url, root = service
    me = httpx.get(f"{url}/admin/me", headers=_auth(SCOPED)).json()
    assert me == {"name": "minzheng", "role": "editor", "department": DEPARTMENT}
    assert httpx.get(f"{url}/admin/me", headers=_auth(EDITOR)).json()["department"] is None
    own = (root / "kb" / "elderly-card.md").read_text("utf-8")
    other = (root / "kb" / "passport.md").read_text("utf-8")
    assert f"department: {DEPARTMENT}" in own and f"department: {DEPARTMENT}" not in other

    def put(doc_id: str, text: str, token: str = SCOPED) -> httpx.Response:
        """PUT as an editor who has just opened the document (If-Match with its ETag)."""
        opened = httpx.get(f"{url}/admin/documents/{doc_id}", headers=_auth(token), timeout=60)
        headers = {**_auth(token), "If-Match": opened.headers["ETag"]}
        return httpx.put(f"{url}/admin/documents/{doc_id}", content=text.encode(), headers=headers, timeout=60)

    refused = put("passport", other.replace("## 申请材料", "## 申请材料\n\n越权修改。", 1))
    assert refused.status_code == 403 and DEPARTMENT in refused.json()["detail"]
    assert "越权修改" not in (root / "kb" / "passport.md").read_text("utf-8")
    assert httpx.delete(f"{url}/admin/documents/passport", headers=_auth(SCOPED)).status_code == 403
    moved = put("elderly-card", own.replace(f"department: {DEPARTMENT}", "department: 示例市公安局"))
    assert moved.status_code == 403
    stolen = put("passport", other.replace("department: 示例市公安局", f"department: {DEPARTMENT}"))
    assert stolen.status_code == 403
    edited = put("elderly-card", own.replace("## 办理流程", "## 办理流程\n\n本部门修改。", 1))
    assert edited.status_code == 200, edited.text
    assert "本部门修改" in (root / "kb" / "elderly-card.md").read_text("utf-8")
    rollback = httpx.post(
        f"{url}/admin/documents/passport/rollback", params={"version": 1}, headers=_auth(SCOPED), timeout=60
    )
    assert rollback.status_code == 403
    assert put("passport", other.replace("## 申请材料", "## 申请材料\n\n总编辑修改。", 1), EDITOR).status_code == 200


def test_short_tokens_are_rejected_with_a_warning(service):
    url, root = service
    assert len(SHORT) < MIN_TOKEN_LENGTH
    assert httpx.get(f"{url}/admin/me", headers=_auth(SHORT)).status_code == 401
    log = (root / "serve.log").read_text("utf-8", errors="replace")
    assert f"shorter than {MIN_TOKEN_LENGTH} characters" in log and SHORT not in log


def test_tokens_file_is_reloaded_without_restart(service):
    url, root = service
    added = "added-later-viewer-token-000001"
    assert httpx.get(f"{url}/admin/me", headers=_auth(added)).status_code == 401
    tokens_file = root / "var" / "admin_tokens"
    time.sleep(0.05)
    with tokens_file.open("a", encoding="utf-8") as handle:
        handle.write(f"later {added} viewer\n")
    assert httpx.get(f"{url}/admin/me", headers=_auth(added)).json()["name"] == "later"
    tokens_file.write_text(tokens_file.read_text("utf-8").replace(f"later {added} viewer\n", ""), "utf-8")
    assert httpx.get(f"{url}/admin/me", headers=_auth(added)).status_code == 401
    assert httpx.get(f"{url}/admin/me", headers=_auth(SCOPED)).status_code == 200


def test_generated_token_file_is_private(tmp_path):
    tokens_file = tmp_path / "var" / "admin_tokens"
    old_umask = os.umask(0)
    try:
        assert ensure_token_file(tokens_file, "") is True
    finally:
        os.umask(old_umask)
    assert tokens_file.stat().st_mode & 0o777 == 0o600
    name, token, role = tokens_file.read_text("utf-8").splitlines()[1].split()
    assert (name, role) == ("admin", "editor") and len(token) >= MIN_TOKEN_LENGTH
    assert ensure_token_file(tokens_file, "") is False
    assert tokens_file.read_text("utf-8").splitlines()[1].split()[1] == token
    assert [p.name for p in tokens_file.parent.iterdir()] == ["admin_tokens"]


def test_admin_page_shows_the_editing_scope(service):
    from tests.browser import browser, wait_until

    url, _ = service
    with browser() as chromium:
        page = chromium.new_page()
        page.goto(f"{url}/admin")
        page.fill("#token", SCOPED)
        page.click("#login button[type=submit]")
        wait_until(page, "document.querySelector('#who').innerText.includes('编辑范围')")
        assert f"编辑范围：{DEPARTMENT}" in page.inner_text("#who")
        page.close()
