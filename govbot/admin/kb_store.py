"""Audited changes to the knowledge base: validate, write atomically, record before/after.

Two stores behind one interface, chosen by ``GOVBOT_KB_STORE``:

* ``files`` (the default): the documents are Markdown files in the knowledge-base folder. Writes are serialised by
  an exclusive file lock on the folder. A file and its audit row commit together: the new text is staged in a
  temporary file, the audit row is inserted, the file is swapped in, then the transaction commits; any failure
  rolls the transaction back and puts the previous file back.
* ``database``: the documents are rows of the SQL database (PostgreSQL in the cluster profile), so every replica
  sees the same knowledge base. Writes are serialised by a PostgreSQL advisory lock; a document and its audit row
  are one transaction. Each replica mirrors the documents into a local folder for its index builder.

Either way, a write that fails validation changes nothing, and a write retried with the same idempotency key (the
admin API's ``Idempotency-Key`` header) replays the first outcome instead of writing again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from govbot.settings import Settings
from govbot.storage.database import get_engine, session_scope
from govbot.storage.models import AuditEntry, KnowledgeDocument
from govbot.storage.records import idempotency_key
from index.file_lock import exclusive_lock
from knowledge.document import Document, parse_document
from knowledge.event_steps import Catalogue, deletion_problems, document_reference_problems
from knowledge.importer import restore, stage, write_atomically
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
KB_WRITE_LOCK = 0x60B0C  # PostgreSQL advisory lock key held by a knowledge-base write
# {doc_id: (before, after, action)}: what one write changes (``None`` = the document does not exist).
Changes = dict[str, tuple[str | None, str | None, str]]


class AuditedStore(ABC):
    """What both stores share: validation, preconditions, versions, history, rollback and idempotent replays."""

    database_url: str

    @abstractmethod
    def _locked(self) -> contextlib.AbstractContextManager[None]:
        """Hold the knowledge base's write lock (across processes and replicas)."""

    @abstractmethod
    def _current(self, doc_id: str) -> str | None:
        """The document's text now, or None."""

    @abstractmethod
    def ids(self) -> list[str]:
        """Every document id, sorted."""

    @abstractmethod
    def _commit(self, actor: str, changes: Changes, request_key: str | None) -> dict[str, int]:
        """Apply the changes with their audit rows (lock held); each document's new version. All or nothing."""

    @abstractmethod
    def folder(self) -> Path:
        """A folder holding the current documents as ``<id>.md`` files, for the index builder."""

    def check_id(self, doc_id: str) -> None:
        if not is_doc_id(doc_id):
            raise NotFound(doc_id)

    def read(self, doc_id: str) -> str:
        self.check_id(doc_id)
        text = self._current(doc_id)
        if text is None:
            raise NotFound(doc_id)
        return text

    def texts(self) -> dict[str, str]:
        """Every stored document's text by id (one unreadable file is left out, as the loader does)."""
        texts = {}
        for doc_id in self.ids():
            try:
                if (text := self._current(doc_id)) is not None:
                    texts[doc_id] = text
            except (OSError, UnicodeDecodeError):
                continue
        return texts

    def export(self, target: Path) -> list[str]:
        """Write every document verbatim to ``target/<id>.md``; returns the ids written."""
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for doc_id in self.ids():
            if (text := self._current(doc_id)) is not None:
                write_atomically(target / f"{doc_id}.md", text)
                written.append(doc_id)
        return written

    def catalogue(self, batch: dict[str, str] | None = None) -> Catalogue:
        """The type and steps of every stored document, with ``batch`` texts replacing theirs."""
        documents: dict[str, Document] = {}
        for doc_id, text in {**self.texts(), **(batch or {})}.items():
            try:
                documents[doc_id] = parse_document(text, f"{doc_id}.md")
            except DocumentError:
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

    def _audit(self, session: Session, actor: str, changes: Changes, request_key: str | None) -> dict[str, int]:
        """Add the audit rows of ``changes`` to the session; each document's new version."""
        versions = {}
        for doc_id, (before, after, action) in changes.items():
            latest = session.query(func.max(AuditEntry.version)).filter(AuditEntry.doc_id == doc_id).scalar()
            versions[doc_id] = (latest or 0) + 1
            key = _audit_key(actor, request_key, doc_id) if request_key else None
            row = AuditEntry(actor=actor, action=action, doc_id=doc_id, before=before, after=after)
            row.version, row.idempotency_key = versions[doc_id], key
            session.add(row)
        session.flush()
        return versions

    def _replayed(self, actor: str, request_key: str | None, doc_id: str) -> Change | None:
        """The change an earlier request with this key made to the document, or None (no key, or a new request)."""
        if not request_key:
            return None
        with session_scope(self.database_url) as session:
            entry = session.query(AuditEntry).filter_by(idempotency_key=_audit_key(actor, request_key, doc_id)).first()
            if entry is None:
                return None
            return Change(doc_id, entry.action, entry.version, etag_of(entry.after) if entry.after else None)

    def _put_locked(
        self, doc_id: str, text: str, actor: str, action: str | None, expect: Precondition, request_key: str | None
    ) -> Change:
        if (replay := self._replayed(actor, request_key, doc_id)) is not None:
            return replay
        before = self._current(doc_id)
        expect.check(before)
        problems = self.check(doc_id, text)
        if problems:
            raise DocumentError(problems)
        if before == text:
            return Change(doc_id, "unchanged", self.latest_version(doc_id), etag_of(text))
        kind = action or ("update" if before is not None else "create")
        version = self._commit(actor, {doc_id: (before, text, kind)}, request_key)[doc_id]
        return Change(doc_id, kind, version, etag_of(text))

    def put(
        self,
        doc_id: str,
        text: str,
        actor: str,
        action: str | None = None,
        expect: Precondition = ANY,
        request_key: str | None = None,
    ) -> Change:
        """Create or replace a document; raises DocumentError or PreconditionFailed (nothing changed)."""
        text = text.replace("\r\n", "\n")
        self.check_id(doc_id)
        with self._locked():
            return self._put_locked(doc_id, text, actor, action, expect, request_key)

    def edit(self, doc_id: str, transform: Callable[[str], str], actor: str, action: str) -> Change:
        """Read, transform and write a document under one lock, so no concurrent write is lost."""
        with self._locked():
            return self._put_locked(doc_id, transform(self.read(doc_id)), actor, action, ANY, None)

    def put_many(self, documents: dict[str, str], actor: str, request_key: str | None = None) -> list[Change]:
        """Create or replace several documents together: all of them with their audit rows, or none."""
        with self._locked():
            replays = [self._replayed(actor, request_key, doc_id) for doc_id in documents]
            if replays and all(replays):
                return [r for r in replays if r is not None]
            problems = [p for doc_id, text in documents.items() for p in self.check(doc_id, text, documents)]
            if problems:
                raise DocumentError(problems)
            changes = {}
            for doc_id, text in documents.items():
                before = self._current(doc_id)
                if before != text:
                    changes[doc_id] = (before, text, "update" if before is not None else "create")
            versions = self._commit(actor, changes, request_key) if changes else {}
        return [
            Change(doc_id, changes[doc_id][2], versions[doc_id], etag_of(text))
            if doc_id in changes
            else Change(doc_id, "unchanged", self.latest_version(doc_id), etag_of(text))
            for doc_id, text in documents.items()
        ]

    def delete(self, doc_id: str, actor: str, expect: Precondition = ANY, request_key: str | None = None) -> Change:
        self.check_id(doc_id)
        with self._locked():
            if (replay := self._replayed(actor, request_key, doc_id)) is not None:
                return replay
            before = self._current(doc_id)
            if before is None:
                raise NotFound(doc_id)
            expect.check(before)
            problems = deletion_problems(doc_id, self.catalogue())
            if problems:
                raise DocumentError(problems)
            versions = self._commit(actor, {doc_id: (before, None, "delete")}, request_key)
            return Change(doc_id, "delete", versions[doc_id])

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

    def rollback(self, doc_id: str, version: int, actor: str, request_key: str | None = None) -> Change:
        """Restore the document as it was right after ``version`` (deleting it if that version deleted it)."""
        with session_scope(self.database_url) as session:
            entry = session.query(AuditEntry).filter_by(doc_id=doc_id, version=version).one_or_none()
            if entry is None:
                raise NotFound(f"{doc_id} v{version}")
            target = entry.after
        if target is None:
            return self.delete(doc_id, actor, request_key=request_key)
        return self.put(doc_id, target, actor, action="rollback", request_key=request_key)


def _audit_key(actor: str, request_key: str, doc_id: str) -> str:
    return idempotency_key("audit", actor, request_key, doc_id)


class KnowledgeStore(AuditedStore):
    """The knowledge-base folder plus its audit log (``GOVBOT_KB_STORE=files``)."""

    def __init__(self, kb_dir: Path, database_url: str):
        self.kb_dir = kb_dir
        self.database_url = database_url

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return exclusive_lock(self.kb_dir / ".write.lock")

    def path(self, doc_id: str) -> Path:
        self.check_id(doc_id)
        return self.kb_dir / f"{doc_id}.md"

    def _current(self, doc_id: str) -> str | None:
        path = self.path(doc_id)
        return path.read_text("utf-8") if path.is_file() else None

    def ids(self) -> list[str]:
        return [p.stem for p in document_files(self.kb_dir)]

    def folder(self) -> Path:
        return self.kb_dir

    def _commit(self, actor: str, changes: Changes, request_key: str | None) -> dict[str, int]:
        staged: dict[str, Path] = {}
        swapped: list[str] = []
        try:
            for doc_id, (_, after, _) in changes.items():
                if after is not None:
                    staged[doc_id] = stage(self.path(doc_id), after)
            with session_scope(self.database_url) as session:
                versions = self._audit(session, actor, changes, request_key)
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


_LOCAL_LOCKS: dict[str, threading.Lock] = {}


class DatabaseKnowledgeStore(AuditedStore):
    """Documents as rows of the SQL database, next to their audit log (``GOVBOT_KB_STORE=database``).

    ``mirror_dir`` is this replica's copy of the documents for its index builder, brought up to date by
    :meth:`folder`.
    """

    def __init__(self, database_url: str, mirror_dir: Path):
        self.database_url = database_url
        self.mirror_dir = mirror_dir

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        engine = get_engine(self.database_url)
        if engine.dialect.name != "postgresql":  # one process at a time is all SQLite needs (tests, a single machine)
            with _LOCAL_LOCKS.setdefault(self.database_url, threading.Lock()):
                yield
            return
        with engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({KB_WRITE_LOCK})")
            try:
                yield
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({KB_WRITE_LOCK})")

    def _current(self, doc_id: str) -> str | None:
        with session_scope(self.database_url) as session:
            row = session.get(KnowledgeDocument, doc_id)
            return None if row is None else row.text

    def ids(self) -> list[str]:
        with session_scope(self.database_url) as session:
            return [doc_id for (doc_id,) in session.query(KnowledgeDocument.doc_id).order_by(KnowledgeDocument.doc_id)]

    def texts(self) -> dict[str, str]:
        with session_scope(self.database_url) as session:
            return dict(session.query(KnowledgeDocument.doc_id, KnowledgeDocument.text))

    def revision(self) -> int:
        """A number that moves with every change of any document (the newest audit row)."""
        with session_scope(self.database_url) as session:
            return int(session.query(func.max(AuditEntry.id)).scalar() or 0)

    def _commit(self, actor: str, changes: Changes, request_key: str | None) -> dict[str, int]:
        try:
            with session_scope(self.database_url) as session:
                versions = self._audit(session, actor, changes, request_key)
                for doc_id, (_, after, _) in changes.items():
                    row = session.get(KnowledgeDocument, doc_id)
                    if after is None:
                        if row is not None:
                            session.delete(row)
                    elif row is None:
                        session.add(KnowledgeDocument(doc_id=doc_id, text=after))
                    else:
                        row.text = after
            return versions
        except SQLAlchemyError as exc:
            raise StoreFailure(str(exc)) from exc

    def folder(self) -> Path:
        """Bring the mirror folder in line with the database (changed files replaced atomically) and return it."""
        documents = self.texts()
        self.mirror_dir.mkdir(parents=True, exist_ok=True)
        for doc_id, text in documents.items():
            path = self.mirror_dir / f"{doc_id}.md"
            if not path.is_file() or path.read_text("utf-8") != text:
                write_atomically(path, text)
        for path in document_files(self.mirror_dir):
            if path.stem not in documents:
                path.unlink(missing_ok=True)
        return self.mirror_dir


def open_store(settings: Settings, kb_dir: Path | None = None) -> AuditedStore:
    """The store ``GOVBOT_KB_STORE`` names: ``files`` (in ``kb_dir``, default GOVBOT_KB_DIR) or ``database``."""
    if settings.kb_store == "database":
        return DatabaseKnowledgeStore(settings.database_url, settings.kb_mirror_dir)
    if settings.kb_store != "files":
        raise ValueError(f"GOVBOT_KB_STORE must be 'files' or 'database', not {settings.kb_store!r}")
    return KnowledgeStore(kb_dir or settings.kb_dir, settings.database_url)
