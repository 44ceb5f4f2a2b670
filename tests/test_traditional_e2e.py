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


def test_the_plain_text_channel_speaks_traditional_to_a_traditional_conversation(stack):
    """The channel's own words (paging, choices) follow the conversation's script, page after page."""
    first = stack.send("hant-voice", "身分證遺失了補辦要帶什麼材料", channel="plaintext")["text"]
    assert first.endswith("想聽更多請回覆 1。") and "居民身份證" in first
    second = stack.send("hant-voice", "1", channel="plaintext")["text"]  # a digit shows no script: still Traditional
    assert second and not {"证", "办", "请", "听"} & set(first + second)
    simplified = stack.send("hans-voice", "身份证丢了补办要带什么材料", channel="plaintext")["text"]
    assert simplified.endswith("想听更多请回复 1。")


def test_an_overlong_traditional_message_is_refused_in_traditional(stack):
    refused = stack.send("hant-long", "身分證遺失了怎麼補辦" * 60, channel="plaintext")["text"]
    assert "太長" in refused and "500" in refused
    assert "太长" in stack.send("hans-long", "身份证丢了怎么补办" * 60, channel="plaintext")["text"]
