"""The intent guard: a long message keeps a short social or control intent only when it says it."""

from __future__ import annotations

import glob

import pytest
import yaml
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from govbot.nlu.intent_guard import CUES, IntentGuard, guarded_intent
from govbot.settings import PROJECT_ROOT
from index.normalize import to_simplified


def _parsed(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": ranking[0][0], "confidence": ranking[0][1]})
    message.set(INTENT_RANKING_KEY, [{"name": n, "confidence": c} for n, c in ranking])
    return message


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我们厂买工业软件的项目已经拿过别的财政资金了，这个还能再申请吗", "unsubscribe_policy"),
        ("俺爹刚满80，意外险还得自己去申请吗", "thank"),
        ("大专毕业的能不能直接把户籍挂到示例市来", "ask_human"),
    ],
)
def test_a_long_question_leaves_an_intent_it_does_not_say(text, intent):
    message = _parsed(text, [(intent, 0.46), ("ask_question", 0.3), ("thank", 0.1)])
    IntentGuard().process([message])
    assert message.get(INTENT)["name"] == "ask_question"
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)][0] == "ask_question"


@pytest.mark.parametrize("text", ["老人卡在哪办呀谢谢", "谢谢你，那还要带什么", "辛苦了，明天还能来办吗？"])
def test_thanks_with_a_question_are_the_questions(text):
    message = _parsed(text, [("thank", 0.85), ("ask_question", 0.1), ("ask_followup", 0.05)])
    IntentGuard().process([message])
    assert message.get(INTENT)["name"] == "ask_question"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("谢谢", "thank"),  # short: whatever it says
        ("好的谢谢你啊，我明天就去办", "thank"),
        ("我不想再收到政策推送了，帮我取消", "unsubscribe_policy"),
        ("这个问题太复杂了，帮我转人工吧", "ask_human"),
        ("低保一个月能领多少钱呢这个", "ask_question"),  # not a guarded intent
    ],
)
def test_a_short_message_or_one_that_says_it_keeps_its_intent(text, intent):
    message = _parsed(text, [(intent, 0.9), ("ask_question", 0.05)])
    IntentGuard().process([message])
    assert message.get(INTENT)["name"] == intent


def test_every_training_example_of_a_guarded_intent_says_it():
    """The cues cover the dialogue's own examples and the NLU hold-out set, so training and evaluation agree."""
    files = glob.glob(str(PROJECT_ROOT / "bot" / "data" / "nlu" / "*.yml"))
    files.append(str(PROJECT_ROOT / "tests" / "data" / "nlu_holdout.yml"))
    redirected = []
    for path in files:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        for block in data.get("nlu", []):
            intent = block.get("intent")
            if intent not in CUES:
                continue
            for line in str(block.get("examples", "")).splitlines():
                text = to_simplified(line.strip().removeprefix("- ").strip())
                if text and guarded_intent(text, intent):
                    redirected.append((intent, text))
    assert not redirected
