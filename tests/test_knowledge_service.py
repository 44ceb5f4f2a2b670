"""The FastAPI knowledge service over real HTTP, and the `govbot` command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from index.builder import build_index
from knowledge.loader import load_kb
from tests.conftest import PROJECT, SAMPLE_KB, copy_index
from tests.processes import BIN, free_port, start, stop, wait_http
from tests.test_admin_api import INTERNAL, INTERNAL_TOKEN


@pytest.fixture(scope="module")
def service(sample_index, tmp_path_factory):
    """`govbot serve` on a free port over a copy of the sample index."""
    root = tmp_path_factory.mktemp("service")
    index_dir = copy_index(sample_index, root / "index")
    port = free_port()
    env = {
        "GOVBOT_INDEX_DIR": str(index_dir),
        "GOVBOT_APP_PORT": str(port),
        "GOVBOT_VAR_DIR": str(root / "var"),
        "GOVBOT_INTERNAL_TOKEN": INTERNAL_TOKEN,
    }
    process = start([str(BIN / "govbot"), "serve"], env, root / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/health", process=process)
        yield base, index_dir
    finally:
        stop(process)


def test_health_and_search(service):
    base, _ = service
    health = httpx.get(f"{base}/health").json()
    assert health["status"] == "ok" and health["documents"] == len(load_kb(SAMPLE_KB).documents)
    assert health["scope_rule"] == {"fits_calibration": True, "message": None}  # fitted on this very corpus
    body = httpx.get(f"{base}/search", params={"q": "公积金怎么取出来", "top_k": 3}).json()
    assert body["results"][0]["doc_id"] in {"housing-fund-withdrawal", "policy-rental-withdrawal"}
    assert len(body["results"]) <= 3 and body["decision"] in {"answer", "clarify"}
    typed = httpx.get(f"{base}/search", params={"q": "补贴", "type": "policy"}).json()
    assert all(r["type"] == "policy" for r in typed["results"])


def test_search_reads_a_homophone_typo_as_the_term_but_keeps_the_citys_service_names(service):
    base, _ = service
    typo = httpx.get(f"{base}/search", params={"q": "低宝需要什么条件", "top_k": 1}).json()
    assert typo["query"] == "低保需要什么条件" and typo["results"][0]["doc_id"] == "minimum-living-allowance"
    assert httpx.get(f"{base}/search", params={"q": "残保金在哪里交"}).json()["query"] == "残保金在哪里交"


ANSWER_KEYS = {
    "decision",
    "doc_id",
    "title",
    "section",
    "passages",
    "source",
    "sections",
    "message",
    "confidence",
    "options",
    "related",
    "missing_subject",
    "reason",
    "event",
    "script",
    "text",
}


def test_answer_is_structured(service):
    base, _ = service
    answer = httpx.post(f"{base}/answer", json={"question": "低保一个月多少钱"}, headers=INTERNAL, timeout=30).json()
    assert set(answer) == ANSWER_KEYS and answer["decision"] == "answer"
    assert answer["doc_id"] == "minimum-living-allowance" and "960" in answer["passages"][0]["text"]
    assert set(answer["passages"][0]) == {"section", "text", "truncated"}
    assert set(answer["source"]) == {"title", "department", "effective_date", "updated", "url", "text"}
    assert "申请材料" in answer["sections"] and answer["text"].startswith("【最低生活保障申请】")
    section = httpx.post(
        f"{base}/answer",
        json={"question": "", "doc_id": "minimum-living-allowance", "section": "收费标准"},
        headers=INTERNAL,
    ).json()
    assert section["passages"] == [{"section": "收费标准", "text": "不收费。", "truncated": False}]
    clarify = httpx.post(f"{base}/answer", json={"question": "公积金"}, headers=INTERNAL).json()
    assert clarify["decision"] == "clarify" and clarify["message"] and len(clarify["options"]) >= 2
    assert clarify["passages"] == [] and clarify["source"] is None


def test_document(service):
    base, _ = service
    doc = httpx.get(f"{base}/documents/passport").json()
    assert doc["title"] == "普通护照办理" and any(s["heading"] == "申请材料" for s in doc["sections"])
    missing = httpx.get(f"{base}/documents/no-such-doc")
    assert missing.status_code == 404 and "no-such-doc" in missing.json()["detail"]


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"q": ""}, 422, "查询内容为空"),
        ({"q": "   "}, 422, "查询内容为空"),
        ({"q": "a" * 10_001}, 422, "过长"),
        ({"q": "护照", "top_k": 0}, 422, ""),
        ({"q": "护照", "type": "manual"}, 422, ""),
    ],
)
def test_bad_requests_get_clear_errors(service, params, status, message):
    base, _ = service
    response = httpx.get(f"{base}/search", params=params)
    assert response.status_code == status
    assert message in json.dumps(response.json(), ensure_ascii=False)


def test_emoji_and_control_characters(service):
    base, _ = service
    assert httpx.get(f"{base}/search", params={"q": "😀😀"}).json()["results"] == []
    long = httpx.get(f"{base}/search", params={"q": "护照怎么办" * 1000}).json()
    assert long["results"][0]["doc_id"] == "passport"
    body = httpx.get(f"{base}/search", params={"q": "护照\x01\x02怎么办"}).json()
    assert body["results"][0]["doc_id"] == "passport"


def test_new_snapshot_is_served_without_restart(service, kb_copy, embedder, tokenizer, settings):
    base, index_dir = service
    before = httpx.get(f"{base}/health").json()["index_version"]
    path = kb_copy / "passport.md"
    path.write_text(
        path.read_text("utf-8").replace("## 办理时限", "## 办理时限\n\n周末护照专窗每周六开放。\n"), "utf-8"
    )
    result = build_index(kb_copy, index_dir, lambda: embedder, tokenizer, settings)
    deadline = time.monotonic() + 5
    while httpx.get(f"{base}/health").json()["index_version"] == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert httpx.get(f"{base}/health").json()["index_version"] == result.version
    doc = httpx.get(f"{base}/documents/passport").json()
    assert any("周末护照专窗" in s["text"] for s in doc["sections"])


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(env or {})}
    command = [sys.executable, "-m", "govbot.cli", *args]
    return subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, env=environment)


def test_cli_search_queries_file(sample_index, tmp_path):
    queries = tmp_path / "q.txt"
    queries.write_text("身份证丢了怎么补办\n\n护照要带什么材料\n😀\n", "utf-8")
    result = _cli("search", "--index", str(sample_index), "--top-k", "2", "--queries", str(queries))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["query"] for r in rows] == ["身份证丢了怎么补办", "", "护照要带什么材料", "😀"]
    assert rows[0]["results"][0]["doc_id"] == "id-card" and len(rows[0]["results"]) <= 2
    assert set(rows[0]["results"][0]) == {"doc_id", "title", "section", "score", "snippet", "source_url"}
    assert rows[1]["results"] == [] and rows[3]["results"] == []
    assert rows[2]["results"][0]["doc_id"] == "passport"


def test_cli_search_readable_json_and_errors(sample_index):
    readable = _cli("search", "--index", str(sample_index), "护照怎么办")
    assert readable.returncode == 0 and "普通护照办理" in readable.stdout
    as_json = json.loads(_cli("search", "--index", str(sample_index), "--json", "--type", "policy", "育儿补贴").stdout)
    assert as_json["results"][0]["doc_id"] == "policy-childcare-subsidy"
    empty = _cli("search", "--index", str(sample_index), "   ")
    assert empty.returncode == 2 and "查询内容为空" in empty.stderr and "Traceback" not in empty.stderr


def test_cli_validate_checks_the_service_catalogue(tmp_path):
    shipped = _cli("kb", "validate")
    assert shipped.returncode == 0 and "services in the service catalogue" in shipped.stdout
    broken = tmp_path / "catalogue.tsv"
    broken.write_text("name\taliases\tdepartment\n公共租赁住房申请\t公租房\n", "utf-8")
    result = _cli("kb", "validate", env={"GOVBOT_SERVICE_CATALOGUE": str(broken)})
    assert result.returncode == 1 and "catalogue.tsv 第 2 条：应有 3 列，实有 2 列" in result.stdout
    missing = _cli("kb", "validate", env={"GOVBOT_SERVICE_CATALOGUE": str(tmp_path / "none.tsv")})
    assert missing.returncode == 1 and "无法读取服务目录" in missing.stdout and "Traceback" not in missing.stderr


def test_cli_validate_and_import(tmp_path):
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "bad.md").write_text("---\nid: bad\ntype: guide\n---\n", "utf-8")
    result = _cli("kb", "validate", "--kb", str(tmp_path / "kb"))
    assert result.returncode == 1 and "bad.md:1: title: required field is missing" in result.stdout
    source = tmp_path / "pet-license.txt"
    source.write_text("养犬登记\n\n申请材料\n身份证。\n\n办理流程\n到窗口办理。\n", "utf-8")
    imported = _cli("kb", "import", str(source), str(tmp_path / "missing.txt"), "--kb", str(tmp_path / "kb"))
    assert imported.returncode == 1  # all or nothing: the good file is not written either
    assert "missing.txt\t文件不存在" in imported.stdout and "没有写入任何文档" in imported.stderr
    assert not (tmp_path / "kb" / "pet-license.md").exists()
