"""End to end on the real stack with the default profile's Rasa workers: a knowledge message is embedded once in
all (by the NLU, whose vector retrieval reuses), each web conversation stays on one Rasa worker, and a long
conversation continues in new Rasa sessions without losing its topic."""

from __future__ import annotations

import re
import sqlite3

import httpx
import pytest

from govbot.settings import get_settings
from index.query_vector import PARSE_KEY
from tests.conftest import copy_index
from tests.stack import Stack, texts

SESSION_EVENTS = 40
HANDLED = re.compile(r"conversation (\w+) handled by (\S+)")
CITIZENS = 12


@pytest.fixture(scope="module")
def stack(sample_index, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("throughput") / "var"
    copy_index(sample_index, var_dir / "index")
    extra = {
        "GOVBOT_TRACKER_SESSION_EVENTS": str(SESSION_EVENTS),
        "GOVBOT_RATE_CHAT": "off",
    }  # many citizens, one address
    running = Stack(var_dir, extra_env=extra, rasa_workers=None)
    running.start()
    yield running
    running.stop()


def _app_embeddings(stack: Stack) -> int:
    response = httpx.get(f"{stack.app_url}/embeddings", headers=stack.internal_headers, timeout=10)
    response.raise_for_status()
    return response.json()["queries"]


def test_the_nlu_vector_goes_out_with_the_parse_data(stack):
    parse = httpx.post(
        f"{stack.rasa_url}/model/parse",
        params={"token": stack.rasa_token},
        json={"text": "护照要带什么材料"},
        timeout=30,
    ).json()
    assert parse[PARSE_KEY]["text"] == "护照要带什么材料" and len(parse[PARSE_KEY]["vector"]) > 1000


def test_a_knowledge_message_is_not_embedded_again_by_retrieval(stack):
    before = _app_embeddings(stack)
    first = texts(stack.send("once-1", "身份证丢了怎么补办"))
    fee = texts(stack.send("once-1", "那要多少钱？"))
    assert "【居民身份证申领、换领、补领】" in first and "40元" in fee
    assert _app_embeddings(stack) == before  # search and passage choice both used the NLU's vector


def test_a_clarification_choice_embeds_the_earlier_question_once(stack):
    reply = stack.send("once-2", "公积金")
    payloads = [b["payload"] for m in reply for b in m.get("buttons", [])]
    assert payloads
    before = _app_embeddings(stack)
    chosen = texts(stack.send("once-2", payloads[0]))
    assert "来源：" in chosen
    assert _app_embeddings(stack) == before + 1  # the button's text is not the question: embedded once, here


def test_a_long_conversation_rolls_over_and_keeps_its_topic(stack):
    sender = "long-1"
    for message in ("身份证丢了怎么补办", "在哪里办？", "要多久？", "需要什么材料？") * 2:
        stack.send(sender, message)
    fee = texts(stack.send(sender, "那要多少钱？"))
    assert "【居民身份证申领、换领、补领】收费标准" in fee  # the topic (a slot) survived the new sessions
    with sqlite3.connect(stack.var_dir / "tracker.db") as connection:
        sessions = connection.execute("SELECT count(*) FROM events WHERE type_name = 'session_started'").fetchone()[0]
    assert sessions >= 2


def test_each_web_conversation_stays_on_one_of_the_two_rasa_workers(stack):
    assert get_settings().rasa_workers == 2 and (stack.var_dir / "logs" / "rasa-2.pid").is_file()
    log = stack.var_dir / "logs" / "knowledge.log"
    before = len(HANDLED.findall(log.read_text(errors="replace")))
    for citizen in range(CITIZENS):
        with httpx.Client() as client:  # its own cookie jar: its own conversation
            for message in ("身份证丢了怎么补办", "要带什么材料"):
                response = client.post(f"{stack.app_url}/api/chat", json={"message": message}, timeout=60)
                assert response.status_code == 200, response.text
            follow_up = response.json()
            assert any((m.get("custom") or {}).get("doc_id") == "id-card" for m in follow_up), citizen
    handled = HANDLED.findall(log.read_text(errors="replace"))[before:]
    workers_of: dict[str, set[str]] = {}
    for conversation, url in handled:
        workers_of.setdefault(conversation, set()).add(url)
    assert len(workers_of) == CITIZENS and len(handled) == 2 * CITIZENS
    assert all(len(urls) == 1 for urls in workers_of.values())
    assert {url for urls in workers_of.values() for url in urls} == {
        f"http://127.0.0.1:{stack.rasa_port}",
        f"http://127.0.0.1:{stack.rasa_port + 1}",
    }
