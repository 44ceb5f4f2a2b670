"""Honest scope through the running system: a declined question names what was not found and offers a person,
on the REST channel and on the plain-text (voice) channel."""

from __future__ import annotations

import httpx

from tests.stack import Stack, buttons, texts


def voice(stack: Stack, sender: str, message: str) -> str:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/plaintext/webhook", json={"sender": sender, "message": message}, timeout=30
    )
    response.raise_for_status()
    return response.json()["text"]


def test_rest_decline_names_the_subject_and_offers_choices_and_a_person(stack):
    sender = "scope-rest-1"
    reply = stack.send(sender, "退役军人优待证怎么办理")
    text = texts(reply)
    assert "没有找到关于「退役军人优待证」的办事指南" in text and "来源：" not in text
    offered = {b["title"]: b["payload"] for b in buttons(reply)}
    assert offered.get("转人工") == "/ask_human"
    assert "老年人优待证办理" in offered  # the neighbour is a choice, not the answer
    chosen = texts(stack.send(sender, offered["老年人优待证办理"]))
    assert "【老年人优待证办理】" in chosen
    handoff = texts(stack.send("scope-rest-2", "退役军人优待证怎么办理") + stack.send("scope-rest-2", "转人工"))
    assert "12345" in handoff and "工单" in handoff


def test_rest_personal_case_goes_to_a_person(stack):
    reply = stack.send("scope-rest-3", "我的低保申请到哪一步了")
    assert "转人工" in texts(reply) and "来源：" not in texts(reply)
    assert "/ask_human" in [b["payload"] for b in buttons(reply)]


def test_voice_decline_names_the_subject_and_offers_a_person(stack):
    sender = "scope-voice-1"
    pages = [voice(stack, sender, "游艇驾驶证怎么考")]
    while pages[-1].endswith("想听更多请回复 1。") and len(pages) < 6:
        pages.append(voice(stack, sender, "1"))
    spoken = "".join(pages)
    assert "没有找到关于游艇驾驶证的办事指南" in spoken and "信息来源" not in spoken
    assert "转人工" in spoken
    handoff = voice(stack, sender, "转人工")
    assert "1 2 3 4 5" in handoff
