"""End to end on the real stack: a knowledge message is embedded once in all (by the NLU, whose vector
retrieval reuses), and a long conversation continues in new Rasa sessions without losing its topic."""

from __future__ import annotations

import sqlite3

import httpx
import pytest

from index.query_vector import PARSE_KEY
from tests.conftest import copy_index
from tests.stack import Stack, texts

SESSION_EVENTS = 40


@pytest.fixture(scope="module")
def stack(sample_index, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("throughput") / "var"
    copy_index(sample_index, var_dir / "index")
    running = Stack(var_dir, extra_env={"GOVBOT_TRACKER_SESSION_EVENTS": str(SESSION_EVENTS)})
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
