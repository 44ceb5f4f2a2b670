"""Life events end to end (issue 12): each sample event through REST and the plain-text channel, a conditional
step answered yes, no and skipped, leaving the questions with a new question, steps and follow-ups inside a step.

One stack for the module (the ``stack`` fixture); the messages are written for these tests, not taken from the
routing evaluation set."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.stack import Stack, buttons, texts

FORBIDDEN = re.compile(r"https?://|www\.|[*#`|\[\]【】（）()《》<>]|[\U0001F000-\U0001FAFF\u2600-\u27BF]")
MORE = "想听更多请回复 1。"
NEXT = "想听下一步请回复 1。"
SITUATIONS = {
    "open-restaurant": "我想开一家麻辣烫店，需要办哪些手续",
    "start-company": "我要注册成立一家公司，都要办哪些事",
    "newborn": "家里刚生了娃，要给孩子办哪些手续",
    "retirement-event": "我明年就要退休了，退休要办哪些手续",
    "unemployment-event": "我失业了，接下来要办哪些事",
    "hiring-staff": "公司新招了几名员工，要办哪些手续",
    "elderly-benefits": "我妈今年满65岁了，老年人有哪些优待要去办",
    "individual-business-closure": "我的个体店不开了，要注销得办哪些手续",
}


def custom_of(reply: list[dict], kind: str) -> dict:
    assert "没有理解您的意思" not in texts(reply)  # no core fallback after the event's actions
    [found] = [m["custom"] for m in reply if (m.get("custom") or {}).get("kind") == kind]
    return found


def voice(stack: Stack, sender: str, message: str) -> str:
    """One plain-text reply, with every "more" page read; each page within the channel's limit."""
    pages = []
    for _ in range(12):
        response = httpx.post(
            f"{stack.rasa_url}/webhooks/plaintext/webhook", json={"sender": sender, "message": message}, timeout=30
        )
        response.raise_for_status()
        page = response.json()["text"]
        assert len(page) <= 120 and not FORBIDDEN.search(page), page
        pages.append(page)
        if not page.endswith(MORE):
            return "".join(pages)
        message = "1"
    raise AssertionError(pages)


def settle(stack: Stack, sender: str, reply: list[dict]) -> tuple[dict, list[dict]]:
    """Skip every open question; the final plan and the reply that shows it."""
    plan = custom_of(reply, "event")
    for _ in plan["pending"]:
        question = custom_of(reply, "event_question")
        assert question["ask"] in texts(reply).splitlines()
        assert [b["title"] for b in buttons(reply)] == ["是", "否", "跳过"]
        reply = stack.send(sender, "跳过")
    plan = custom_of(reply, "event")
    assert plan["pending"] == []
    return plan, reply


@pytest.mark.parametrize("event_id", sorted(SITUATIONS))
def test_each_sample_event_over_rest(stack, event_id):
    sender = f"event-rest-{event_id}"
    reply = stack.send(sender, SITUATIONS[event_id])
    plan = custom_of(reply, "event")
    assert plan["event_id"] == event_id
    text = texts(reply)
    steps = [s for s in plan["steps"] if s["applies"]]
    positions = [text.index(f"{s['number']}. {s['title']}") for s in steps]
    assert positions == sorted(positions) and len(steps) >= 2
    for material in plan["materials"]:
        assert text.count(f"· {material['name']}（") == 1
    assert f"合计用时：{plan['total_time']}" in text and plan["source"]["text"] in text
    settle(stack, sender, reply)
    offered = [b["title"] for b in buttons(stack.send(sender, f"第{steps[0]['number']}步"))]
    assert offered[0].startswith("下一步")
    step = stack.send(sender, "下一步")
    shown = custom_of(step, "event_step")
    assert shown["step"]["number"] == steps[1]["number"] and shown["doc_id"] == steps[1]["guide_id"]
    assert shown["passages"] and "来源：" in texts(step)
    followup = stack.send(sender, "在哪里办")
    answer = next(m["custom"] for m in followup if (m.get("custom") or {}).get("type") == "answer")
    assert answer["doc_id"] == steps[1]["guide_id"]
    last = stack.send(sender, f"第{steps[-1]['number']}步")
    assert {"看看能享受哪些政策", "订阅相关政策更新"} & {b["title"] for b in buttons(last)}


@pytest.mark.parametrize("event_id", sorted(SITUATIONS))
def test_each_sample_event_over_plain_text(stack, event_id):
    sender = f"event-voice-{event_id}"
    spoken = voice(stack, sender, SITUATIONS[event_id])
    assert "一共" in spoken
    for _ in range(6):
        if "请回复数字：1 是；2 否；3 跳过" not in spoken:
            break
        spoken = voice(stack, sender, "3")
    assert "第一步" in spoken and spoken.endswith(NEXT) and "第二步" not in spoken
    nxt = voice(stack, sender, "1")
    assert nxt.startswith("第二步") and "第三步" not in nxt.split("。", 1)[0]


def test_a_conditional_step_answered_yes_no_and_left(stack):
    reply = stack.send("event-cond-1", SITUATIONS["open-restaurant"])
    plan = custom_of(reply, "event")
    assert plan["pending"], "开办餐饮店 has a conditional step"
    asked = plan["pending"][0]
    assert custom_of(reply, "event_question")["number"] == asked["number"]
    assert f"待确认：{asked['condition']}" in texts(reply)
    for _ in plan["pending"]:
        reply = stack.send("event-cond-1", "不需要")
    declined = custom_of(reply, "event")
    step = next(s for s in declined["steps"] if s["number"] == asked["number"])
    assert step["applies"] is False and f"{asked['number']}. {step['title']}" not in texts(reply)
    assert declined["conditions"][str(asked["number"])] is False

    reply = stack.send("event-cond-2", SITUATIONS["open-restaurant"])
    for _ in plan["pending"]:
        reply = stack.send("event-cond-2", "是")
    accepted = custom_of(reply, "event")
    step = next(s for s in accepted["steps"] if s["number"] == asked["number"])
    assert step["applies"] is True and f"{asked['number']}. {step['title']}" in texts(reply)
    assert "待确认" not in texts(reply) and "视情况" not in texts(reply)

    stack.send("event-cond-3", SITUATIONS["open-restaurant"])
    left = stack.send("event-cond-3", "护照要带什么材料")
    assert "【普通护照办理】" in texts(left)
    assert "请问还有什么可以帮您" in texts(stack.send("event-cond-3", "好的"))  # no longer an answer to the question


def test_skipped_condition_is_marked_and_voice_asks_one_question(stack):
    reply = stack.send("event-skip", SITUATIONS["open-restaurant"])
    plan = custom_of(reply, "event")
    reply = stack.send("event-skip", "不清楚")
    number = str(plan["pending"][0]["number"])
    if len(plan["pending"]) == 1:
        assert custom_of(reply, "event")["conditions"][number] is None and "视情况" in texts(reply)
    spoken = voice(stack, "event-voice-skip", SITUATIONS["open-restaurant"])
    assert spoken.count("？") == 1 and plan["pending"][0]["ask"] in spoken


@pytest.mark.parametrize(("event_id", "first_question"), [("start-company", "哪个行业"), ("newborn", "年龄")])
def test_offers_policy_matching_for_the_new_situation_and_a_subscription(stack, event_id, first_question):
    sender = f"event-offers-{event_id}"
    plan, reply = settle(stack, sender, stack.send(sender, SITUATIONS[event_id]))
    offers = {b["title"]: b["payload"] for b in buttons(reply)}
    assert plan["offers"]["policy_match"] and plan["offers"]["subscription_topics"]
    assert first_question in texts(stack.send(sender, offers["看看能享受哪些政策"]))  # business or person is known
    assert "已取消" in texts(stack.send(sender, "算了"))
    assert "订阅哪些" in texts(stack.send(sender, offers["订阅相关政策更新"]))


def test_steps_need_an_event(stack):
    assert "请先告诉我您要办的事" in texts(stack.send("event-none", "下一步"))
