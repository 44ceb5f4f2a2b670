"""Import files into the knowledge-base folder: convert and validate a whole batch, then write all or nothing."""

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
from knowledge.importers.limits import PREFLIGHT, ImportLimits
from knowledge.importers.markdown_importer import import_markdown
from knowledge.importers.office_importer import import_docx, import_pdf
from knowledge.importers.text_importer import import_text
from knowledge.problems import quoted
from knowledge.schema import DOC_TYPES, is_doc_id, validate_document

DEFAULT_LIMITS = ImportLimits()
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
class FileReport:
    """The outcome of one file of a batch: the documents it makes, or the problem that stops the batch."""

    file: str
    ok: bool
    ids: list[str] = field(default_factory=list)
    problem: str | None = None

    def to_dict(self) -> dict:
        return {"file": self.file, "ok": self.ok, "ids": self.ids, "problem": self.problem}


@dataclass
class BatchPlan:
    """Every file of a batch converted and validated; written only when ``ok`` (all or nothing)."""

    files: list[FileReport] = field(default_factory=list)
    documents: dict[str, str] = field(default_factory=dict)  # id -> rendered Markdown

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    def fail(self, index: int, problem: str) -> None:
        self.files[index] = FileReport(self.files[index].file, False, self.files[index].ids, problem)


@dataclass
class ImportReport:
    """A batch written to a folder: per-file outcome, and which documents were created or updated."""

    files: list[FileReport] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that readers see either the old or the new content, never a part."""
    os.replace(stage(path, text), path)


def stage(path: Path, text: str) -> Path:
    """Write ``text`` to a hidden temporary file next to ``path`` (flushed to disk) and return it."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def draft_problems(draft: Draft) -> list[str]:
    """Validate a draft exactly as the index will, by rendering and re-parsing it."""
    text = render_document(draft.meta, draft.body)
    doc = parse_document(text, f"{draft.id}.md")
    return [str(p) for p in validate_document(doc, expected_id=draft.id)]


def convert_file(path: Path, doc_type: str | None = None, limits: ImportLimits = DEFAULT_LIMITS) -> list[Draft]:
    """Convert one file into validated drafts; raise :class:`ImportFailure` saying (in Chinese) what is wrong."""
    if doc_type is not None and doc_type not in DOC_TYPES:
        raise ImportFailure(f"未知的文档类型 {quoted(doc_type)}，可选：{'、'.join(DOC_TYPES)}")
    suffix = path.suffix.lower()
    importer = IMPORTERS.get(suffix)
    if importer is None:
        raise ImportFailure(f"不支持的文件类型 {quoted(path.suffix)}，支持：{'、'.join(sorted(IMPORTERS))}")
    if not is_doc_id(path.stem) and suffix != ".md":
        raise ImportFailure("文件名必须是文档编号：只能包含小写字母、数字和“-”")
    if (preflight := PREFLIGHT.get(suffix)) is not None:
        preflight(path, limits)
    drafts = importer(path, doc_type)
    for draft in drafts:
        if not is_doc_id(draft.id):
            raise ImportFailure(f"文档编号 {quoted(draft.id)} 无效：只能包含小写字母、数字和“-”")
        problems = draft_problems(draft)
        if problems:
            raise ImportFailure("文档校验未通过：" + "; ".join(problems))
    return drafts


def plan_import(
    files: list[tuple[str, Path]], doc_type: str | None = None, limits: ImportLimits = DEFAULT_LIMITS
) -> BatchPlan:
    """Convert and validate every ``(name, path)`` of a batch; a duplicate id within the batch is a problem."""
    plan = BatchPlan()
    owner: dict[str, str] = {}
    for name, path in files:
        try:
            if not path.is_file():
                raise ImportFailure("文件不存在")
            drafts = convert_file(path, doc_type, limits)
        except ImportFailure as exc:
            plan.files.append(FileReport(name, False, problem=str(exc)))
            continue
        ids = [d.id for d in drafts]
        clash = next((i for i in ids if i in owner), None)
        if clash is not None:
            plan.files.append(FileReport(name, False, ids, f"文档编号 {clash} 与本批次的 {owner[clash]} 重复"))
            continue
        owner.update(dict.fromkeys(ids, name))
        plan.files.append(FileReport(name, True, ids))
        plan.documents.update({d.id: render_document(d.meta, d.body) for d in drafts})
    return plan


def write_documents(kb_dir: Path, documents: dict[str, str]) -> None:
    """Write several documents together: all are staged first, and a failure restores the ones replaced."""
    kb_dir.mkdir(parents=True, exist_ok=True)
    staged: dict[Path, Path] = {}
    before: dict[Path, str | None] = {}
    replaced: list[Path] = []
    try:
        for doc_id, text in documents.items():
            target = kb_dir / f"{doc_id}.md"
            before[target] = target.read_text("utf-8") if target.is_file() else None
            staged[target] = stage(target, text)
        for target, tmp in staged.items():
            os.replace(tmp, target)
            replaced.append(target)
    except BaseException:
        for target, tmp in staged.items():
            if target not in replaced:
                tmp.unlink(missing_ok=True)
        for target in replaced:
            restore(target, before[target])
        raise


def restore(path: Path, text: str | None) -> None:
    """Put a file back as it was (``None``: it did not exist)."""
    if text is None:
        path.unlink(missing_ok=True)
    else:
        write_atomically(path, text)


def import_files(
    paths: list[Path], kb_dir: Path, doc_type: str | None = None, limits: ImportLimits = DEFAULT_LIMITS
) -> ImportReport:
    """Import a batch all or nothing: when any file fails, nothing is written and the report says why."""
    plan = plan_import([(str(p), p) for p in paths], doc_type, limits)
    report = ImportReport(files=plan.files)
    if not plan.ok:
        return report
    for doc_id in plan.documents:
        (report.updated if (kb_dir / f"{doc_id}.md").exists() else report.created).append(doc_id)
    write_documents(kb_dir, plan.documents)
    return report
