"""A document file and its audit row commit together, or neither does: failures are injected in the real
database (a trigger that aborts the insert, a deferred constraint that fails the commit) and the file system."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event

from govbot.admin.kb_store import KnowledgeStore, StoreFailure
from govbot.storage.database import get_engine
from tests.test_admin_api import AUTH

AUDIT_FAILS = "CREATE TRIGGER audit_fails BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk quota'); END"


def _audit_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT doc_id, version, action FROM audit_log ORDER BY id").fetchall()


def _leftovers(kb: Path) -> list[str]:
    return [p.name for p in kb.iterdir() if p.name.endswith(".tmp")]


@pytest.fixture()
def store(kb_copy, tmp_path) -> KnowledgeStore:
    return KnowledgeStore(kb_copy, f"sqlite:///{tmp_path / 'audit.db'}")


def _db(store: KnowledgeStore) -> Path:
    return Path(store.database_url.removeprefix("sqlite:///"))


def test_failed_audit_insert_leaves_file_and_log_unchanged(store):
    store.put("passport", store.read("passport").replace("120元", "121元"), "editor-a")
    before_text, before_rows = store.read("passport"), _audit_rows(_db(store))
    with sqlite3.connect(_db(store)) as connection:
        connection.execute(AUDIT_FAILS)
    with pytest.raises(StoreFailure):
        store.put("passport", before_text.replace("121元", "150元"), "editor-a")
    with pytest.raises(StoreFailure):
        store.delete("passport", "editor-a")
    assert store.read("passport") == before_text
    assert _audit_rows(_db(store)) == before_rows and _leftovers(store.kb_dir) == []


def test_failed_commit_after_the_file_swap_restores_the_previous_file(store, tmp_path):
    """The audit row is inserted and the file swapped in, then COMMIT fails (a deferred foreign key)."""
    db = _db(store)
    with sqlite3.connect(db) as connection:
        connection.executescript(
            "CREATE TABLE approvers (name TEXT PRIMARY KEY);"
            "CREATE TABLE audit_log (id INTEGER PRIMARY KEY, created_at DATETIME NOT NULL, actor VARCHAR(64) NOT NULL"
            " REFERENCES approvers(name) DEFERRABLE INITIALLY DEFERRED, action VARCHAR(16) NOT NULL,"
            " doc_id VARCHAR(80) NOT NULL, version INTEGER NOT NULL, before TEXT, after TEXT);"
            "INSERT INTO approvers VALUES ('approved-editor');"
        )
    engine = get_engine(store.database_url)
    event.listen(engine, "connect", lambda connection, _: connection.execute("PRAGMA foreign_keys=ON"))
    engine.dispose()  # pooled connections were opened before the listener: open new ones with it
    original = store.read("passport")
    assert store.put("passport", original.replace("120元", "122元"), "approved-editor").version == 1
    saved = store.read("passport")
    with pytest.raises(StoreFailure, match="FOREIGN KEY"):
        store.put("passport", saved.replace("122元", "999元"), "unknown-editor")
    with pytest.raises(StoreFailure):
        store.delete("passport", "unknown-editor")
    text = saved.replace("id: passport", "id: passport-two")
    with pytest.raises(StoreFailure):
        store.put("passport-two", text, "unknown-editor")
    assert store.read("passport") == saved and not (store.kb_dir / "passport-two.md").exists()
    assert _audit_rows(db) == [("passport", 1, "update")] and _leftovers(store.kb_dir) == []


def test_failed_file_swap_rolls_the_audit_row_back(store):
    """The audit row is inserted, then the swap fails (the target is a folder): no row is kept."""
    text = store.read("passport").replace("id: passport", "id: blocked")
    (store.kb_dir / "blocked.md").mkdir()
    (store.kb_dir / "blocked.md" / "keep").write_text("x")
    with pytest.raises(StoreFailure):
        store.put("blocked", text, "editor-a")
    assert _audit_rows(_db(store)) == [] and _leftovers(store.kb_dir) == []


def test_batch_import_is_one_transaction(store):
    texts = {
        doc_id: store.read("passport").replace("id: passport", f"id: {doc_id}") for doc_id in ("batch-a", "batch-b")
    }
    store.put_many({"batch-a": texts["batch-a"]}, "editor-a")
    with sqlite3.connect(_db(store)) as connection:
        connection.execute(AUDIT_FAILS.replace("BEGIN", "WHEN NEW.doc_id = 'batch-b' BEGIN"))
    changed = {"batch-a": texts["batch-a"] + "\n修订。\n", "batch-b": texts["batch-b"]}
    with pytest.raises(StoreFailure):
        store.put_many(changed, "editor-a")
    assert store.read("batch-a") == texts["batch-a"] and not (store.kb_dir / "batch-b.md").exists()
    assert _audit_rows(_db(store)) == [("batch-a", 1, "create")]


def test_over_http_a_failing_audit_is_503_and_nothing_changes(admin_service):
    db = admin_service.root / "var" / "govbot.db"
    text = (admin_service.kb / "hukou-transfer.md").read_text("utf-8")
    condition = admin_service.precondition("hukou-transfer")
    rows = _audit_rows(db)
    with sqlite3.connect(db) as connection:
        connection.execute(AUDIT_FAILS)
    try:
        response = admin_service.put("hukou-transfer", text + "\n新增说明。\n", condition=condition)
        deleted = httpx.delete(f"{admin_service.url}/admin/documents/hukou-transfer", headers={**AUTH, **condition})
    finally:
        with sqlite3.connect(db) as connection:
            connection.execute("DROP TRIGGER audit_fails")
    assert response.status_code == 503 and response.json()["detail"] == "保存失败，未做任何修改，请稍后重试。"
    assert deleted.status_code == 503
    assert (admin_service.kb / "hukou-transfer.md").read_text("utf-8") == text and _audit_rows(db) == rows
    assert admin_service.put("hukou-transfer", text + "\n新增说明。\n", condition=condition).status_code == 200
