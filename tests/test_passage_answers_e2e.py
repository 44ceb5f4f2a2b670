"""End to end: passage answers as structure through the REST channel, and spoken from it on the plain-text channel."""

from __future__ import annotations

import httpx
import pytest

from tests.stack import Stack, buttons

MORE = "想听更多请回复 1。"


def answer_of(messages: list[dict]) -> dict:
    """The structured answer a REST reply carries (its custom payload of type ``answer``)."""
    [answer] = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "answer"]
    return answer


def body(answer: dict) -> str:
    return "".join(p["text"] for p in answer["passages"])


def voice(stack: Stack, sender: str, message: str) -> str:
    response = httpx.post(
        f"{stack.rasa_url}/webhooks/plaintext/webhook", json={"sender": sender, "message": message}, timeout=30
    )
    response.raise_for_status()
    return response.json()["text"]


@pytest.mark.parametrize(
    ("question", "doc_id", "fact"),
    [
        ("低保一个月多少钱", "minimum-living-allowance", "960"),  # 多少钱 about a benefit: the amount, not the fee
        ("身份证有效期多久", "id-card", "26—45周岁20年"),  # 多久: the validity, not the processing time
        ("补办身份证要交丢失证明吗", "id-card", "无需提供丢失证明"),
    ],
)
def test_fact_questions_with_trap_cues(stack, question, doc_id, fact):
    reply = stack.send(f"fact-{doc_id}-{len(question)}", question)
    answer = answer_of(reply)
    assert answer["decision"] == "answer" and answer["doc_id"] == doc_id
    assert fact in body(answer) and len(body(answer)) <= 300
    assert answer["source"]["url"].endswith(doc_id) and answer["source"]["text"].startswith("来源：")
    text_message = next(m for m in reply if m.get("text", "").startswith("【"))
    assert fact in text_message["text"]  # a readable text rides along for clients that ignore the structure


def test_followups_after_a_passage_answer(stack):
    sender = "passage-followup"
    first = answer_of(stack.send(sender, "低保一个月多少钱"))
    assert "960" in body(first) and "不收费" not in body(first)
    materials = answer_of(stack.send(sender, "那要带什么材料"))
    assert materials["doc_id"] == "minimum-living-allowance"
    assert materials["passages"][0]["section"] == "申请材料" and "最低生活保障申请书" in body(materials)
    place = answer_of(stack.send(sender, "在哪办"))
    assert place["passages"][0]["section"] == "办理地点" and "湖滨路 20 号" in body(place)


def test_followup_naming_another_service(stack):
    sender = "passage-followup-switch"
    assert answer_of(stack.send(sender, "居住证在哪办"))["doc_id"] == "residence-permit"
    switched = answer_of(stack.send(sender, "落护要啥条件"))  # 落户 typed with a homophone
    assert switched["doc_id"] == "hukou-transfer" and switched["passages"][0]["section"] == "办理条件"
    assert answer_of(stack.send(sender, "低保在哪办"))["doc_id"] == "minimum-living-allowance"
    declined = " ".join(m.get("text", "") for m in stack.send(sender, "临时救助呢"))
    assert "没有找到关于「临时救助」" in declined and "12345" in declined


def test_what_about_another_service_asks_the_previous_question_again(stack):
    sender = "passage-what-about"
    assert answer_of(stack.send(sender, "身份证遗失了怎么补办"))["doc_id"] == "id-card"
    again = answer_of(stack.send(sender, "那社保卡呢"))  # 社保卡遗失了怎么补办: the loss, not the first issue
    assert again["doc_id"] == "social-security-card" and "挂失" in body(again)


def test_section_button_shows_that_section(stack):
    sender = "passage-section"
    reply = stack.send(sender, "身份证有效期多久")
    answer = answer_of(reply)
    offered = {b["title"]: b["payload"] for b in buttons(reply)}
    assert set(answer["sections"]) <= set(offered) and "办理流程" in answer["sections"]
    process = answer_of(stack.send(sender, offered["办理流程"]))
    assert process["doc_id"] == "id-card" and [p["section"] for p in process["passages"]] == ["办理流程"]
    assert "5. 领证" in body(process) and "办理流程" not in process["sections"]


def test_voice_speaks_the_passage_and_pages(stack):
    sender = "passage-voice"
    first = voice(stack, sender, "低保一个月多少钱")
    assert first.startswith("最低生活保障申请：") and first.endswith(MORE)
    pages = [first]
    while pages[-1].endswith(MORE) and len(pages) < 8:
        pages.append(voice(stack, sender, "1"))
    spoken = "".join(pages)
    assert "九百六十元" in "".join(pages[:2]) and "信息来源：最低生活保障申请，示例市民政局。" in spoken
    assert all(len(p) <= 120 for p in pages) and "来源：《" not in spoken
    materials = voice(stack, sender, "那要带什么材料")
    assert materials.startswith("最低生活保障申请的申请材料：")
