"""The cluster profile's durable state on real servers: the app database, Rasa's tracker store and the knowledge
base in PostgreSQL, Rasa's lock store in Redis, and side effects that a retried request does not repeat."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import subprocess
import threading
import time

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient

from govbot.privacy.protector import get_protector
from govbot.settings import PROJECT_ROOT, get_settings
from tests.conftest import SAMPLE_KB
from tests.processes import BIN
from tests.security.inprocess import AUTH, BASE_URL, INTERNAL, running_app
from tests.servers import pg_rows

ID_NUMBER, MOBILE = "110101199003071233", "13812345678"


@pytest.fixture()
def env(monkeypatch, tmp_path):
    """Set GOVBOT_* variables for this test (a fresh data key and var folder by default); settings re-read."""

    def apply(**values: str) -> dict[str, str]:
        """Returns (and sets) what `govbot run` hands to Rasa for these settings."""
        from govbot.rasa_endpoints import endpoint_env

        for key, value in values.items():
            monkeypatch.setenv(f"GOVBOT_{key.upper()}", value)
        get_settings.cache_clear()
        get_protector.cache_clear()
        variables = endpoint_env(get_settings())
        for key, value in variables.items():
            monkeypatch.setenv(key, value)
        return variables

    apply(data_key=Fernet.generate_key().decode(), var_dir=str(tmp_path / "var"))
    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()
    get_protector.cache_clear()


def _everything_stored(url: str) -> str:
    """Every row of every table, as one text (to look for personal data at rest)."""
    tables = [t for (t,) in pg_rows(url, "select tablename from pg_tables where schemaname = 'public'")]
    return json.dumps({t: pg_rows(url, f'select * from "{t}"') for t in tables}, default=str, ensure_ascii=False)


def test_app_database_round_trip_on_postgres(postgres_url, env):
    from govbot.admin.analytics import analytics
    from govbot.admin.retention import purge_older_than
    from govbot.admin.review import open_items
    from govbot.storage.database import get_engine
    from govbot.storage.records import record_answer, record_feedback, record_ticket
    from govbot.storage.subscriptions import list_notifications, notify_subscribers, subscribe
    from govbot.storage.tickets import get_ticket, list_tickets

    env(database_url=postgres_url)
    url = get_settings().database_url
    for question, decision in ((f"护照怎么办 {MOBILE}", "answer"), ("游艇驾驶证", "fallback")):
        record_answer(
            url,
            sender=MOBILE,
            channel="rest",
            question=question,
            decision=decision,
            doc_id="passport" if decision == "answer" else None,
            section="办理流程",
            confidence=0.9,
            latency_ms=120.0,
        )
    record_feedback(url, sender=MOBILE, channel="rest", question="护照", doc_id="passport", rating=-1)
    transcript = [{"role": "user", "text": f"转人工，我的身份证 {ID_NUMBER}"}]
    ticket_id = record_ticket(url, sender=MOBILE, channel="sms", transcript=transcript, callback_number=MOBILE)
    subscribe(url, MOBILE, "rest", ["养老服务"])
    assert notify_subscribers(url, [{"id": "p1", "type": "policy", "title": "养老补贴", "tags": ["养老服务"]}]) == 1

    assert [t["id"] for t in list_tickets(url, reveal=True)] == [ticket_id]
    assert get_ticket(url, ticket_id, reveal=True)["callback_number"] == MOBILE
    assert get_ticket(url, ticket_id, reveal=False)["callback_number"] == "138****5678"
    assert "1101**********1233" in get_ticket(url, ticket_id, reveal=True)["transcript"][0]["text"]
    assert [n["doc_id"] for n in list_notifications(url)] == ["p1"]
    assert sorted(i.kind for i in open_items(url)) == ["handoff", "negative", "unanswered"]
    today = dt.datetime.now(dt.timezone.utc).date()
    figures = analytics(url, today, today)
    assert figures["messages"] == 2 and figures["outcomes"]["handoff"]["count"] == 1
    assert figures["per_day"] == [{"date": today.isoformat(), "channels": {"rest": 2}, "total": 2}]
    assert figures["median_response_ms"] is not None

    stored = _everything_stored(postgres_url)
    assert MOBILE not in stored and ID_NUMBER not in stored
    get_engine.cache_clear()  # a second start finds the schema in place
    get_engine(url)
    counts = purge_older_than(url, -1, get_settings().tracker_database_url)
    assert counts["answer_events"] == 2 and counts["handoff_tickets"] == 1 and counts["tracker_events"] == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_retried_handoff_creates_one_ticket(backend, request, env, tmp_path):
    from govbot.storage.database import session_scope
    from govbot.storage.models import HandoffTicket, ReviewItem
    from govbot.storage.records import record_ticket

    url = request.getfixturevalue("postgres_url") if backend == "postgresql" else f"sqlite:///{tmp_path / 'g.db'}"
    lines = [{"role": "user", "text": "转人工"}]

    def ticket(request_id: str | None, sender: str = "web-1") -> int:
        return record_ticket(url, sender=sender, channel="rest", transcript=lines, request_id=request_id)

    first = ticket("msg-1")
    assert ticket("msg-1") == first
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(ticket("msg-2"))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1 and results[0] != first
    assert ticket("msg-1", sender="web-2") not in (first, results[0])  # the key is per conversation
    assert ticket(None) != ticket(None)  # without a request id every call is a new ticket
    with session_scope(url) as session:
        assert session.query(HandoffTicket).count() == 5
        assert session.query(ReviewItem).filter_by(kind="handoff").count() == 5


def test_tracker_store_on_postgres_stores_masked_conversations(postgres_url, env):
    from rasa.core.tracker_store import TrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    from govbot.admin.retention import purge_tracker
    from govbot.privacy.masked_tracker_store import MaskedSQLTrackerStore, stored_sender_id

    variables = env(database_url=postgres_url)
    assert variables["GOVBOT_TRACKER_URL"] == postgres_url  # the tracker store follows the app database
    config = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "tracker_store")
    store = TrackerStore.create(config, Domain.from_yaml('version: "3.1"\nintents: [ask_question]'))
    assert isinstance(store, MaskedSQLTrackerStore) and store.engine.dialect.name == "postgresql"

    text = f"身份证{ID_NUMBER}，手机{MOBILE}"
    events = [
        UserUttered(text, {"name": "ask_question", "confidence": 0.9}, [], timestamp=1_700_000_000.0),
        BotUttered(f"已收到 {MOBILE}", timestamp=1_700_000_001.0),
    ]
    asyncio.run(store.save(DialogueStateTracker.from_events(MOBILE, events)))
    rows = pg_rows(postgres_url, "select sender_id, data from events")
    assert len(rows) == 2 and {r[0] for r in rows} == {stored_sender_id(MOBILE)}
    assert MOBILE not in json.dumps(rows) and ID_NUMBER not in json.dumps(rows, ensure_ascii=False)
    restored = asyncio.run(store.retrieve(MOBILE))
    assert restored.latest_message.text == "身份证1101**********1233，手机138****5678"
    assert purge_tracker(postgres_url, 1_700_000_000.5) == 1


def test_default_endpoints_stay_single_machine(env, tmp_path):
    from rasa.core.lock_store import InMemoryLockStore, LockStore
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.domain import Domain

    variables = env(var_dir=str(tmp_path / "var"))
    assert variables["GOVBOT_TRACKER_URL"] == f"sqlite:///{tmp_path / 'var' / 'tracker.db'}"
    assert variables["GOVBOT_LOCK_STORE"] == "in_memory"
    endpoints = AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml"))
    assert isinstance(LockStore.create(endpoints.lock_store), InMemoryLockStore)
    (tmp_path / "var").mkdir()
    tracker_store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    assert tracker_store.engine.url.database == str(tmp_path / "var" / "tracker.db")
    assert get_settings().database_url == f"sqlite:///{tmp_path / 'var' / 'govbot.db'}"
    assert get_settings().kb_store == "files"


def test_redis_lock_store_from_endpoints(redis_server, env):
    """endpoints.yml gives Rasa a Redis lock store; two stores (two replicas) exclude each other; lifetime as set."""
    import redis
    from rasa.core.lock_store import LockStore, RedisLockStore
    from rasa.core.utils import AvailableEndpoints

    env(redis_url=redis_server.url(2), lock_lifetime="95")
    endpoints = AvailableEndpoints.read_endpoints(str(PROJECT_ROOT / "endpoints.yml"))
    replicas = [LockStore.create(endpoints.lock_store) for _ in range(2)]
    assert all(isinstance(r, RedisLockStore) for r in replicas)
    order: list[str] = []

    async def handle(store: LockStore, name: str, hold: float) -> None:
        async with store.lock("conversation-1", wait_time_in_seconds=0.05):
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    async def both() -> None:
        first = asyncio.create_task(handle(replicas[0], "a", 0.5))
        await asyncio.sleep(0.1)
        keys = redis.Redis(host="127.0.0.1", port=redis_server.port, db=2).keys("*")
        assert keys == [b"govbot:lock:conversation-1"]
        await asyncio.gather(first, handle(replicas[1], "b", 0.0))

    asyncio.run(both())
    assert order == ["a in", "a out", "b in", "b out"]
    lifetime = subprocess.run(
        [str(BIN / "python"), "-c", "import rasa.core.lock_store as s; print(s.LOCK_LIFETIME)"],
        env={**os.environ},
        capture_output=True,
        text=True,
        check=True,
    )
    assert lifetime.stdout.strip() == "95"


def _sample_documents() -> dict[str, str]:
    return {p.stem: p.read_text("utf-8") for p in sorted(SAMPLE_KB.glob("*.md"))}


def test_knowledge_base_in_postgres_create_edit_rollback_export(postgres_url, env, tmp_path):
    from govbot.admin.kb_store import DatabaseKnowledgeStore, Precondition, PreconditionFailed, etag_of, open_store

    env(database_url=postgres_url, kb_store="database")
    store = open_store(get_settings())
    assert isinstance(store, DatabaseKnowledgeStore)
    sample = _sample_documents()
    assert {c.action for c in store.put_many(sample, "chief")} == {"create"}
    other = DatabaseKnowledgeStore(postgres_url, tmp_path / "replica-b")  # another replica sees the same
    assert other.ids() == sorted(sample) and other.read("passport") == sample["passport"]

    original = sample["passport"]
    edited = original.replace("120元", "125元")
    assert edited != original
    change = store.put("passport", edited, "editor", expect=Precondition(if_match=(etag_of(original),)))
    assert (change.action, change.version) == ("update", 2)
    with pytest.raises(PreconditionFailed):
        other.put("passport", original, "editor", expect=Precondition(if_match=(etag_of(original),)))
    assert other.read("passport") == edited
    assert store.rollback("passport", 1, "editor").version == 3 and other.read("passport") == original
    assert [v["action"] for v in other.history("passport")] == ["create", "update", "rollback"]
    assert store.delete("id-card", "editor").version == 2 and "id-card" not in other.ids()
    assert store.rollback("id-card", 1, "editor").action == "rollback" and "id-card" in other.ids()

    mirror = other.folder()
    (mirror / "stale.md").write_text("old", "utf-8")
    assert sorted(p.stem for p in other.folder().glob("*.md")) == sorted(sample)
    assert store.export(tmp_path / "out") == sorted(sample)
    assert {p.stem: p.read_text("utf-8") for p in (tmp_path / "out").glob("*.md")} == sample


def test_concurrent_writes_from_two_replicas_are_serialised(postgres_url, env, tmp_path):
    from govbot.admin.kb_store import DatabaseKnowledgeStore

    env(database_url=postgres_url)
    sample = _sample_documents()
    DatabaseKnowledgeStore(postgres_url, tmp_path / "a").put_many(sample, "chief")
    replicas = [DatabaseKnowledgeStore(postgres_url, tmp_path / name) for name in "ab"]
    errors: list[BaseException] = []

    def add_line(store: DatabaseKnowledgeStore, n: int) -> None:
        try:
            store.edit("passport", lambda text: text + f"\n补充说明{n}。\n", f"editor{n}", "update")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=add_line, args=(replicas[n % 2], n)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    text = replicas[0].read("passport")
    assert all(f"补充说明{n}。" in text for n in range(6))  # no write lost
    assert [v["version"] for v in replicas[1].history("passport")] == list(range(1, 8))


def _govbot(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "govbot"), *args],
        env={**os.environ, **{f"GOVBOT_{k.upper()}": v for k, v in env.items()}},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_moves_the_knowledge_base_between_files_and_postgres(postgres_url, tmp_path):
    database = {"database_url": postgres_url, "kb_store": "database", "var_dir": str(tmp_path / "var")}
    imported = _govbot("kb", "import", str(SAMPLE_KB), **database)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.count("create ") == len(_sample_documents())
    again = _govbot("kb", "import", str(SAMPLE_KB), **database)
    assert again.returncode == 0 and set(again.stdout.split()) <= {"unchanged", *_sample_documents()}
    exported = _govbot("kb", "export", str(tmp_path / "files"), **database)
    assert exported.returncode == 0, exported.stderr
    assert {p.stem: p.read_text("utf-8") for p in (tmp_path / "files").glob("*.md")} == _sample_documents()
    assert pg_rows(postgres_url, "select count(*) from audit_log where actor = 'cli'") == [(len(_sample_documents()),)]
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.md").write_text("---\nid: bad\n---\n没有标题\n", "utf-8")
    refused = _govbot("kb", "import", str(broken), **database)
    assert refused.returncode == 1 and "没有写入任何文档" in refused.stderr
    assert pg_rows(postgres_url, "select count(*) from kb_documents where doc_id = 'bad'") == [(0,)]


@pytest.fixture(scope="module")
def cluster_app(postgres, sample_index, tmp_path_factory):
    """The real app in-process with its database and knowledge base in PostgreSQL (seeded from the sample)."""
    from govbot.admin.kb_store import DatabaseKnowledgeStore

    root = tmp_path_factory.mktemp("cluster-app")
    url = postgres.create_database("cluster_app")
    DatabaseKnowledgeStore(url, root / "seed").put_many(_sample_documents(), "seed")
    options = {"database_url": url, "kb_store": "database", "data_key": Fernet.generate_key().decode()}
    with running_app(root, sample_index, **options) as app:
        yield app, url
        app.state.kb_watcher.stop()
    get_protector.cache_clear()


def test_admin_edits_through_the_api_live_in_postgres_and_retries_replay(cluster_app):
    app, url = cluster_app
    client = TestClient(app, base_url=BASE_URL)
    opened = client.get("/admin/documents/passport", headers=AUTH)
    assert opened.status_code == 200
    text = opened.json()["markdown"].replace("120元", "118元")
    headers = {**AUTH, "If-Match": opened.headers["ETag"], "Idempotency-Key": "save-1"}
    saved = client.put("/admin/documents/passport", content=text.encode(), headers=headers)
    assert saved.status_code == 200 and saved.json()["indexed"], saved.text
    retried = client.put("/admin/documents/passport", content=text.encode(), headers=headers)
    assert retried.status_code == 200 and retried.json()["version"] == saved.json()["version"]
    assert pg_rows(url, "select count(*) from audit_log where doc_id = 'passport' and actor <> 'seed'") == [(1,)]
    assert pg_rows(url, "select text from kb_documents where doc_id = 'passport'") == [(text,)]
    answer = client.post("/answer", json={"question": "办护照要多少钱"}, headers=INTERNAL)
    assert answer.status_code == 200 and "118元" in json.dumps(answer.json(), ensure_ascii=False)

    body = {"sender": "web-7", "transcript": [{"role": "user", "text": "转人工"}], "request_id": "m-1"}
    tickets = [client.post("/tickets", json=body, headers=INTERNAL).json()["id"] for _ in range(2)]
    assert tickets[0] == tickets[1]
    assert pg_rows(url, "select count(*) from handoff_tickets") == [(1,)]


def test_an_edit_made_by_another_replica_is_answered_within_seconds(cluster_app, tmp_path):
    from govbot.admin.kb_store import DatabaseKnowledgeStore

    app, url = cluster_app
    client = TestClient(app, base_url=BASE_URL)
    other_replica = DatabaseKnowledgeStore(url, tmp_path / "replica-b")
    text = other_replica.read("passport")
    other_replica.edit("passport", lambda t: re.sub(r"\d+元/本", "121元/本", t, count=1), "b-editor", "update")
    started = time.monotonic()
    while time.monotonic() - started < 5.0:
        answer = client.post("/answer", json={"question": "办护照要多少钱"}, headers=INTERNAL).json()
        if "121元" in json.dumps(answer, ensure_ascii=False):
            break
        time.sleep(0.2)
    else:
        pytest.fail("another replica's edit was not answered within 5 s")
    assert client.get("/admin/documents/passport", headers=AUTH).json()["markdown"] != text
