"""A Traditional-Chinese conversation through the running bot's REST channel is answered in Traditional."""

from __future__ import annotations

from tests.stack import texts


def test_traditional_question_gets_a_traditional_answer(stack):
    reply = texts(stack.send("hant-user", "身分證遺失了怎麼補辦"))
    assert "身份證" in reply and ("證" in reply and "辦" in reply)
    assert "证" not in reply and "办" not in reply
    assert "https://zwfw.shili.example/guide/id-card" in reply or "來源" in reply


def test_same_question_in_simplified_stays_simplified(stack):
    reply = texts(stack.send("hans-user", "身份证丢失了怎么补办"))
    assert "身份证" in reply and "办" in reply and "證" not in reply
