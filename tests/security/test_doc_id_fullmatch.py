"""Document ids, dates and URLs match whole values: a trailing newline is not a valid id."""

from __future__ import annotations

import httpx

from knowledge.document import parse_document
from knowledge.importer import import_files
from knowledge.schema import is_doc_id, validate_document
from tests.test_admin_api import AUTH
from tests.test_importers import TXT_GUIDE


def test_is_doc_id_needs_the_whole_value():
    assert is_doc_id("passport") and is_doc_id("a" * 80)
    for bad in ("passport\n", "passport\r\n", "\npassport", "pass port", "a" * 81, "Passport", "", None, 7):
        assert not is_doc_id(bad), repr(bad)


def test_front_matter_values_with_a_trailing_newline_are_refused():
    text = (
        '---\nid: "demo\\n"\ntype: guide\ntitle: 示例\ndepartment: 示例市测试局\nregion: 示例市\naudience: [个人]\n'
        'updated: "2026-01-01\\n"\nsource_url: "https://example.org/x\\n"\nrelated: ["passport\\n"]\n---\n\n'
        "## 申请材料\n\n身份证。\n"
    )
    problems = {p.field for p in validate_document(parse_document(text, "demo.md"))}
    assert {"id", "updated", "source_url", "related"} <= problems


def test_import_refuses_a_file_name_with_a_newline(tmp_path):
    source = tmp_path / "dog\n.txt"
    source.write_text(TXT_GUIDE, encoding="utf-8")
    report = import_files([source], tmp_path / "kb", "guide")
    assert not report.ok and "文件名必须是文档编号" in report.files[0].problem
    assert not (tmp_path / "kb").exists() or list((tmp_path / "kb").iterdir()) == []


def test_admin_routes_refuse_an_id_with_a_newline(admin_service):
    url = f"{admin_service.url}/admin/documents/passport%0A"
    assert httpx.get(url, headers=AUTH).status_code == 404
    text = (admin_service.kb / "passport.md").read_text("utf-8")
    put = httpx.put(url, content=text.encode(), headers={**AUTH, "If-None-Match": "*"})
    assert put.status_code == 422
    assert not any(p.name.startswith("passport\n") for p in admin_service.kb.iterdir())
