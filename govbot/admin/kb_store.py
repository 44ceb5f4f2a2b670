"""Audited changes to the knowledge-base folder: validate, write atomically, record before/after.

Writes are serialised by an exclusive file lock on the folder, so two editors never interleave; a write
that fails validation changes nothing. A file and its audit row commit together: the new text is staged
in a temporary file, the audit row is inserted, the file is swapped in, then the transaction commits; any
failure rolls the transaction back and puts the previous file back.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError

from govbot.storage.database import session_scope
from govbot.storage.models import AuditEntry
from index.file_lock import exclusive_lock
from knowledge.document import Document, parse_document
from knowledge.event_steps import Catalogue, deletion_problems, document_reference_problems
from knowledge.importer import restore, stage
from knowledge.loader import document_files
from knowledge.problems import DocumentError, Problem
from knowledge.schema import is_doc_id, validate_document


class NotFound(LookupError):
    """No such document or version."""


class PreconditionFailed(Exception):
    """The document is not in the state the editor last saw (its ETag differs, or it exists already)."""


class StoreFailure(RuntimeError):
    """The file or its audit row could not be written; nothing changed."""


@dataclass
class Change:
    doc_id: str
    action: str
    version: int
    etag: str | None = None


def etag_of(text: str) -> str:
    """The strong ETag of a document's text (a content hash, so edits made outside the API count too)."""
    return '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class Precondition:
    """What an HTTP write expects: ``if_match`` ETags (``*`` = any existing version) or ``if_none_match``."""

    if_match: tuple[str, ...] = ()
    if_none_match: bool = False

    def check(self, current: str | None) -> None:
        if self.if_none_match and current is not None:
            raise PreconditionFailed("exists")
        if self.if_match and (current is None or ("*" not in self.if_match and etag_of(current) not in self.if_match)):
            raise PreconditionFailed("changed")


ANY = Precondition()


class KnowledgeStore:
    """The knowledge-base folder plus its audit log."""

    def __init__(self, kb_dir: Path, database_url: str):
        self.kb_dir = kb_dir
        self.database_url = database_url

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return exclusive_lock(self.kb_dir / ".write.lock")

    def path(self, doc_id: str) -> Path:
        if not is_doc_id(doc_id):
            raise NotFound(doc_id)
        return self.kb_dir / f"{doc_id}.md"

    def _current(self, doc_id: str) -> str | None:
        path = self.path(doc_id)
        return path.read_text("utf-8") if path.is_file() else None

    def read(self, doc_id: str) -> str:
        text = self._current(doc_id)
        if text is None:
            raise NotFound(doc_id)
        return text

    def ids(self) -> list[str]:
        return [p.stem for p in document_files(self.kb_dir)]

    def catalogue(self, batch: dict[str, str] | None = None) -> Catalogue:
        """The type and steps of every document in the folder, with ``batch`` texts replacing theirs."""
        documents: dict[str, Document] = {}
        texts = {p.stem: p for p in document_files(self.kb_dir)}
        for doc_id, source in {**texts, **(batch or {})}.items():
            try:
                text = source if isinstance(source, str) else source.read_text("utf-8")
                documents[doc_id] = parse_document(text, f"{doc_id}.md")
            except (DocumentError, OSError, UnicodeDecodeError):
                continue
        return Catalogue.of(documents.values())

    def check(self, doc_id: str, text: str, batch: dict[str, str] | None = None) -> list[Problem]:
        """Every problem the text would have as ``<doc_id>.md`` (including related ids known nowhere, and event
        steps naming documents that are not guides)."""
        name = f"{doc_id}.md"
        try:
            doc = parse_document(text, name)
        except DocumentError as exc:
            return exc.problems
        problems = validate_document(doc, expected_id=doc_id)
        if not problems:
            problems += document_reference_problems(doc, self.catalogue(batch))
        known = set(self.ids()) | {doc_id} | set(batch or {})
        unknown = [r for r in doc.meta.get("related") or [] if isinstance(r, str) and r not in known]
        if unknown:
            problems.append(
                Problem(
                    name, doc.field_lines.get("related", 1), "related", f"unknown document id(s): {', '.join(unknown)}"
                )
            )
        return problems

    def _commit(self, actor: str, changes: dict[str, tuple[str | None, str | None, str]]) -> dict[str, int]:
        """Apply ``{doc_id: (before, after, action)}`` with their audit rows in one transaction (lock held).

        Returns each document's new version. On any failure the files are as before and no row is kept.
        """
        staged: dict[str, Path] = {}
        swapped: list[str] = []
        try:
            for doc_id, (_, after, _) in changes.items():
                if after is not None:
                    staged[doc_id] = stage(self.path(doc_id), after)
            with session_scope(self.database_url) as session:
                versions = {}
                for doc_id, (before, after, action) in changes.items():
                    latest = session.query(func.max(AuditEntry.version)).filter(AuditEntry.doc_id == doc_id).scalar()
                    versions[doc_id] = (latest or 0) + 1
                    row = AuditEntry(actor=actor, action=action, doc_id=doc_id, before=before, after=after)
                    row.version = versions[doc_id]
                    session.add(row)
                session.flush()
                for doc_id in changes:
                    if doc_id in staged:
                        os.replace(staged[doc_id], self.path(doc_id))
                        del staged[doc_id]
                    else:
                        self.path(doc_id).unlink()
                    swapped.append(doc_id)
            return versions
        except BaseException as exc:
            for tmp in staged.values():
                tmp.unlink(missing_ok=True)
            for doc_id in swapped:
                restore(self.path(doc_id), changes[doc_id][0])
            if isinstance(exc, OSError | SQLAlchemyError):
                raise StoreFailure(str(exc)) from exc
            raise

    def _put_locked(self, doc_id: str, text: str, actor: str, action: str | None, expect: Precondition) -> Change:
        before = self._current(doc_id)
        expect.check(before)
        problems = self.check(doc_id, text)
        if problems:
            raise DocumentError(problems)
        if before == text:
            return Change(doc_id, "unchanged", self.latest_version(doc_id), etag_of(text))
        kind = action or ("update" if before is not None else "create")
        version = self._commit(actor, {doc_id: (before, text, kind)})[doc_id]
        return Change(doc_id, kind, version, etag_of(text))

    def put(self, doc_id: str, text: str, actor: str, action: str | None = None, expect: Precondition = ANY) -> Change:
        """Create or replace a document; raises DocumentError or PreconditionFailed (nothing changed)."""
        text = text.replace("\r\n", "\n")
        self.path(doc_id)
        with self._locked():
            return self._put_locked(doc_id, text, actor, action, expect)

    def edit(self, doc_id: str, transform: Callable[[str], str], actor: str, action: str) -> Change:
        """Read, transform and write a document under one lock, so no concurrent write is lost."""
        with self._locked():
            return self._put_locked(doc_id, transform(self.read(doc_id)), actor, action, ANY)

    def put_many(self, documents: dict[str, str], actor: str) -> list[Change]:
        """Create or replace several documents together: all of them with their audit rows, or none."""
        with self._locked():
            problems = [p for doc_id, text in documents.items() for p in self.check(doc_id, text, documents)]
            if problems:
                raise DocumentError(problems)
            changes = {}
            for doc_id, text in documents.items():
                before = self._current(doc_id)
                if before != text:
                    changes[doc_id] = (before, text, "update" if before is not None else "create")
            versions = self._commit(actor, changes) if changes else {}
        return [
            Change(doc_id, changes[doc_id][2], versions[doc_id], etag_of(text))
            if doc_id in changes
            else Change(doc_id, "unchanged", self.latest_version(doc_id), etag_of(text))
            for doc_id, text in documents.items()
        ]

    def delete(self, doc_id: str, actor: str, expect: Precondition = ANY) -> Change:
        self.path(doc_id)
        with self._locked():
            before = self._current(doc_id)
            if before is None:
                raise NotFound(doc_id)
            expect.check(before)
            problems = deletion_problems(doc_id, self.catalogue())
            if problems:
                raise DocumentError(problems)
            return Change(doc_id, "delete", self._commit(actor, {doc_id: (before, None, "delete")})[doc_id])

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
