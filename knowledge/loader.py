"""Load and validate a whole knowledge-base folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from knowledge.document import Document, parse_document
from knowledge.event_steps import Catalogue, reference_problems
from knowledge.problems import DocumentError, Problem
from knowledge.schema import validate_document


@dataclass
class LoadReport:
    """The valid documents of a folder, and every problem found in the others."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    invalid_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def load_file(path: Path) -> Document:
    """Parse and validate one file; raise :class:`DocumentError` with all problems when invalid."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DocumentError([Problem(str(path), 0, "", "not UTF-8 text")]) from None
    doc = parse_document(text, path)
    problems = validate_document(doc, expected_id=path.stem)
    if problems:
        raise DocumentError(problems)
    return doc


def document_files(kb_dir: Path) -> list[Path]:
    """The Markdown documents of a knowledge-base folder, sorted by name."""
    return sorted(p for p in kb_dir.glob("*.md") if p.is_file() and not p.name.startswith("."))


def load_kb(kb_dir: Path) -> LoadReport:
    """Load every document of ``kb_dir``; invalid ones are reported and left out, the rest still load."""
    report = LoadReport()
    if not kb_dir.is_dir():
        report.problems.append(Problem(str(kb_dir), 0, "", "knowledge-base folder does not exist"))
        return report
    by_id: dict[str, Document] = {}
    for path in document_files(kb_dir):
        try:
            doc = load_file(path)
        except DocumentError as exc:
            report.problems += exc.problems
            report.invalid_files.append(str(path))
            continue
        if doc.id in by_id:
            report.problems.append(
                Problem(
                    str(path),
                    doc.field_lines.get("id", 1),
                    "id",
                    f"duplicate id, also in {by_id[doc.id].path}",
                )
            )
            report.invalid_files.append(str(path))
            continue
        by_id[doc.id] = doc
    for doc in by_id.values():
        unknown = [r for r in doc.meta.get("related", []) if r not in by_id]
        if unknown:
            line = doc.field_lines.get("related", 1)
            report.problems.append(Problem(doc.path, line, "related", f"unknown document id(s): {', '.join(unknown)}"))
    catalogue = Catalogue.of(by_id.values())
    for doc in [d for d in by_id.values() if d.type == "event"]:
        problems = reference_problems(doc.id, doc.path, doc.field_lines.get("steps", 1), catalogue)
        if problems:  # an event with a broken step would give a broken plan: left out like an invalid file
            report.problems += problems
            report.invalid_files.append(doc.path)
            del by_id[doc.id]
    report.documents = sorted(by_id.values(), key=lambda d: d.id)
    return report
