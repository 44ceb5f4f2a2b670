"""Size limits checked before a file is parsed: zip bombs in .docx/.xlsx, PDFs with too many pages."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from knowledge.importers.base import ImportFailure


@dataclass(frozen=True)
class ImportLimits:
    """How much an imported file may expand to (the app passes its GOVBOT_* settings)."""

    max_unzipped_mb: int = 100
    max_zip_entries: int = 2000
    max_pdf_pages: int = 300


def check_zip(path: Path, limits: ImportLimits) -> None:
    """Refuse an Office file whose entries would unzip to more than the limit, reading only its directory.

    ``zipfile`` never reads past an entry's declared size, so the declared sizes bound what parsing can use.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFailure(f"不是有效的 {path.suffix} 文件（无法读取压缩结构）") from None
    if len(entries) > limits.max_zip_entries:
        raise ImportFailure(f"文件内部条目过多（{len(entries)} 个，上限 {limits.max_zip_entries} 个），未导入")
    unzipped = sum(entry.file_size for entry in entries)
    if unzipped > limits.max_unzipped_mb << 20:
        raise ImportFailure(
            f"文件解压后约 {unzipped >> 20} MB，超过 {limits.max_unzipped_mb} MB 上限（疑似压缩炸弹），未导入"
        )


def check_pdf(path: Path, limits: ImportLimits) -> None:
    """Refuse a PDF with more pages than the limit (the page tree is read, not the pages' content)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        pages = len(PdfReader(str(path)).pages)
    except (PyPdfError, ValueError, OSError, KeyError, TypeError, AttributeError, RecursionError):
        raise ImportFailure("不是可读取的 PDF 文件") from None
    if pages > limits.max_pdf_pages:
        raise ImportFailure(f"PDF 共 {pages} 页，超过 {limits.max_pdf_pages} 页上限，请拆分后再导入")


PREFLIGHT = {".docx": check_zip, ".xlsx": check_zip, ".pdf": check_pdf}
