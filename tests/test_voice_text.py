"""The voice-friendly rewriting of the plain-text channel, and spoken numbers."""

from __future__ import annotations

import re

import pytest

from channels.plaintext_channel import digit_of
from channels.spoken_numbers import integer_words, speak_numbers
from channels.voice_text import MAX_CHARS, MORE_PROMPT, plain_text, spoken_answer, to_voice_reply

FORBIDDEN = re.compile(r"https?://|www\.|[*#`|\[\]【】（）()《》<>]|[\U0001F000-\U0001FAFF\u2600-\u27BF]")

TITLE = "居民身份证申领、换领、补领"
ANSWER = {
    "type": "answer",
    "decision": "answer",
    "doc_id": "id-card",
    "title": TITLE,
    "passages": [
        {
            "section": "收费标准",
            "text": "1. 首次申领：20元/证。\n2. **丢失补领**：40元/证。\n3. 临时居民身份证（急用）：10元/证。\n\n"
            "| 项目 | 金额 |\n|---|---|\n| 邮寄 | 到付 |",
            "truncated": False,
        },
        {"section": "咨询电话", "text": "示例市公安局：0123-88011110，或拨打12345。👍", "truncated": False},
    ],
    "source": {
        "title": TITLE,
        "department": "示例市公安局",
        "effective_date": "2024-03-01",
        "updated": "2026-09-15",
        "url": "https://zwfw.shili.example/guide/id-card",
        "text": f"来源：《{TITLE}》，示例市公安局，https://zwfw.shili.example/guide/id-card",
    },
    "sections": ["申请材料", "办理流程"],
}
SECTION_BUTTONS = [
    {"title": s, "payload": f'/choose_document{{"doc_id": "id-card", "section": "{s}"}}'} for s in ANSWER["sections"]
]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "零"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (105, "一百零五"),
        (1005, "一千零五"),
        (3600, "三千六百"),
        (10000, "一万"),
        (300000, "三十万"),
        (120000000, "一亿二千万"),
    ],
)
def test_integer_words(value, words):
    assert integer_words(value) == words


def test_spoken_numbers():
    spoken = speak_numbers("工本费20元，利率2.6%，2024-03-01起，9:00—12:00，电话0123-88012345或12345，最高30万元")
    assert "二十元" in spoken and "百分之二点六" in spoken and "二零二四年三月一日" in spoken
    assert "九点到十二点" in spoken and "0 1 2 3，8 8 0 1 2 3 4 5" in spoken and "1 2 3 4 5" in spoken
    assert "三十万元" in spoken
    assert speak_numbers("补贴12000元") == "补贴一万二千元"


def test_plain_text_removes_markup_but_keeps_content():
    text = plain_text("## 申请材料\n1. **身份证**（原件）\n2. 照片 https://x.example/a 😀\n| a | b |")
    assert not FORBIDDEN.search(text)
    assert "身份证" in text and "原件" in text and "照片" in text


def test_answer_becomes_short_spoken_pages():
    feedback = [{"title": "👍 有用", "payload": "/feedback_positive"}]
    messages = [{"text": "（仅供不能显示结构的客户端）", "buttons": SECTION_BUTTONS + feedback}, {"custom": ANSWER}]
    reply = to_voice_reply(messages)
    assert reply.options == []  # section choices and feedback are not read out
    assert len(reply.pages) >= 2
    first = reply.first_message()
    assert first.endswith(MORE_PROMPT) and len(first) <= MAX_CHARS
    for page in reply.pages:
        assert len(page) <= MAX_CHARS and not FORBIDDEN.search(page), page
    spoken = "".join(reply.pages)
    assert spoken.startswith("居民身份证申领、换领、补领的收费标准：") and "仅供" not in spoken
    assert "第一，首次申领：二十元每证" in spoken and "咨询电话：示例市公安局：0 1 2 3" in spoken
    assert "1 2 3 4 5" in spoken
    assert spoken.endswith("信息来源：居民身份证申领、换领、补领，示例市公安局。")


def test_a_list_item_shown_alone_is_read_without_its_number():
    item = {**ANSWER, "passages": [{"section": "申请材料", "text": "2. 本人近期免冠照片一张。", "truncated": False}]}
    spoken = spoken_answer(item)
    assert "的申请材料：本人近期免冠照片一张。" in spoken and "第二" not in spoken
    listed = spoken_answer({**ANSWER, "passages": ANSWER["passages"][:1]})
    assert "第一，首次申领" in listed and "第二，丢失补领" in listed  # a whole list keeps its numbers


def test_choices_become_numbered_options():
    reply = to_voice_reply(
        [
            {
                "text": "您想了解的是：1. 住房公积金提取 2. 住房公积金贷款",
                "buttons": [
                    {"title": "住房公积金提取", "payload": '/choose_document{"doc_id": "a"}'},
                    {"title": "住房公积金贷款", "payload": '/choose_document{"doc_id": "b"}'},
                ],
            },
            {"custom": {"type": "clarify", "message": "您想了解的是哪一项？", "options": []}},
        ]
    )
    assert reply.pages == ["您想了解的是哪一项？请回复数字：1 住房公积金提取；2 住房公积金贷款。"]
    assert [p for _, p in reply.options][1].endswith('"b"}')


@pytest.mark.parametrize(("text", "number"), [("1", 1), ("２", 2), ("第二个", 2), ("选3", 3), (" 4。", 4), ("三", 3)])
def test_digit_replies(text, number):
    assert digit_of(text) == number


@pytest.mark.parametrize("text", ["12", "1个月", "第一次办身份证", "身份证"])
def test_not_digit_replies(text):
    assert digit_of(text) is None
