"""Personal data at rest without a running stack: the data key file, Rasa's masked tracker store on a real
SQLite file, subscriptions of colliding masked senders, and retention of the tracker store and every table."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from govbot.privacy.protector import DataKeyError, DataProtector, get_protector, load_or_create_key
from govbot.settings import get_settings

ID_NUMBER, MOBILE = "110101199003071233", "13812345678"


@pytest.fixture()
def data_key(monkeypatch, tmp_path) -> bytes:
    """A fresh data key for this test, seen by every part of the project."""
    key = Fernet.generate_key()
    monkeypatch.setenv("GOVBOT_DATA_KEY", key.decode())
    monkeypatch.setenv("GOVBOT_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    get_protector.cache_clear()
    yield key
    get_settings.cache_clear()
    get_protector.cache_clear()


def test_key_file_is_created_once_with_mode_0600_by_racing_processes(tmp_path):
    path = tmp_path / "var" / "data.key"
    with ProcessPoolExecutor(4) as pool:
        keys = set(pool.map(load_or_create_key, [path] * 8))
    assert len(keys) == 1 and keys == {path.read_bytes().strip()}
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["data.key"]
    Fernet(keys.pop())  # a valid key


def test_invalid_configured_key_is_refused():
    with pytest.raises(DataKeyError, match="GOVBOT_DATA_KEY"):
        DataProtector(b"too-short")


def test_protector_round_trip_and_identity():
    one, other = DataProtector(Fernet.generate_key()), DataProtector(Fernet.generate_key())
    token = one.encrypt(MOBILE)
    assert MOBILE not in token and one.decrypt(token) == MOBILE and other.decrypt(token) is None
    assert one.identity(MOBILE) == one.identity(MOBILE) != other.identity(MOBILE)
    assert one.identity("13812345678") != one.identity("13899995678")


def _store(path: Path):
    from rasa.shared.core.domain import Domain

    from govbot.privacy.masked_tracker_store import MaskedSQLTrackerStore

    return MaskedSQLTrackerStore(domain=Domain.from_yaml(DOMAIN), dialect="sqlite", db=str(path))


DOMAIN = """
version: "3.1"
intents: [ask_question]
entities: [number]
slots:
  last_question:
    type: text
    influence_conversation: false
    mappings: [{type: custom}]
"""


def _conversation(sender: str, when: float):
    from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    text = f"身份证{ID_NUMBER}，手机{MOBILE}"
    parse = {
        "intent": {"name": "ask_question", "confidence": 0.9},
        "entities": [{"entity": "number", "value": MOBILE, "start": 25, "end": 36}],
        "text": text,
    }
    events = [
        UserUttered(text, parse["intent"], parse["entities"], parse, timestamp=when),
        SlotSet("last_question", text, timestamp=when),
        BotUttered(f"已收到 {MOBILE}", {"buttons": [{"title": ID_NUMBER, "payload": "/ok"}]}, timestamp=when),
    ]
    return DialogueStateTracker.from_events(sender, events)


def test_tracker_store_persists_only_masked_text_under_a_hashed_sender(data_key, tmp_path):
    path = tmp_path / "tracker.db"
    store = _store(path)
    sender = MOBILE  # an SMS channel's sender id is the phone number
    asyncio.run(store.save(_conversation(sender, 1_700_000_000.0)))
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("tracker.db*"))
    assert ID_NUMBER.encode() not in raw and MOBILE.encode() not in raw
    restored = asyncio.run(store.retrieve(sender))
    assert restored is not None and restored.sender_id == sender
    user = restored.latest_message
    assert user.text == "身份证1101**********1233，手机138****5678"
    assert user.parse_data["entities"][0]["value"] == "138****5678"
    assert restored.get_slot("last_question") == user.text
    assert restored.latest_bot_utterance.data["buttons"][0]["title"] == "1101**********1233"
    from govbot.privacy.callback import callback_number

    assert callback_number(e.as_dict() for e in restored.events) == MOBILE
    assert asyncio.run(store.retrieve("someone-else")) is None


def test_colliding_masked_senders_keep_separate_subscriptions(data_key, tmp_path):
    from govbot.storage.subscriptions import subscribe, unsubscribe

    url = f"sqlite:///{tmp_path / 'govbot.db'}"
    first, second = "13812345678", "13899995678"
    subscribe(url, first, "plaintext", ["养老服务"])
    subscribe(url, second, "plaintext", ["医疗救助"])
    subscribe(url, second, "plaintext", ["医疗救助", "就业创业"])  # replaces only its own
    with sqlite3.connect(tmp_path / "govbot.db") as db:
        rows = db.execute("select sender, sender_key, topics from subscriptions where active = 1").fetchall()
    assert len(rows) == 2 and {r[0] for r in rows} == {"138****5678"} and rows[0][1] != rows[1][1]
    assert unsubscribe(url, first) == 1 and unsubscribe(url, first) == 0
    with sqlite3.connect(tmp_path / "govbot.db") as db:
        [(topics,)] = db.execute("select topics from subscriptions where active = 1").fetchall()
    assert "就业创业" in json.loads(topics)


def test_old_databases_gain_the_new_columns(tmp_path):
    from govbot.storage.database import get_engine

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "create table subscriptions (id integer primary key, created_at datetime not null, "
            "sender varchar(64) not null, channel varchar(32), topics json not null, active integer not null)"
        )
    get_engine(f"sqlite:///{path}")
    with sqlite3.connect(path) as db:
        columns = {row[1] for row in db.execute("pragma table_info(subscriptions)")}
    assert "sender_key" in columns


def test_retention_purges_old_rows_of_every_table_and_the_tracker_but_keeps_the_audit_log(data_key, tmp_path):
    from govbot.admin.retention import RetentionJob
    from govbot.storage.database import session_scope
    from govbot.storage.models import AuditEntry, Notification
    from govbot.storage.records import record_answer, record_event_view, record_feedback, record_ticket
    from govbot.storage.subscriptions import subscribe, unsubscribe

    url = f"sqlite:///{tmp_path / 'govbot.db'}"
    long_ago = (dt.datetime.now() - dt.timedelta(days=400)).timestamp()
    store = _store(tmp_path / "tracker.db")
    asyncio.run(store.save(_conversation("old-sender", long_ago)))
    asyncio.run(store.save(_conversation("new-sender", dt.datetime.now().timestamp())))
    for sender in ("old", "new"):
        record_answer(
            url,
            sender=sender,
            channel="rest",
            question=f"问题 {sender}",
            decision="fallback",
            doc_id=None,
            section=None,
            confidence=0.1,
            latency_ms=1.0,
        )
        record_feedback(url, sender=sender, channel="rest", question="问", doc_id="passport", rating=-1)
        record_ticket(
            url,
            sender=sender,
            channel="rest",
            transcript=[{"role": "user", "text": f"转人工 {sender}"}],
            callback_number=MOBILE,
        )
        subscribe(url, sender, "rest", ["养老服务"])
        unsubscribe(url, sender)
        subscribe(url, sender, "rest", ["养老服务"])
        record_event_view(url, sender=sender, channel="rest", event_id="newborn", step=2)
    with session_scope(url) as session:
        session.add(Notification(subscription_id=1, sender="old", channel="rest", doc_id="x", message="m"))
        session.add(AuditEntry(actor="chief", action="update", doc_id="passport", version=1, before="a", after="b"))
    with sqlite3.connect(tmp_path / "govbot.db") as db:
        for table in ("answer_events", "feedback", "handoff_tickets", "subscriptions", "notifications", "event_views"):
            db.execute(f"update {table} set created_at = '2000-01-01 00:00:00' where sender = 'old'")
        db.execute("update review_items set created_at = '2000-01-01 00:00:00' where question like '%old'")
        db.execute("update audit_log set created_at = '2000-01-01 00:00:00'")
    counts = RetentionJob(get_settings()).run_once()
    assert counts == {
        "answer_events": 1,
        "event_views": 1,
        "feedback": 1,
        "handoff_tickets": 1,
        "review_items": 2,
        "notifications": 1,
        "subscriptions": 1,
        "tracker_events": 3,
    }
    with sqlite3.connect(tmp_path / "govbot.db") as db:
        assert db.execute("select count(*) from subscriptions where sender = 'old' and active = 1").fetchone() == (1,)
        assert db.execute("select count(*) from audit_log").fetchone() == (1,)
        for table in ("answer_events", "feedback", "handoff_tickets"):
            assert db.execute(f"select sender from {table}").fetchall() == [("new",)]
    assert asyncio.run(store.retrieve("old-sender")) is None
    assert asyncio.run(store.retrieve("new-sender")) is not None
    assert os.path.getsize(tmp_path / "tracker.db") > 0
