"""Document parsing and schema validation, with file, line and field in every problem."""

from __future__ import annotations

import csv

from knowledge.document import parse_document
from knowledge.loader import load_kb
from knowledge.schema import validate_document
from tests.conftest import DATA, SAMPLE_KB, write_doc

GUIDE_BODY = "## 申请材料\n\n1. 身份证原件。\n\n## 办理流程\n\n1. 到窗口提交材料。"


def test_sample_kb_is_valid_and_covers_the_catalogue():
    report = load_kb(SAMPLE_KB)
    assert report.problems == []
    ids = {d.id for d in report.documents}
    catalogue = DATA / "catalogue.tsv"
    with open(catalogue, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert {r["id"] for r in rows} <= ids
    by_id = {d.id: d for d in report.documents}
    for row in rows:
        doc = by_id[row["id"]]
        assert doc.type == row["type"] and doc.title == row["title"]
        assert doc.meta["sample"] is True
        length = sum(1 for ch in doc.body if not ch.isspace())
        assert 400 <= length <= 1600, (doc.id, length)


def test_guide_sections_are_parsed_with_lines(tmp_path):
    path = write_doc(tmp_path, "demo", "示例事项", "概述一句。\n\n" + GUIDE_BODY)
    doc = parse_document(path.read_text("utf-8"), path)
    assert [s.heading for s in doc.sections] == ["概述", "申请材料", "办理流程"]
    assert doc.sections[1].line == path.read_text("utf-8").splitlines().index("## 申请材料") + 1
    assert validate_document(doc, expected_id="demo") == []


def test_problems_name_file_line_and_field(tmp_path):
    path = write_doc(tmp_path, "demo", "示例事项", GUIDE_BODY, type="manual", updated="2026-13-01", audience="[外星人]")
    doc = parse_document(path.read_text("utf-8"), path)
    problems = {p.field: p for p in validate_document(doc, expected_id="demo")}
    assert "unknown type" in problems["type"].message
    assert problems["type"].line == 3 and problems["type"].file == str(path)
    assert "YYYY-MM-DD" in problems["updated"].message
    assert "外星人" in problems["audience"].message


def test_broken_front_matter_reports_the_line(tmp_path):
    path = tmp_path / "broken.md"
    path.write_text("---\nid: broken\ntitle: [未闭合\n---\n正文", encoding="utf-8")
    report = load_kb(tmp_path)
    assert report.documents == [] and report.invalid_files == [str(path)]
    assert report.problems[0].field == "front matter" and report.problems[0].line >= 3


def test_invalid_documents_are_left_out_and_the_others_load(tmp_path):
    write_doc(tmp_path, "good", "好的事项", GUIDE_BODY)
    write_doc(tmp_path, "bad-section", "坏的事项", "## 随便写写\n\n内容")
    write_doc(tmp_path, "other", "重复编号", GUIDE_BODY, id="good")
    (tmp_path / "nofront.md").write_text("没有前置信息", encoding="utf-8")
    report = load_kb(tmp_path)
    assert [d.id for d in report.documents] == ["good"]
    messages = " ".join(str(p) for p in report.problems)
    assert "is not a guide section" in messages
    assert "must equal the file name stem" in messages
    assert "must start with a '---' line" in messages


def test_duplicate_id_and_unknown_related(tmp_path):
    write_doc(tmp_path, "a", "甲", GUIDE_BODY, related="[nowhere]")
    report = load_kb(tmp_path)
    assert any(p.field == "related" and "nowhere" in p.message for p in report.problems)


def test_eligibility_is_validated(tmp_path):
    body = "## 支持内容\n\n每月补贴 500 元。"
    write_doc(
        tmp_path,
        "p",
        "某政策",
        body,
        doc_type="policy",
        eligibility="{audience: 企业, employees_max: -1, color: red}",
    )
    report = load_kb(tmp_path)
    fields = {p.field for p in report.problems}
    assert {"eligibility.employees_max", "eligibility.color"} <= fields


def test_expiry_before_effective(tmp_path):
    write_doc(tmp_path, "e", "过期", GUIDE_BODY, effective_date="2026-01-01", expiry_date="2025-01-01")
    assert any(p.field == "expiry_date" for p in load_kb(tmp_path).problems)
