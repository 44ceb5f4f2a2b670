"""`govbot run` in the cluster profile's durable state: app database, tracker store and knowledge base in a real
PostgreSQL, Rasa's locks in a real Redis. One stack start; the single-machine stack is tested elsewhere."""

from __future__ import annotations

import json

import redis

from tests.conftest import SAMPLE_KB, copy_index
from tests.servers import pg_rows
from tests.stack import Stack, texts


def test_a_conversation_keeps_its_state_in_postgres_and_its_locks_in_redis(
    postgres, redis_server, sample_index, tmp_path
):
    from govbot.admin.kb_store import DatabaseKnowledgeStore

    url = postgres.create_database("cluster_stack")
    documents = {p.stem: p.read_text("utf-8") for p in SAMPLE_KB.glob("*.md")}
    DatabaseKnowledgeStore(url, tmp_path / "seed").put_many(documents, "seed")
    var_dir = tmp_path / "var"
    copy_index(sample_index, var_dir / "index")
    extra = {
        "GOVBOT_DATABASE_URL": url,
        "GOVBOT_KB_STORE": "database",
        "GOVBOT_REDIS_URL": redis_server.url(3),
        "GOVBOT_KB_DIR": str(tmp_path / "no-kb-folder"),
    }
    locks = redis.Redis(host="127.0.0.1", port=redis_server.port, db=3)
    stack = Stack(var_dir, extra_env=extra)
    stack.kb_dir.mkdir(parents=True)  # the stack would copy the sample here; the database holds it instead
    stack.start()
    try:
        sender = "citizen-13812345678"
        assert "护照" in texts(stack.send(sender, "办护照要带什么材料"))
        assert "工单" in texts(stack.send(sender, "转人工"))
        set_calls = locks.info("commandstats").get("cmdstat_set", {}).get("calls", 0)
    finally:
        stack.stop()
    assert set_calls >= 2  # Rasa took the conversation's lock in Redis for each message
    events = pg_rows(url, "select sender_id, data from events")
    assert len(events) > 4 and "13812345678" not in json.dumps(events)
    assert {sid for sid, _ in events} != {sender}  # stored under a keyed hash of the sender id
    [(key, transcript)] = pg_rows(url, "select idempotency_key, transcript from handoff_tickets")
    assert key and "办护照要带什么材料" in json.dumps(transcript, ensure_ascii=False)
    assert pg_rows(url, "select count(*) from answer_events") >= [(1,)]
    assert not (var_dir / "tracker.db").exists() and not (var_dir / "govbot.db").exists()
    assert sorted(p.stem for p in (var_dir / "kb-mirror").glob("*.md")) == sorted(documents)
