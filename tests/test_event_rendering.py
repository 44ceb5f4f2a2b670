"""Life-event messages and their spoken form, rendered from a plan shaped as the knowledge service returns it."""

from __future__ import annotations

import copy

import pytest

from actions.event_rendering import plan_message, question_message, step_message
from actions.step_numbers import NEXT, PREVIOUS, requested_step
from channels.voice_text import MAX_CHARS, to_voice_reply

PLAN = {
    "event_id": "open-tea-shop",
    "title": "开办奶茶店",
    "summary": "开一家奶茶店要办的事。",
    "steps": [
        {"number": 1, "guide_id": "licence", "title": "营业执照办理", "where": "示例市政务服务中心一楼",
         "duration": "3个工作日", "condition": None, "ask": None, "notes": None, "applies": True,
         "materials": ["居民身份证", "经营场所证明"]},
        {"number": 2, "guide_id": "food", "title": "食品经营许可", "where": "市场监管局窗口", "duration": "10个工作日",
         "condition": None, "ask": None, "notes": None, "applies": True,
         "materials": ["居民身份证", "营业执照", "健康证明", "平面图"]},
        {"number": 3, "guide_id": "staff", "title": "单位社保登记", "where": "社保中心", "duration": "即时办结",
         "condition": "雇用员工的", "ask": "需要雇员工吗？", "notes": None, "applies": True,
         "materials": ["营业执照"]},
    ],
    "pending": [{"number": 3, "ask": "需要雇员工吗？", "condition": "雇用员工的"}],
    "materials": [{"name": "居民身份证", "steps": [1, 2]}, {"name": "经营场所证明", "steps": [1]},
                  {"name": "营业执照", "steps": [2, 3]}, {"name": "健康证明", "steps": [2]},
                  {"name": "平面图", "steps": [2]}],
    "total_time": "约 13 个工作日",
    "source": {"title": "开办奶茶店", "url": "https://example.invalid/e", "updated": "2026-01-01",
               "text": "来源：《开办奶茶店》示例市政务服务中心"},
    "offers": {"policy_match": "企业", "subscription_topics": ["企业扶持"]},
    "script": "hans",
}  # fmt: skip


def _voice(message: dict) -> list[dict]:
    """The message as Rasa's collecting channel hands it to the plain-text channel."""
    return [{"text": message["text"], "buttons": message["buttons"]}, {"custom": message["json_message"]}]


def test_plan_text_lists_steps_in_order_with_one_materials_list():
    text = plan_message(PLAN, {})["text"]
    lines = text.splitlines()
    assert lines[0] == "【开办奶茶店】共 3 步，约 13 个工作日"
    assert "1. 营业执照办理 — 示例市政务服务中心一楼，3个工作日" in lines
    assert "3. 单位社保登记 — 社保中心，即时办结（待确认：雇用员工的）" in lines
    assert text.count("居民身份证") == 1 and "· 居民身份证（第1、2步）" in lines
    assert lines[-2:] == ["合计用时：约 13 个工作日", "来源：《开办奶茶店》示例市政务服务中心"]


def test_plan_payload_and_buttons():
    asking = plan_message(PLAN, {})
    assert asking["json_message"]["kind"] == "event" and asking["json_message"]["conditions"] == {}
    assert asking["buttons"] == []  # the question comes first
    settled = plan_message({**PLAN, "pending": []}, {"3": None})
    assert "（视情况：雇用员工的）" in settled["text"]
    assert [b["payload"] for b in settled["buttons"]] == [
        '/event_step{"step_number": "1"}',
        '/request_policy_match{"audience": "企业"}',
        "/subscribe_policy",
    ]


def test_a_step_that_does_not_apply_is_left_out():
    plan = copy.deepcopy(PLAN)
    plan["steps"][2]["applies"] = False
    plan["pending"] = []
    text = plan_message(plan, {"3": False})["text"]
    assert "共 2 步" in text and "单位社保登记" not in text


def test_question_is_short_with_yes_no_skip():
    message = question_message(PLAN, PLAN["pending"][0])
    assert message["text"] == "需要雇员工吗？"
    assert [b["title"] for b in message["buttons"]] == ["是", "否", "跳过"]


def test_voice_reads_one_step_then_offers_the_next():
    plan = {**PLAN, "pending": []}
    reply = to_voice_reply(_voice(plan_message(plan, {"3": True})))
    spoken = reply.first_message()
    assert spoken.startswith("开办奶茶店，一共三步") and "第一步，营业执照办理" in spoken
    assert "食品经营许可" not in spoken and spoken.endswith("想听下一步请回复 1。")
    assert all(len(page) <= MAX_CHARS for page in reply.pages)
    assert reply.options == [("下一步", '/event_step{"step_number": "2"}')]


def test_voice_asks_the_question_before_reading_steps():
    messages = _voice(plan_message(PLAN, {})) + _voice(question_message(PLAN, PLAN["pending"][0]))
    spoken = to_voice_reply(messages).first_message()
    assert "第一步" not in spoken and "需要雇员工吗？" in spoken and "1 是；2 否；3 跳过" in spoken


def test_voice_step_caps_materials_and_ends_with_offers():
    answer = {
        "decision": "answer",
        "doc_id": "food",
        "title": "食品经营许可",
        "passages": [{"section": "概述", "text": "经营食品应当取得许可。", "truncated": False}],
        "source": {"title": "食品经营许可", "department": "示例市市场监管局", "text": "来源"},
        "sections": ["申请材料"],
        "text": "【食品经营许可】经营食品应当取得许可。",
        "step": {"number": 3, "total": 3, "title": "食品经营许可", "condition": None, "notes": None},
    }
    message = step_message(answer, "open-tea-shop", None, PLAN["offers"])
    assert message["text"].startswith("第3步（共3步）：食品经营许可")
    reply = to_voice_reply(_voice(message))
    spoken = reply.first_message()
    assert spoken.startswith("第三步，共三步：食品经营许可") and "请回复数字：1 看看能享受哪些政策；2 订阅" in spoken
    last = to_voice_reply(_voice(step_message(answer, "open-tea-shop", 4, PLAN["offers"])))
    assert last.first_message().endswith("想听下一步请回复 1。")


@pytest.mark.parametrize(
    ("text", "entity", "expected"),
    [("第2步", None, 2), ("第二步怎么办", None, 2), ("第十二步", None, 12), ("下一步", None, NEXT),
     ("上一步", None, PREVIOUS), ("然后呢", None, NEXT), ("", "4", 4), ("第２步", None, 2)],
)  # fmt: skip
def test_requested_step(text, entity, expected):
    assert requested_step(text, entity) == expected
