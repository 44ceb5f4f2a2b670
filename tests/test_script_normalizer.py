"""The NLU's script normaliser: Traditional messages are parsed as their Simplified form."""

from __future__ import annotations

from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from govbot.nlu.script_normalizer import ScriptNormalizer


def test_traditional_and_full_width_messages_are_read_as_simplified():
    messages = [Message({TEXT: "身分證遺失了要怎麼補辦？"}), Message({TEXT: "ＡＰＰ上能辦嗎"}), Message({TEXT: "你好"})]
    ScriptNormalizer().process(messages)
    assert [m.get(TEXT) for m in messages] == ["身份证遗失了要怎么补办?", "APP上能办吗", "你好"]


def test_training_examples_in_simplified_are_unchanged():
    example = Message({TEXT: "身份证丢了怎么补办", "intent": "ask_question"})
    data = ScriptNormalizer().process_training_data(TrainingData([example]))
    assert data.training_examples[0].get(TEXT) == "身份证丢了怎么补办"
