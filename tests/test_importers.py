"""Importing .md, .txt, .html, .csv, .xlsx, .docx and .pdf files into the knowledge-base folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from knowledge.importer import import_files
from knowledge.loader import load_kb
from tests.conftest import write_doc

TXT_GUIDE = """示例市犬只登记

一、办理条件
本市居民饲养犬只的，应当办理登记。

二、申请材料：
1. 居民身份证原件。
2. 犬只免疫证明。

三、办理流程
1. 到所在区动物防疫站提交材料。
2. 现场领取犬牌。
"""


def test_txt_title_id_and_sections(tmp_path: Path):
    source = tmp_path / "dog-registration.txt"
    source.write_text(TXT_GUIDE, encoding="utf-8")
    kb = tmp_path / "kb"
    report = import_files([source], kb, "guide")
    assert report.created == ["dog-registration"] and report.ok
    [doc] = load_kb(kb).documents
    assert doc.title == "示例市犬只登记"
    assert [s.heading for s in doc.sections] == ["办理条件", "申请材料", "办理流程"]


def test_reimport_updates(tmp_path: Path):
    source = tmp_path / "dog-registration.txt"
    source.write_text(TXT_GUIDE, encoding="utf-8")
    kb = tmp_path / "kb"
    import_files([source], kb, "guide")
    source.write_text(TXT_GUIDE.replace("犬牌", "电子犬牌"), encoding="utf-8")
    report = import_files([source], kb, "guide")
    assert report.updated == ["dog-registration"] and report.created == []
    assert "电子犬牌" in (kb / "dog-registration.md").read_text("utf-8")


def test_markdown_and_html(tmp_path: Path):
    md = write_doc(tmp_path, "md-doc", "Markdown 事项", "## 申请材料\n\n身份证。\n\n## 办理流程\n\n窗口办理。")
    html = tmp_path / "html-policy.html"
    html.write_text(
        "<html><head><title>页面</title><script>alert(1)</script></head><body><nav>首页</nav>"
        "<h1>示例市养犬补贴政策</h1><h2>适用对象</h2><p>本市养犬居民。</p><h2>支持内容</h2>"
        "<ul><li>每只补贴 50 元。</li></ul></body></html>",
        encoding="utf-8",
    )
    kb = tmp_path / "kb"
    [failed] = import_files([html], kb, None).files
    assert not failed.ok and "not a guide section" in failed.problem
    report = import_files([md], kb, None)
    report2 = import_files([html], kb, "policy")
    assert report.created == ["md-doc"] and report2.created == ["html-policy"], report2.files
    docs = {d.id: d for d in load_kb(kb).documents}
    policy = docs["html-policy"]
    assert policy.title == "示例市养犬补贴政策" and policy.type == "policy"
    assert "alert" not in policy.body and "首页" not in policy.body
    assert [s.heading for s in policy.sections] == ["适用对象", "支持内容"]


def test_csv_and_xlsx_faq(tmp_path: Path):
    csv_path = tmp_path / "faq-social.csv"
    csv_path.write_text(
        "question,answer,category\n社保卡丢了怎么办,先挂失再补办,社保\n社保怎么查,登录i示例APP查询,社保\n",
        encoding="utf-8",
    )
    xlsx_path = tmp_path / "faq-tax.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.append(["问题", "答案", "分类"])
    sheet.append(["个税怎么退", "通过个人所得税APP办理年度汇算", "税务"])
    sheet.append(["发票怎么开", "通过电子税务局开具", "发票"])
    book.save(xlsx_path)
    kb = tmp_path / "kb"
    report = import_files([csv_path, xlsx_path], kb)
    assert report.ok, report.files
    docs = {d.id: d for d in load_kb(kb).documents}
    assert docs["faq-social"].type == "faq"
    assert [s.heading for s in docs["faq-social"].sections] == ["社保卡丢了怎么办", "社保怎么查"]
    assert {"faq-tax-1", "faq-tax-2"} <= set(docs)


def test_docx_and_pdf(tmp_path: Path):
    import docx

    document = docx.Document()
    document.add_heading("示例市婚姻登记预约", level=1)
    document.add_heading("申请材料", level=2)
    document.add_paragraph("双方身份证和户口簿。")
    document.add_heading("办理流程", level=2)
    document.add_paragraph("网上预约后到婚姻登记处办理。")
    docx_path = tmp_path / "marriage-booking.docx"
    document.save(docx_path)
    kb = tmp_path / "kb"
    report = import_files([docx_path], kb, "guide")
    assert report.created == ["marriage-booking"], report.files
    [doc] = load_kb(kb).documents
    assert [s.heading for s in doc.sections] == ["申请材料", "办理流程"]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bad.exe", b"MZ", "不支持的文件类型"),
        ("broken.xlsx", b"not a zip at all", "不是有效的 .xlsx 文件"),
        ("broken.pdf", b"%PDF-1.4 garbage", "PDF"),
        ("empty.txt", b"   \n\n", "没有文字"),
        ("no-columns.csv", "名字,年龄\n张三,3\n".encode(), "question（问题）和 answer（答案）"),
        ("Bad Name.txt", "标题\n内容".encode(), "文件名必须是文档编号"),
        ("broken-front.md", b"---\nid: [x\n---\nbody", "invalid YAML"),
    ],
)
def test_a_bad_file_stops_the_whole_batch(tmp_path: Path, name: str, content: bytes, reason: str):
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good-one.txt"
    good.write_text(TXT_GUIDE, encoding="utf-8")
    kb = tmp_path / "kb"
    report = import_files([bad, good], kb, "guide")
    assert not report.ok and report.created == [] and not (kb / "good-one.md").exists()
    by_file = {f.file: f for f in report.files}
    assert reason in by_file[str(bad)].problem and by_file[str(good)].ok and by_file[str(good)].ids == ["good-one"]


def test_unknown_type_is_rejected(tmp_path: Path):
    source = tmp_path / "x.txt"
    source.write_text(TXT_GUIDE, encoding="utf-8")
    [report] = import_files([source], tmp_path / "kb", "manual").files
    assert "未知的文档类型" in report.problem
