"""Batch imports are all or nothing, with a per-file report: over the admin API and `govbot kb import`."""

from __future__ import annotations

import sqlite3
import subprocess

import httpx

from tests.processes import BIN
from tests.test_admin_api import AUTH, VIEW
from tests.test_importers import TXT_GUIDE

GOOD_HTML = "<h1>示例市殡葬服务</h1><h2>办理流程</h2><p>联系殡仪馆。</p><h2>收费标准</h2><p>按规定收费。</p>"


def _audit_count(service) -> int:
    with sqlite3.connect(service.root / "var" / "govbot.db") as connection:
        return connection.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def test_one_bad_file_stops_the_batch_over_http(admin_service):
    uploads = [
        ("files", ("batch-dog.txt", TXT_GUIDE.encode())),
        ("files", ("batch-funeral.html", GOOD_HTML.encode())),
        ("files", ("batch-bad.md", b"---\nid: batch-bad\ntitle: &x oops\n---\n\nbody")),
    ]
    audits = _audit_count(admin_service)
    response = httpx.post(
        f"{admin_service.url}/admin/import", params={"type": "guide"}, files=uploads, headers=AUTH, timeout=120
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["message"] == "有文件未通过校验，本批次没有导入任何文档。"
    report = {f["file"]: f for f in detail["files"]}
    assert report["batch-dog.txt"] == {"file": "batch-dog.txt", "ok": True, "ids": ["batch-dog"], "problem": None}
    assert report["batch-funeral.html"]["ok"] and not report["batch-bad.md"]["ok"]
    assert "锚点" in report["batch-bad.md"]["problem"]
    assert not any((admin_service.kb / f"{i}.md").exists() for i in ("batch-dog", "batch-funeral", "batch-bad"))
    assert _audit_count(admin_service) == audits
    fixed = httpx.post(
        f"{admin_service.url}/admin/import", params={"type": "guide"}, files=uploads[:2], headers=AUTH, timeout=120
    )
    assert fixed.status_code == 200 and fixed.json()["indexed"] is True
    assert {i["id"] for i in fixed.json()["imported"]} == {"batch-dog", "batch-funeral"}
    assert _audit_count(admin_service) == audits + 2
    history = httpx.get(f"{admin_service.url}/admin/documents/batch-dog/history", headers=VIEW).json()["versions"]
    assert [v["action"] for v in history] == ["create"]


def test_a_related_id_known_nowhere_stops_the_batch(admin_service):
    text = (admin_service.kb / "passport.md").read_text("utf-8").replace("id: passport", "id: batch-related")
    text = text.replace("related: [hk-macau-permit, id-card]", "related: [nowhere-doc]")
    assert "nowhere-doc" in text
    uploads = [("files", ("batch-related.md", text.encode())), ("files", ("batch-ok.txt", TXT_GUIDE.encode()))]
    response = httpx.post(f"{admin_service.url}/admin/import", files=uploads, headers=AUTH, timeout=120)
    assert response.status_code == 422
    files = response.json()["detail"]["files"]
    assert "nowhere-doc" in files[0]["problem"] and files[1]["ok"]
    assert not (admin_service.kb / "batch-ok.md").exists()


def test_cli_import_is_all_or_nothing(tmp_path):
    good = tmp_path / "cli-dog.txt"
    good.write_text(TXT_GUIDE, encoding="utf-8")
    bad = tmp_path / "cli-bad.csv"
    bad.write_text("名字,年龄\n张三,3\n", encoding="utf-8")
    kb = tmp_path / "kb"
    command = [str(BIN / "govbot"), "kb", "import", "--type", "guide", "--kb", str(kb)]
    failed = subprocess.run([*command, str(good), str(bad)], capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and "没有写入任何文档" in failed.stderr
    assert f"ok\t{good}\tcli-dog" in failed.stdout and f"error\t{bad}\t" in failed.stdout
    assert not kb.exists() or list(kb.iterdir()) == []
    done = subprocess.run([*command, str(good)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "created cli-dog" in done.stdout and (kb / "cli-dog.md").exists()
