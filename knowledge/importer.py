"""Import files into the knowledge-base folder: convert, validate, then write each document atomically."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.document import parse_document, render_document
from knowledge.importers.base import Draft, ImportFailure
from knowledge.importers.faq_table_importer import import_csv, import_xlsx
from knowledge.importers.html_importer import import_html
from knowledge.importers.markdown_importer import import_markdown
from knowledge.importers.office_importer import import_docx, import_pdf
from knowledge.importers.text_importer import import_text
from knowledge.schema import DOC_TYPES, ID_PATTERN, validate_document

Importer = Callable[[Path, "str | None"], list[Draft]]
IMPORTERS: dict[str, Importer] = {
    ".md": import_markdown,
    ".txt": import_text,
    ".html": import_html,
    ".htm": import_html,
    ".csv": import_csv,
    ".xlsx": import_xlsx,
    ".docx": import_docx,
    ".pdf": import_pdf,
}


@dataclass
class ImportReport:
    """Which documents were written (created or updated) and which files failed, with why."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that readers see either the old or the new content, never a part."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def draft_problems(draft: Draft) -> list[str]:
    """Validate a draft exactly as the index will, by rendering and re-parsing it."""
    text = render_document(draft.meta, draft.body)
    doc = parse_document(text, f"{draft.id}.md")
    return [str(p) for p in validate_document(doc, expected_id=draft.id)]


def convert_file(path: Path, doc_type: str | None = None) -> list[Draft]:
    """Convert one file into validated drafts; raise :class:`ImportFailure` saying what is wrong."""
    if doc_type is not None and doc_type not in DOC_TYPES:
        raise ImportFailure(f"unknown type {doc_type!r}; use one of {', '.join(DOC_TYPES)}")
    importer = IMPORTERS.get(path.suffix.lower())
    if importer is None:
        raise ImportFailure(f"unsupported file type '{path.suffix}'; supported: {', '.join(sorted(IMPORTERS))}")
    if not ID_PATTERN.match(path.stem) and path.suffix.lower() != ".md":
        raise ImportFailure("the file name must be a document id: lowercase letters, digits and '-'")
    drafts = importer(path, doc_type)
    for draft in drafts:
        problems = draft_problems(draft)
        if problems:
            raise ImportFailure("; ".join(problems))
    return drafts


def import_files(paths: list[Path], kb_dir: Path, doc_type: str | None = None) -> ImportReport:
    """Import each file; bad files are reported by name and skipped, the others are written."""
    report = ImportReport()
    kb_dir.mkdir(parents=True, exist_ok=True)
    for path in paths:
        try:
            if not path.is_file():
                raise ImportFailure("no such file")
            drafts = convert_file(path, doc_type)
        except ImportFailure as exc:
            report.failed[str(path)] = str(exc)
            continue
        for draft in drafts:
            target = kb_dir / f"{draft.id}.md"
            (report.updated if target.exists() else report.created).append(draft.id)
            write_atomically(target, render_document(draft.meta, draft.body))
    return report
