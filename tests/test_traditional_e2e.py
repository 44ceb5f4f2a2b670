"""A Traditional-Chinese conversation through the running bot's REST channel is answered in Traditional."""

from __future__ import annotations

from tests.stack import texts


def test_traditional_questions_get_traditional_replies(stack):
    answer = texts(stack.send("hant-user", "身分證丟了怎麼補辦"))
    assert "居民身份證" in answer and "辦" in answer and "來源" in answer
    assert not {"证", "办", "来"} & set(answer)
    choices = texts(stack.send("hant-other", "身分證遺失了怎麼補辦"))  # a clarification or an answer, in Traditional
    assert "居民身份證" in choices and not {"证", "办"} & set(choices)


def test_same_question_in_simplified_stays_simplified(stack):
    reply = texts(stack.send("hans-user", "身份证丢了怎么补办"))
    assert "居民身份证" in reply and "办" in reply and "證" not in reply
