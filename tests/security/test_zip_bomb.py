"""Office zip bombs: a .docx/.xlsx is refused from its zip directory when it would unzip past the limit or
holds too many entries, before any parser opens it."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import docx
import pytest

from govbot.settings import Settings
from knowledge.importer import convert_file, import_files
from knowledge.importers.limits import ImportLimits

ZEROS = b"\0" * (1 << 20)


def _bomb(path: Path, megabytes: int, entries: int = 1) -> Path:
    """A zip whose entries unzip to ``megabytes`` of zeros in total (it is about 1000 times smaller)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for number in range(entries):
            with archive.open(f"word/part{number}.xml", "w") as handle:
                for _ in range(megabytes // entries):
                    handle.write(ZEROS)
    return path


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_default_limit_refuses_an_office_bomb_without_parsing_it(tmp_path, suffix):
    bomb = _bomb(tmp_path / f"bomb{suffix}", 120)
    assert bomb.stat().st_size < 1 << 20
    started = time.perf_counter()
    report = import_files([bomb], tmp_path / "kb", "guide")
    assert time.perf_counter() - started < 1
    [result] = report.files
    assert not result.ok and "超过 100 MB 上限" in result.problem and "压缩炸弹" in result.problem


def test_the_limits_are_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVBOT_MAX_UNZIPPED_MB", "3")
    monkeypatch.setenv("GOVBOT_MAX_ZIP_ENTRIES", "10")
    limits = Settings().import_limits
    assert limits == ImportLimits(max_unzipped_mb=3, max_zip_entries=10, max_pdf_pages=300)
    [result] = import_files([_bomb(tmp_path / "big.docx", 4)], tmp_path / "kb", "guide", limits).files
    assert "超过 3 MB 上限" in result.problem
    [result] = import_files([_bomb(tmp_path / "many.docx", 0, entries=20)], tmp_path / "kb", "guide", limits).files
    assert "条目过多" in result.problem


def test_a_real_document_under_the_limits_still_imports(tmp_path):
    document = docx.Document()
    document.add_heading("示例市停车证办理", 1)
    document.add_heading("申请材料", 2)
    document.add_paragraph("行驶证和身份证。")
    document.save(tmp_path / "parking.docx")
    [draft] = convert_file(tmp_path / "parking.docx", "guide", ImportLimits(max_unzipped_mb=1, max_zip_entries=30))
    assert draft.meta["title"] == "示例市停车证办理"
