"""Audited changes to the knowledge-base folder: validate, write atomically, record before/after.

Writes are serialised by an exclusive file lock on the folder, so two editors never interleave; a write
that fails validation changes nothing.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func

from govbot.storage.database import session_scope
from govbot.storage.models import AuditEntry
from index.file_lock import exclusive_lock
from knowledge.document import parse_document
from knowledge.importer import write_atomically
from knowledge.loader import document_files
from knowledge.problems import DocumentError, Problem
from knowledge.schema import ID_PATTERN, validate_document


class NotFound(LookupError):
    """No such document or version."""


@dataclass
class Change:
    doc_id: str
    action: str
    version: int


class KnowledgeStore:
    """The knowledge-base folder plus its audit log."""

    def __init__(self, kb_dir: Path, database_url: str):
        self.kb_dir = kb_dir
        self.database_url = database_url

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return exclusive_lock(self.kb_dir / ".write.lock")

    def path(self, doc_id: str) -> Path:
        if not ID_PATTERN.match(doc_id):
            raise NotFound(doc_id)
        return self.kb_dir / f"{doc_id}.md"

    def read(self, doc_id: str) -> str:
        path = self.path(doc_id)
        if not path.is_file():
            raise NotFound(doc_id)
        return path.read_text("utf-8")

    def ids(self) -> list[str]:
        return [p.stem for p in document_files(self.kb_dir)]

    def check(self, doc_id: str, text: str) -> list[Problem]:
        """Every problem the text would have as ``<doc_id>.md`` (including unknown related ids)."""
        name = f"{doc_id}.md"
        try:
            doc = parse_document(text, name)
        except DocumentError as exc:
            return exc.problems
        problems = validate_document(doc, expected_id=doc_id)
        known = set(self.ids()) | {doc_id}
        unknown = [r for r in doc.meta.get("related") or [] if isinstance(r, str) and r not in known]
        if unknown:
            problems.append(
                Problem(
                    name, doc.field_lines.get("related", 1), "related", f"unknown document id(s): {', '.join(unknown)}"
                )
            )
        return problems

    def _record(self, actor: str, action: str, doc_id: str, before: str | None, after: str | None) -> int:
        with session_scope(self.database_url) as session:
            latest = session.query(func.max(AuditEntry.version)).filter(AuditEntry.doc_id == doc_id).scalar() or 0
            session.add(
                AuditEntry(actor=actor, action=action, doc_id=doc_id, version=latest + 1, before=before, after=after)
            )
            return latest + 1

    def put(self, doc_id: str, text: str, actor: str, action: str | None = None) -> Change:
        """Create or replace a document; raises DocumentError (nothing changed) when it is invalid."""
        text = text.replace("\r\n", "\n")
        problems = self.check(doc_id, text)
        if problems:
            raise DocumentError(problems)
        path = self.path(doc_id)
        with self._locked():
            before = path.read_text("utf-8") if path.is_file() else None
            if before == text:
                return Change(doc_id, "unchanged", self.latest_version(doc_id))
            write_atomically(path, text)
            kind = action or ("update" if before is not None else "create")
            return Change(doc_id, kind, self._record(actor, kind, doc_id, before, text))

    def delete(self, doc_id: str, actor: str) -> Change:
        path = self.path(doc_id)
        with self._locked():
            if not path.is_file():
                raise NotFound(doc_id)
            before = path.read_text("utf-8")
            path.unlink()
            return Change(doc_id, "delete", self._record(actor, "delete", doc_id, before, None))

    def latest_version(self, doc_id: str) -> int:
        with session_scope(self.database_url) as session:
            return session.query(func.max(AuditEntry.version)).filter(AuditEntry.doc_id == doc_id).scalar() or 0

    def history(self, doc_id: str) -> list[dict]:
        with session_scope(self.database_url) as session:
            rows = session.query(AuditEntry).filter(AuditEntry.doc_id == doc_id).order_by(AuditEntry.version).all()
            return [
                {
                    "version": r.version,
                    "at": r.created_at.isoformat(),
                    "actor": r.actor,
                    "action": r.action,
                    "before": r.before,
                    "after": r.after,
                }
                for r in rows
            ]

    def rollback(self, doc_id: str, version: int, actor: str) -> Change:
        """Restore the document as it was right after ``version`` (deleting it if that version deleted it)."""
        with session_scope(self.database_url) as session:
            entry = session.query(AuditEntry).filter_by(doc_id=doc_id, version=version).one_or_none()
            if entry is None:
                raise NotFound(f"{doc_id} v{version}")
            target = entry.after
        if target is None:
            return self.delete(doc_id, actor)
        return self.put(doc_id, target, actor, action="rollback")
