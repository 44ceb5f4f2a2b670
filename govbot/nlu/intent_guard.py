"""Short social and control intents only for messages that say them.

The intent classifier learned "thank", "deny", "unsubscribe" or "ask for a person" from short messages ("谢谢",
"不用了", "退订", "转人工"). A long question that happens to resemble one ("俺爹刚满80，意外险还得自己去申请吗"
read as thanks, "拿过市里别的财政资金了，这个还能再申请吗" as unsubscribing) would get a social reply instead
of an answer. This component, after the classifier, gives a message of :data:`LONG_CHARS` or more characters the
best-ranked other intent when it holds none of the words of its guarded intent (:data:`CUES`). Short messages
and messages that do say it ("好的谢谢，我明天去办", "我不想再收到政策推送了") keep the classifier's intent.
Thanks that come with a question ("老人卡在哪办呀谢谢", "谢谢，那还要带什么") are the question's: a message that
asks something (:data:`ASKS`) is never taken for thanks alone.
"""

from __future__ import annotations

import re

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from govbot.nlu.stateless import StatelessComponent

LONG_CHARS = 10  # letters, digits and Chinese characters: "好的谢谢你啊" is short, a question with a story is not
_COUNTED = re.compile(r"\w")
CUES: dict[str, re.Pattern[str]] = {
    intent: re.compile(pattern, re.IGNORECASE)
    for intent, pattern in {
        "thank": r"谢|感谢|辛苦|麻烦(?:你|您)了",
        "greet": r"你好|您好|在吗|在不在|有人吗|早上好|上午好|下午好|晚上好|哈喽|嗨|hello|hi",
        "goodbye": r"再见|拜拜|回头|下次|先这样|没事了|不打扰|挂了|bye",
        "affirm": r"是的|对的|对啊|对呀|没错|好的|好啊|好嘞|嗯|行的|行啊|可以的|确认|没问题|^(?:对|是|好|行|可以)",
        "deny": r"不是|不对|不用|不要|不需要|没有|算了|^(?:不|别)",
        "unsubscribe_policy": r"订阅|推送|退订|通知|提醒|消息",
        "subscribe_policy": r"订阅|推送|通知|提醒|消息|推给我|发给我|告诉我|发个信|关注",
        "ask_human": r"人工|客服|真人|转接|工作人员|坐席|接线|找人|找个人|人来|同志|联系一下",
        "bot_challenge": r"机器人|真人|人工智能|\bai\b|gpt|你是谁|你是人|是不是人|智能|你自己|你叫",
        "feedback_positive": r"有用|有帮助|满意|好评|不错|很好|厉害|棒|赞|清楚|明白|知道(?:咋|怎么)办了",
        "feedback_negative": (
            r"没用|不满意|差评|不好|答非所问|听不懂|看不懂|不行|错了|不对|垃圾|没帮助|不知道|不明白|没.?明白|糊涂|说的啥"
        ),
    }.items()
}


# A message that asks something: a question mark, a question particle or a question word.
ASKS = re.compile(r"[？?]|吗|什么|啥|哪|怎么|怎样|如何|咋|多少|多久|几[个天年月次岁块]|要不要|能不能|可不可以|是否")
NOT_WHEN_ASKING = frozenset({"thank"})


def guarded_intent(text: str, intent: str) -> bool:
    """Whether ``intent`` does not stand for ``text``: a long message holding none of that intent's words, or
    thanks that come with a question."""
    if intent in NOT_WHEN_ASKING and ASKS.search(text):
        return True
    cue = CUES.get(intent)
    return cue is not None and len(_COUNTED.findall(text)) >= LONG_CHARS and not cue.search(text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentGuard(StatelessComponent):
    """Re-ranks a long message away from a guarded intent it does not say (see the module docstring)."""

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            _guard(message)
        return messages


def _guard(message: Message) -> None:
    text = message.get(TEXT)
    intent = message.get(INTENT) or {}
    if not isinstance(text, str) or not guarded_intent(text, str(intent.get(INTENT_NAME_KEY, ""))):
        return
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if not guarded_intent(text, str(r.get("name", "")))]
    if ranking:
        best = {INTENT_NAME_KEY: ranking[0]["name"], "confidence": ranking[0]["confidence"]}
        message.set(INTENT, best, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
