"""The admin API over real HTTP: authentication, live edits, history and rollback, imports, concurrency,
a crash during re-indexing, the review queue, analytics and subscriber notifications."""

from __future__ import annotations

import contextlib
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook

from knowledge.loader import load_kb
from tests.conftest import SAMPLE_KB, copy_index
from tests.processes import BIN, free_port, start, stop, wait_http

EDITOR, VIEWER = "editor-secret-token-for-tests", "viewer-secret-token-for-tests"
AUTH = {"Authorization": f"Bearer {EDITOR}"}
VIEW = {"Authorization": f"Bearer {VIEWER}"}
INTERNAL_TOKEN = "internal-token-for-the-admin-api-tests"
INTERNAL = {"X-Govbot-Internal": INTERNAL_TOKEN}


class Service:
    """`govbot serve` over its own knowledge base, index and database."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def kb(self) -> Path:
        return self.root / "kb"

    def start(self) -> None:
        env = {
            "GOVBOT_KB_DIR": str(self.kb),
            "GOVBOT_VAR_DIR": str(self.root / "var"),
            "GOVBOT_APP_PORT": str(self.port),
            "GOVBOT_ADMIN_TOKENS": f"{EDITOR}:editor,{VIEWER}:viewer",
            "GOVBOT_MAX_UPLOAD_MB": "20",
            "GOVBOT_INTERNAL_TOKEN": INTERNAL_TOKEN,
            "GOVBOT_RATE_SEARCH": "off",  # one test searches continuously for seconds
        }
        self.process = start([str(BIN / "govbot"), "serve"], env, self.root / "serve.log")
        wait_http(f"{self.url}/health", process=self.process)

    def kill(self) -> None:
        assert self.process is not None
        stop(self.process, signal.SIGKILL)

    def precondition(self, doc_id: str) -> dict:
        """If-Match with the document's current ETag, or If-None-Match: * when it does not exist yet."""
        got = httpx.get(f"{self.url}/admin/documents/{doc_id}", headers=AUTH, timeout=60)
        assert got.status_code in (200, 404), f"GET {doc_id}: {got.status_code} {got.text[:300]}"
        return {"If-Match": got.headers["ETag"]} if got.status_code == 200 else {"If-None-Match": "*"}

    def put(self, doc_id: str, text: str, headers: dict = AUTH, condition: dict | None = None) -> httpx.Response:
        """PUT as an editor who has just opened the document (``condition`` overrides the precondition)."""
        condition = self.precondition(doc_id) if condition is None else condition
        return httpx.put(
            f"{self.url}/admin/documents/{doc_id}",
            content=text.encode(),
            headers={**headers, **condition},
            timeout=60,
        )

    def answer(self, question: str) -> dict:
        return httpx.post(
            f"{self.url}/answer",
            json={"question": question, "sender": "t", "channel": "test"},
            headers=INTERNAL,
            timeout=30,
        ).json()


def running_service(root: Path, index_dir: Path) -> Iterator[Service]:
    """A started :class:`Service` over copies of the sample knowledge base and ``index_dir``; killed after."""
    shutil.copytree(SAMPLE_KB, root / "kb")
    copy_index(index_dir, root / "var" / "index")
    running = Service(root)
    running.start()
    yield running
    running.kill()


@pytest.fixture(scope="module")
def service(sample_index, tmp_path_factory):
    yield from running_service(tmp_path_factory.mktemp("admin"), sample_index)


def test_authentication(service):
    url = f"{service.url}/admin/documents"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(url, headers={"Authorization": EDITOR}).status_code == 401
    assert httpx.get(url, headers=VIEW).json()["total"] == len(load_kb(SAMPLE_KB).documents)
    text = (service.kb / "passport.md").read_text("utf-8")
    denied = service.put("passport", text, headers=VIEW)
    assert denied.status_code == 403 and "只读" in denied.json()["detail"]
    assert httpx.delete(f"{url}/passport", headers=VIEW).status_code == 403
    log = (service.root / "serve.log").read_text(errors="replace")
    assert EDITOR not in log and VIEWER not in log


def test_documents_list_filters_and_paging(service):
    body = httpx.get(
        f"{service.url}/admin/documents", params={"type": "policy", "page_size": 10, "page": 2}, headers=VIEW
    ).json()
    assert body["total"] == 25 and len(body["items"]) == 10 and all(i["type"] == "policy" for i in body["items"])
    found = httpx.get(f"{service.url}/admin/documents", params={"q": "护照"}, headers=VIEW).json()
    assert [i["id"] for i in found["items"]] == ["passport"]


def test_edit_is_live_and_audited(service):
    before = service.answer("办护照要多少钱")
    assert before["doc_id"] == "passport" and "120元" in before["text"]
    text = (service.kb / "passport.md").read_text("utf-8")
    started = time.monotonic()
    response = service.put("passport", text.replace("120元", "135元"))
    assert response.status_code == 200 and response.json()["indexed"] is True
    after = service.answer("办护照要多少钱")
    assert time.monotonic() - started < 5
    assert "135元" in after["text"] and "120元" not in after["text"]
    history = httpx.get(f"{service.url}/admin/documents/passport/history", headers=VIEW).json()["versions"]
    assert history[-1]["action"] == "update" and history[-1]["actor"].startswith("editor-")
    assert "120元" in history[-1]["before"] and "135元" in history[-1]["after"]


def test_validation_errors_change_nothing(service):
    original = (service.kb / "id-card.md").read_text("utf-8")
    broken = service.put(
        "id-card", original.replace("type: guide", "type: manual").replace("updated: 2026", "updated: 20x6")
    )
    assert broken.status_code == 422
    problems = broken.json()["detail"]["problems"]
    fields = {p["field"]: p for p in problems}
    assert fields["type"]["line"] == 3 and "unknown type" in fields["type"]["message"]
    assert "updated" in fields
    assert service.put("id-card", "没有前置信息").status_code == 422
    assert service.put("id-card", original.replace("id: id-card", "id: passport")).status_code == 422
    assert (service.kb / "id-card.md").read_text("utf-8") == original


def test_create_delete_and_rollback(service):
    text = (
        "---\nid: dog-registration\ntype: guide\ntitle: 犬只登记\ndepartment: 示例市农业农村局\nregion: 示例市\n"
        "audience: [个人]\naliases: [养狗登记, 办狗证]\nupdated: 2026-11-20\nsample: true\n---\n\n"
        "## 申请材料\n\n1. 养犬人身份证。\n2. 犬只狂犬病免疫证明。\n\n"
        "## 办理流程\n\n到居住地动物防疫站办理犬只登记，领取犬牌。\n\n## 收费标准\n\n犬只登记免费。\n"
    )
    created = service.put("dog-registration", text)
    assert created.json()["action"] == "create" and created.json()["version"] == 1
    assert service.answer("养狗要办什么证")["doc_id"] == "dog-registration"
    deleted = httpx.delete(
        f"{service.url}/admin/documents/dog-registration",
        headers={**AUTH, **service.precondition("dog-registration")},
        timeout=60,
    ).json()
    assert deleted["version"] == 2 and not (service.kb / "dog-registration.md").exists()
    assert service.answer("犬只登记领取犬牌").get("doc_id") != "dog-registration"
    restored = httpx.post(
        f"{service.url}/admin/documents/dog-registration/rollback", params={"version": 1}, headers=AUTH, timeout=60
    )
    assert restored.json()["action"] == "rollback" and (service.kb / "dog-registration.md").read_text("utf-8") == text
    assert service.answer("养狗要办什么证")["doc_id"] == "dog-registration"
    missing = httpx.post(
        f"{service.url}/admin/documents/dog-registration/rollback", params={"version": 99}, headers=AUTH
    )
    assert missing.status_code == 404


def _pdf(tmp_path: Path) -> Path:
    html = tmp_path / "pdf.html"
    html.write_text(
        "<html><body><h1>示例市养蜂备案</h1><p>申请材料</p><p>养蜂人身份证。</p><p>办理流程</p><p>到农业部门窗口备案。</p></body></html>",
        "utf-8",
    )
    pdf = tmp_path / "bee-keeping.pdf"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is installed by scripts/install-system-deps.sh"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--print-to-pdf={pdf}",
            "--no-pdf-header-footer",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return pdf


def test_import_every_format(service, tmp_path):
    import docx

    files = {}
    files["import-md.md"] = (
        (SAMPLE_KB / "passport.md").read_text("utf-8").replace("id: passport", "id: import-md").encode()
    )
    files["import-txt.txt"] = "养老服务机构备案\n\n申请材料\n营业执照。\n\n办理流程\n网上提交。\n".encode()
    files["import-html.html"] = (
        "<h1>殡葬服务指南</h1><h2>办理流程</h2><p>联系殡仪馆。</p><h2>收费标准</h2><p>按规定收费。</p>".encode()
    )
    files["import-faq.csv"] = "question,answer\n社保断缴怎么办,可补缴\n".encode()
    book = Workbook()
    book.active.append(["question", "answer"])
    book.active.append(["医保卡怎么激活", "在i示例APP激活"])
    book.save(tmp_path / "import-xlsx.xlsx")
    files["import-xlsx.xlsx"] = (tmp_path / "import-xlsx.xlsx").read_bytes()
    document = docx.Document()
    document.add_heading("示例市停车证办理", 1)
    document.add_heading("申请材料", 2)
    document.add_paragraph("行驶证和身份证。")
    document.save(tmp_path / "import-docx.docx")
    files["import-docx.docx"] = (tmp_path / "import-docx.docx").read_bytes()
    files["bee-keeping.pdf"] = _pdf(tmp_path).read_bytes()
    upload = [("files", (name, data)) for name, data in files.items()]
    response = httpx.post(
        f"{service.url}/admin/import",
        params={"type": "guide"},
        files=upload[:3] + upload[5:],
        headers=AUTH,
        timeout=120,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert all(f["ok"] for f in body["files"]) and body["indexed"] is True
    faq = httpx.post(f"{service.url}/admin/import", files=upload[3:5], headers=AUTH, timeout=120)
    assert faq.status_code == 200, faq.text
    faq = faq.json()
    ids = {i["id"] for i in body["imported"] + faq["imported"]}
    assert ids == {"import-md", "import-txt", "import-html", "import-faq", "import-xlsx", "import-docx", "bee-keeping"}
    assert service.answer("养蜂备案要带什么")["doc_id"] == "bee-keeping"
    assert (
        httpx.get(f"{service.url}/admin/documents/import-faq/history", headers=VIEW).json()["versions"][0]["action"]
        == "create"
    )


def test_bad_uploads(service, tmp_path):
    broken_md = b"---\nid: bad-md\ntitle: [oops\n---\n"
    uploads = [
        ("files", ("virus.exe", b"MZ....")),
        ("files", ("broken.xlsx", b"not really a workbook")),
        ("files", ("broken.pdf", b"%PDF-1.4 nonsense")),
        ("files", ("bad-md.md", broken_md)),
        ("files", ("dup-doc.txt", "甲\n\n办理流程\n窗口办理。\n".encode())),
        ("files", ("dup-doc.html", "<h1>乙</h1><h2>办理流程</h2><p>窗口办理。</p>".encode())),
    ]
    response = httpx.post(
        f"{service.url}/admin/import", params={"type": "guide"}, files=uploads, headers=AUTH, timeout=60
    )
    assert response.status_code == 422 and "没有导入任何文档" in response.json()["detail"]["message"]
    files = {f["file"]: f for f in response.json()["detail"]["files"]}
    assert list(files) == [name for _, (name, _) in uploads]
    assert "不支持的文件类型" in files["virus.exe"]["problem"]
    assert "xlsx" in files["broken.xlsx"]["problem"] and "PDF" in files["broken.pdf"]["problem"]
    assert "invalid YAML" in files["bad-md.md"]["problem"]
    assert files["dup-doc.txt"]["ok"] and "重复" in files["dup-doc.html"]["problem"]
    assert not (service.kb / "dup-doc.md").exists()
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as handle:
        handle.write("标题\n".encode())
        handle.write(b"x" * (50 << 20))
    with open(huge, "rb") as handle:
        response = httpx.post(
            f"{service.url}/admin/import", files=[("files", ("huge.txt", handle))], headers=AUTH, timeout=120
        )
    assert response.status_code == 413 and "20 MB" in response.json()["detail"]
    assert not (service.kb / "huge.md").exists() and not (service.kb / "bad-md.md").exists()


def test_concurrent_edits(service):
    targets = ["marriage-registration", "hukou-transfer", "elderly-card"]
    originals = {d: (service.kb / f"{d}.md").read_text("utf-8") for d in targets}

    def edit(n: int) -> int:
        """Open and save, as an editor does; a save that lost the race (412) re-opens and saves again."""
        doc = targets[n % len(targets)]
        text = originals[doc].replace("## 办理流程", f"## 办理流程\n\n并发编辑第{n}次。\n", 1)
        while (status := service.put(doc, text).status_code) == 412:
            pass
        return status

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(edit, range(12)))
    assert statuses == [200] * 12
    report = load_kb(service.kb)
    assert report.problems == [] and len(report.documents) >= 66
    for doc in targets:
        text = (service.kb / f"{doc}.md").read_text("utf-8")
        assert text.count("并发编辑第") == 1
        served = httpx.get(f"{service.url}/documents/{doc}").json()
        assert any("并发编辑第" in s["text"] for s in served["sections"])
        marker = text.split("并发编辑第", 1)[1].split("次", 1)[0]
        assert any(f"并发编辑第{marker}次" in s["text"] for s in served["sections"])


def test_search_during_continuous_edits(service):
    stop_at = time.monotonic() + 6
    errors: list[str] = []

    def searcher() -> None:
        while time.monotonic() < stop_at:
            response = httpx.get(f"{service.url}/search", params={"q": "社保卡补办"}, timeout=10)
            if response.status_code != 200 or response.json()["results"][0]["doc_id"] != "social-security-card":
                errors.append(response.text[:200])

    thread = threading.Thread(target=searcher)
    thread.start()
    text = (service.kb / "vehicle-inspection.md").read_text("utf-8")
    n = 0
    while time.monotonic() < stop_at:
        n += 1
        assert service.put("vehicle-inspection", text + f"\n\n（第{n}次修订）\n").status_code == 200
    thread.join()
    assert n >= 2 and errors == []


def test_killed_during_reindex_then_restart_applies_the_change(service):
    text = (service.kb / "legal-aid.md").read_text("utf-8")
    changed = text.replace("## 办理时限", "## 办理时限\n\n重启测试：法律援助夜间值班窗口。\n", 1)
    sender = threading.Thread(target=lambda: _quiet_put(service, "legal-aid", changed))
    sender.start()
    deadline = time.monotonic() + 10
    while "夜间值班窗口" not in (service.kb / "legal-aid.md").read_text("utf-8") and time.monotonic() < deadline:
        time.sleep(0.01)
    service.kill()
    sender.join()
    assert "夜间值班窗口" in (service.kb / "legal-aid.md").read_text("utf-8")
    index = service.root / "var" / "index"
    current = (index / "CURRENT").read_text().strip()
    assert (index / "snapshots" / current / "manifest.json").exists()
    service.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        doc = httpx.get(f"{service.url}/documents/legal-aid").json()
        if any("夜间值班窗口" in s["text"] for s in doc["sections"]):
            break
        time.sleep(0.3)
    else:
        pytest.fail("the change saved before the crash was not indexed after restart")


def _quiet_put(service: Service, doc_id: str, text: str) -> None:
    """PUT that expects the server to die while answering."""
    with contextlib.suppress(httpx.HTTPError):
        service.put(doc_id, text)


def test_review_queue_groups_and_linking_answers_the_next_citizen(service):
    for question in ("宅基地怎么审批", "宅基地建房审批去哪里办", "农村宅基地申请要什么材料", "明天会下雨吗"):
        service.answer(question)
    groups = httpx.get(f"{service.url}/admin/review", headers=VIEW, timeout=60).json()["groups"]
    housing = next(g for g in groups if any("宅基地" in q for q in g["questions"]))
    assert housing["size"] >= 2 and sum("宅基地" in q for q in housing["questions"]) >= 2
    assert not any("下雨" in q for q in housing["questions"])
    csv_text = httpx.get(f"{service.url}/admin/review.csv", headers=VIEW, timeout=60).text
    assert "宅基地" in csv_text and csv_text.lstrip("\ufeff").startswith("group_id")
    doc = (
        "---\nid: rural-homestead\ntype: guide\ntitle: 农村村民住宅建设审批\ndepartment: 示例市农业农村局\n"
        "region: 示例市\naudience: [个人]\nupdated: 2026-11-25\nsample: true\n---\n\n## 办理条件\n\n"
        "本村集体经济组织成员，符合一户一宅条件。\n\n## 申请材料\n\n身份证、户口簿、建房申请表。\n\n"
        "## 办理流程\n\n向村民委员会提出申请，经乡镇人民政府审核批准。\n"
    )
    assert service.put("rural-homestead", doc).status_code == 200
    linked = httpx.post(
        f"{service.url}/admin/review/link",
        json={"group_id": housing["id"], "doc_id": "rural-homestead"},
        headers=AUTH,
        timeout=60,
    ).json()
    assert linked["closed"] >= 2 and linked["indexed"] is True
    assert "宅基地建房审批去哪里办" in (service.kb / "rural-homestead.md").read_text("utf-8")
    answer = service.answer("宅基地审批怎么办理啊")
    assert answer["decision"] == "answer" and answer["doc_id"] == "rural-homestead"
    remaining = httpx.get(f"{service.url}/admin/review", headers=VIEW, timeout=60).json()["groups"]
    assert housing["id"] not in {g["id"] for g in remaining}
    weather = next(g for g in remaining if any("下雨" in q for q in g["questions"]))
    resolved = httpx.post(f"{service.url}/admin/review/resolve", json={"group_id": weather["id"]}, headers=AUTH).json()
    assert resolved["closed"] == weather["size"]
    assert (
        httpx.post(f"{service.url}/admin/review/resolve", json={"group_id": weather["id"]}, headers=VIEW).status_code
        == 403
    )


def test_analytics_and_csv(service):
    httpx.post(
        f"{service.url}/feedback",
        json={"sender": "a", "doc_id": "passport", "question": "护照", "useful": True},
        headers=INTERNAL,
    )
    httpx.post(
        f"{service.url}/feedback",
        json={"sender": "b", "doc_id": "passport", "question": "护照", "useful": False},
        headers=INTERNAL,
    )
    figures = httpx.get(f"{service.url}/admin/analytics", headers=VIEW, timeout=60).json()
    assert figures["messages"] >= 5 and figures["per_day"][-1]["channels"]["test"] >= 5
    shares = figures["outcomes"]
    assert set(shares) == {"answer", "event", "clarify", "fallback", "handoff"}
    assert abs(sum(shares[k]["share"] for k in ("answer", "event", "clarify", "fallback")) - 1) < 0.01
    assert figures["satisfaction"]["share"] == 0.5
    counts = [d["count"] for d in figures["top_documents"]]
    assert counts and counts == sorted(counts, reverse=True)
    assert {"passport", "dog-registration"} & {d["doc_id"] for d in figures["top_documents"]}
    assert figures["median_response_ms"] > 0
    bad = httpx.get(f"{service.url}/admin/analytics", params={"from": "2026-12-01", "to": "2026-01-01"}, headers=VIEW)
    assert bad.status_code == 422
    csv_text = httpx.get(f"{service.url}/admin/analytics.csv", headers=VIEW, timeout=60).text
    assert "outcome,count,share" in csv_text and "test," in csv_text


def test_subscription_notification_and_unsubscribe(service):
    url = service.url
    assert (
        httpx.post(
            f"{url}/subscriptions",
            json={"sender": "elder-7", "channel": "plaintext", "topics": ["养老服务"]},
            headers=INTERNAL,
        ).status_code
        == 200
    )
    httpx.post(
        f"{url}/subscriptions", json={"sender": "biz-1", "channel": "rest", "topics": ["企业扶持"]}, headers=INTERNAL
    )
    text = (service.kb / "policy-elderly-meal.md").read_text("utf-8")
    assert (
        service.put(
            "policy-elderly-meal", text.replace("## 支持内容", "## 支持内容\n\n2027年起助餐补贴标准提高。\n", 1)
        ).status_code
        == 200
    )
    pending = httpx.get(f"{url}/admin/notifications", headers=VIEW).json()["notifications"]
    mine = [n for n in pending if n["doc_id"] == "policy-elderly-meal"]
    assert [n["sender"] for n in mine] == ["elder-7"] and "老年助餐" in mine[0]["message"]
    assert (
        httpx.post(f"{url}/subscriptions/cancel", json={"sender": "elder-7"}, headers=INTERNAL).json()["cancelled"] == 1
    )
    service.put("policy-elderly-meal", text)
    after = httpx.get(f"{url}/admin/notifications", headers=VIEW).json()["notifications"]
    assert len([n for n in after if n["doc_id"] == "policy-elderly-meal"]) == 1
    with sqlite3.connect(service.root / "var" / "govbot.db") as db:
        assert (
            db.execute("select count(*) from subscriptions where active = 1 and sender = 'elder-7'").fetchone()[0] == 0
        )
