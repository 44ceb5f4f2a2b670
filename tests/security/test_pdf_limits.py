"""PDF imports: a page cap read from the page tree, and a current pypdf."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

from pypdf import PdfWriter

from knowledge.importer import import_files
from knowledge.importers.limits import ImportLimits
from tests.conftest import PROJECT


def _blank_pdf(path: Path, pages: int) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


def test_too_many_pages_is_refused_with_a_chinese_problem(tmp_path):
    [result] = import_files([_blank_pdf(tmp_path / "huge-pdf.pdf", 301)], tmp_path / "kb", "guide").files
    assert not result.ok and result.problem == "PDF 共 301 页，超过 300 页上限，请拆分后再导入"


def test_the_page_cap_is_configurable(tmp_path):
    pdf = _blank_pdf(tmp_path / "five-pages.pdf", 5)
    [capped] = import_files([pdf], tmp_path / "kb", "guide", ImportLimits(max_pdf_pages=4)).files
    assert "超过 4 页上限" in capped.problem
    [allowed] = import_files([pdf], tmp_path / "kb", "guide", ImportLimits(max_pdf_pages=5)).files
    assert "没有可提取的文字" in allowed.problem  # past the cap, the (blank) pages are read


def test_the_installed_pypdf_is_the_pinned_current_one():
    pin = re.search(r'"pypdf==([\d.]+)"', (PROJECT / "pyproject.toml").read_text("utf-8")).group(1)
    assert version("pypdf") == pin and int(pin.split(".")[0]) >= 6
