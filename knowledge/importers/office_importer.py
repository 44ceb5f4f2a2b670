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
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFailure(f"not a readable .docx file ({type(exc).__name__})") from None
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        if text:
            lines.append(f"## {text}" if style.startswith("heading") and lines else text)
    return [text_to_draft(path.stem, "\n".join(lines), doc_type or "guide")]


def import_pdf(path: Path, doc_type: str | None) -> list[Draft]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, OSError, KeyError) as exc:
        raise ImportFailure(f"not a readable PDF file ({type(exc).__name__})") from None
    if not text.strip():
        raise ImportFailure("the PDF has no extractable text (a scanned image?)")
    return [text_to_draft(path.stem, text, doc_type or "guide")]
