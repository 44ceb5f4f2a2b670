"""Personal data on a running stack: nothing raw reaches either database, the callback number of a handoff is
encrypted at rest and readable only by editors, retention purges old records periodically, and subscribers whose
masked ids collide stay apart."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from govbot.privacy.protector import DataProtector
from tests.conftest import copy_index
from tests.stack import Stack, texts

ID_NUMBER, MOBILE = "110101199003071233", "13812345678"
EDITOR, VIEWER = "privacy-editor-token-0123456789", "privacy-viewer-token-0123456789"
RETENTION_DAYS = 30


class PrivacyStack(Stack):
    """A stack with an editor and a viewer token, and retention running every few seconds."""

    @property
    def env(self) -> dict[str, str]:
        return {
            **super().env,
            "GOVBOT_RETENTION_DAYS": str(RETENTION_DAYS),
            "GOVBOT_RETENTION_INTERVAL_HOURS": "0.001",
        }


@pytest.fixture(scope="module")
def stack(sample_index, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("privacy-stack") / "var"
    copy_index(sample_index, var_dir / "index")
    tokens = var_dir / "admin_tokens"
    tokens.write_text(f"# name token role\nchief {EDITOR} editor\nclerk {VIEWER} viewer\n", "utf-8")
    tokens.chmod(0o600)
    running = PrivacyStack(var_dir)
    running.start()
    yield running
    running.stop()


def _files(var_dir: Path) -> list[Path]:
    """Both sqlite databases with their journals."""
    return sorted(p for p in var_dir.glob("*.db*") if p.name.startswith(("tracker.db", "govbot.db")))


def _protector(stack: Stack) -> DataProtector:
    return DataProtector((stack.var_dir / "secrets" / "data.key").read_bytes().strip())


def _query(path: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(path) as connection:
        return connection.execute(sql, args).fetchall()


def _ticket_id(stack: Stack, sender: str) -> int:
    [(ticket_id,)] = _query(stack.database, "select id from handoff_tickets where sender = ?", sender)
    return ticket_id


def test_no_raw_personal_data_in_either_database(stack):
    sender = "privacy-1"
    stack.send(sender, f"我的身份证号是{ID_NUMBER}，手机{MOBILE}，社保卡丢了怎么办")
    stack.send(sender, "身份证 110101 19900307 1233 能查到吗")
    assert "工单" in texts(stack.send(sender, "转人工"))
    files = _files(stack.var_dir)
    assert {"tracker.db", "govbot.db"} <= {p.name for p in files}
    for path in files:
        raw = path.read_bytes()
        assert ID_NUMBER.encode() not in raw and MOBILE.encode() not in raw, path.name
        assert sender.encode() not in raw or path.name.startswith("govbot.db"), path.name
    stored = _protector(stack).identity(sender)
    events = _query(stack.var_dir / "tracker.db", "select data from events where sender_id = ?", stored)
    assert any("1101**********1233" in data and "138****5678" in data for (data,) in events)
    transcript = _query(stack.database, "select transcript from handoff_tickets where sender = ?", sender)[0][0]
    assert "1101**********1233" in transcript and "138****5678" in transcript


def test_callback_number_encrypted_and_only_editors_read_it(stack):
    ticket_id = _ticket_id(stack, "privacy-1")
    [(token,)] = _query(stack.database, "select callback from handoff_tickets where id = ?", ticket_id)
    assert MOBILE not in token
    key_file = stack.var_dir / "secrets" / "data.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert Fernet(key_file.read_bytes().strip()).decrypt(token.encode()).decode() == MOBILE
    url = f"{stack.app_url}/admin/tickets/{ticket_id}"
    as_editor = httpx.get(url, headers={"Authorization": f"Bearer {EDITOR}"}).json()
    assert as_editor["callback_number"] == MOBILE
    assert MOBILE not in str(as_editor["transcript"]) and "138****5678" in str(as_editor["transcript"])
    as_viewer = httpx.get(url, headers={"Authorization": f"Bearer {VIEWER}"}).json()
    assert as_viewer["callback_number"] == "138****5678"
    listed = httpx.get(f"{stack.app_url}/admin/tickets", headers={"Authorization": f"Bearer {VIEWER}"}).json()
    assert MOBILE not in str(listed) and ticket_id in [t["id"] for t in listed["tickets"]]
    assert httpx.get(url).status_code == 401
    missing = httpx.get(f"{stack.app_url}/admin/tickets/999999", headers={"Authorization": f"Bearer {EDITOR}"})
    assert missing.status_code == 404 and "工单" in missing.json()["detail"]


def test_handoff_without_a_number_has_no_callback(stack):
    sender = "privacy-2"
    stack.send(sender, "护照怎么办")
    stack.send(sender, "转人工")
    [(token,)] = _query(stack.database, "select callback from handoff_tickets where sender = ?", sender)
    assert token is None


def test_colliding_masked_senders_get_separate_subscriptions(stack):
    first, second = "13812345678", "13899995678"  # both mask to 138****5678
    for sender, answer in ((first, "养老"), (second, "医疗")):
        assert "订阅哪些" in texts(stack.send(sender, "有新政策告诉我"))
        assert "订阅成功" in texts(stack.send(sender, answer))
    rows = _query(stack.database, "select sender, sender_key, topics from subscriptions where active = 1")
    mine = [r for r in rows if r[0] == "138****5678"]
    assert len(mine) == 2 and mine[0][1] != mine[1][1]
    assert "已为您取消订阅" in texts(stack.send(first, "取消订阅"))
    [(topics,)] = _query(stack.database, "select topics from subscriptions where active = 1 and sender = '138****5678'")
    assert json.loads(topics) == ["医疗救助"]


def _age(path: Path, sql: str, *args) -> None:
    with sqlite3.connect(path, timeout=30) as connection:
        connection.execute(sql, args)


def test_retention_runs_periodically_on_every_table_and_the_tracker(stack):
    from govbot.storage.database import session_scope
    from govbot.storage.models import AuditEntry
    from govbot.storage.records import record_answer, record_feedback, record_ticket

    url = f"sqlite:///{stack.database}"
    old, recent = "privacy-old", "privacy-recent"
    for sender in (old, recent):
        stack.send(sender, "结婚登记要带什么")
        record_answer(
            url,
            sender=sender,
            channel="rest",
            question=f"没有答案的问题 {sender}",
            decision="fallback",
            doc_id=None,
            section=None,
            confidence=0.1,
            latency_ms=5.0,
        )
        record_feedback(url, sender=sender, channel="rest", question="结婚登记", doc_id="marriage", rating=-1)
        record_ticket(url, sender=sender, channel="rest", transcript=[{"role": "user", "text": "转人工"}])
    with session_scope(url) as session:
        session.add(AuditEntry(actor="chief", action="update", doc_id="passport", version=1, before="a", after="b"))
    long_ago = dt.datetime(2000, 1, 1)
    for table in ("answer_events", "feedback", "handoff_tickets"):
        _age(stack.database, f"update {table} set created_at = ? where sender = ?", long_ago, old)
    _age(stack.database, "update review_items set created_at = ? where question = ?", long_ago, f"没有答案的问题 {old}")
    _age(stack.database, "update audit_log set created_at = ?", long_ago)
    stored_old = _protector(stack).identity(old)
    tracker = stack.var_dir / "tracker.db"
    _age(tracker, "update events set timestamp = 946684800 where sender_id = ?", stored_old)
    assert _query(tracker, "select count(*) from events where sender_id = ?", stored_old)[0][0] > 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        left = _query(tracker, "select count(*) from events where sender_id = ?", stored_old)[0][0]
        left += sum(
            _query(stack.database, f"select count(*) from {t} where sender = ?", old)[0][0]
            for t in ("answer_events", "feedback", "handoff_tickets")
        )
        if not left:
            break
        time.sleep(1)
    assert not left
    stored_recent = _protector(stack).identity(recent)
    assert _query(tracker, "select count(*) from events where sender_id = ?", stored_recent)[0][0] > 0
    for table in ("answer_events", "feedback", "handoff_tickets"):
        assert _query(stack.database, f"select count(*) from {table} where sender = ?", recent)[0][0] >= 1
    questions = [q for (q,) in _query(stack.database, "select question from review_items")]
    assert f"没有答案的问题 {recent}" in questions and f"没有答案的问题 {old}" not in questions
    assert _query(stack.database, "select count(*) from audit_log where doc_id = 'passport'")[0][0] >= 1
