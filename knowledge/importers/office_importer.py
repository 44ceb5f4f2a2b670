"""Import Word (.docx) and PDF files as plain text documents."""

from __future__ import annotations

import zipfile
from pathlib import Path

from knowledge.importers.base import Draft, ImportFailure
from knowledge.importers.text_importer import text_to_draft


def import_docx(path: Path, doc_type: str | None) -> list[Draft]:
    import docx

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFailure("不是可读取的 .docx 文件") from None
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        if text:
            lines.append(f"## {text}" if style.startswith("heading") and lines else text)
    return [text_to_draft(path.stem, "\n".join(lines), doc_type or "guide")]


def import_pdf(path: Path, doc_type: str | None) -> list[Draft]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, OSError, KeyError, TypeError, AttributeError, RecursionError):
        raise ImportFailure("不是可读取的 PDF 文件") from None
    if not text.strip():
        raise ImportFailure("PDF 中没有可提取的文字（可能是扫描图片）")
    return [text_to_draft(path.stem, text, doc_type or "guide")]
