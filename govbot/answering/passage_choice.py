"""Choose the passages of a document that answer a question: by content, with cue words as features.

Each passage scores ``dense + lexical + cue prior + answer-kind match``:

* dense is the E5 cosine of the question and the passage (with its title and heading as context);
* lexical is BM25 over jieba tokens and character bigrams, saturated to [0, 1);
* the cue prior is a small bonus for the sections a cue word points to ("多少钱" → 收费标准);
* the answer-kind match rewards passages holding the kind of fact asked for: an amount in 元 for "多少钱",
  a duration for "多久", an address for "在哪", a phone number for "电话", a waiver or a prohibition for a
  yes/no question ("还要带合同吗", "得先备案不？" → 无需提供), a date for "最晚" or "多久之内", a cap for "最多",
  an age for "几岁", a period of validity for "能管多久", a rate for "比例降多少", an end date for "现在还有吗",
  an account for "钱打到哪张卡上", a proxy's papers for "能替他去开吗", an online channel (an app, a site's module,
  post) for "手机上能弄不" or "不想跑窗口".
  About a benefit (补贴, 低保, 领…), "多少钱" means the amount paid out, so the fee section is pushed down
  (unless it holds another kind asked for, such as a rate) and a passage without an amount paid gets none of the
  match bonus (an amount after 低于 or before 以上 is a condition's threshold);
* the legal-basis section (政策依据) is pushed down unless the question asks for it: it cites laws for staff;
* up to three passages are shown: the best, its exception, and the next best within a margin of it, while
  they fit the body budget.

Weights were set on questions written from the documents (``tests/test_passages.py``) and the dev splits of the
fact-question set (dev, dev2, dev3); never on a held-out split.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from govbot.answering.section_cues import cued_sections, strip_cues
from index.searcher import PassageMatch

FEE_SECTIONS = ("收费标准",)
# The laws a guide rests on: what staff consult, which answers a citizen only when asked for ("依据哪条规定").
BASIS_SECTIONS = ("政策依据",)


@dataclass(frozen=True)
class AnswerKind:
    """A kind of fact: the question words that ask for it and the text that holds it."""

    name: str
    asks: re.Pattern[str]
    holds: re.Pattern[str]


def _kind(name: str, asks: str, holds: str) -> AnswerKind:
    """An answer kind from its two patterns' source."""
    return AnswerKind(name, re.compile(asks), re.compile(holds))


_AMOUNT = r"\d[\d,.]*\s*(?:万|千|百)?元|免费|不收费|免收|免缴|不收取|无需缴费"
ANSWER_KINDS: tuple[AnswerKind, ...] = (
    _kind(
        "amount",
        r"多少钱|几块|费用|收费|收不收|要钱|花钱|交钱|收钱|掏钱|免费|工本费|价格|交多少|多少补贴|补多少|领多少|发多少|给多少|"
        r"金额|标准是多少|多少",
        _AMOUNT,
    ),
    _kind(
        "duration",
        r"多久|几天|多长时间|时限|多少天|什么时候|多快|要等|几个工作日|啥时候|有效期|期限|几年|多少年|几个月",
        r"\d+\s*(?:个)?(?:工作日|日|天|周|年|个月|月|小时)|长期|当场|当天|即时|即办|立即",
    ),
    _kind(
        "place",
        r"在哪|哪里|哪儿|去哪|地址|地点|窗口|哪个部门|什么地方|到哪",
        r"\d+\s*号|窗口|服务中心|大厅|派出所|网上|APP|政务服务网|办事处",
    ),
    _kind("phone", r"电话|热线|号码|打给|联系", r"\d{3,4}-\d{6,8}|12345|12333|12366"),
    # "还要带合同吗", "能不能换成现金": guides state what is waived or forbidden in so many words.
    _kind(
        "exemption",
        r"还要|还用|还需|还得|要不要|用不用|需不需要|需要[^？?]*吗|要[^？?]*吗|能不能|可不可以|可以[^？?]*吗|不[？?]",
        r"无需|无须|不需|不用|免于|免予|免提供|免交|不得|不能|不可|不予|不再",
    ),
    _kind(
        "deadline",
        r"最晚|最迟|截止|几号前|之前要|前要交|过期|到期|(?:多久|多长时间)(?:之内|以内|内|以后就?不|之后就?不)",
        r"\d+\s*年\s*\d+\s*月\s*\d+\s*日|\d+\s*月\s*\d+\s*日|截止|到期|届满|之日起",
    ),
    _kind("maximum", r"最多|最高|上限|顶多|最长|封顶", r"最高|最多|上限|不超过|最长|封顶"),
    # "能管多久" asks how long a certificate stays valid, not how long the service takes.
    _kind(
        "validity", r"有效期|管(?:多久|几年|多长)|能用(?:多久|几年)|(?:多久|几年|多长时间)(?:有效|过期|失效)", r"有效"
    ),
    _kind("age", r"多少岁|几岁|年龄|多大|岁数|满多少", r"\d+\s*周?岁"),
    # "报销比例降多少": a rate, in per cent or percentage points.
    _kind("rate", r"比例|百分之|几成|几个点|降多少|少多少|打几折", r"\d+(?:\.\d+)?\s*(?:%|％|个百分点|成)"),
    # "钱打到哪张卡上": the account a payment goes to.
    _kind(
        "account",
        r"哪张卡|哪个卡|什么卡|打到哪|发到哪|钱(?:去|到|从|打)?哪|(?:哪个|什么)账户|账户|银行卡|存折",
        r"账户|银行卡|社会保障卡|社保卡|存折",
    ),
    # "手机上能弄不", "不想跑窗口": an online channel, not the counter's address.
    _kind(
        "online",
        r"手机上|用手机|手机里|在手机|网上(?:办|弄|申请|交|操作|提交|查|能|可以)|线上|不想跑|不用跑|不跑|"
        r"在家(?:办|弄|就|里)|远程|人(?:还)?在外地|足不出户|[Aa][Pp][Pp]|小程序|电脑上",
        r"[Aa][Pp][Pp]|小程序|网上|线上|网站|政务服务网|专区|模块|栏目|电子税务局|邮寄|在线|掌上|12123|云闪付",
    ),
    # "我当妈的能替他去开吗": what someone applying for another brings or must do.
    _kind(
        "proxy",
        r"替(?:他|她|我|老人|孩子|家人|他们|她们)?(?:去)?(?:办|申请|开|领|报|交|弄)|能替|代办|代领|代理|代为|代替|委托|"
        r"帮(?:他|她|老人|家人|他们)(?:去)?(?:办|申请|开|领|报)|让(?:儿子|女儿|家人|别人|亲戚|子女|孩子)(?:替|帮|代|去)|"
        r"(?:别人|家人|亲属|子女)(?:替|帮|代)",
        r"代办|委托|代为|代理|代领|近亲属|监护人",
    ),
    # "市里补贴现在还有吗": whether a policy still runs.
    _kind(
        "running",
        r"还有[^，,？?]{0,10}(?:吗|没有?)|现在还|还在(?:实行|执行|发)|停了(?:吗|没)|结束了(?:吗|没)",
        r"到期|截止|停止|结束|延续|延长",
    ),
)
BENEFIT = re.compile(
    r"补贴|补助|津贴|低保|最低生活保障|救助|奖励|奖补|养老金|抚恤|待遇|报销|领取|能领|能拿|发放|发多少|给多少|领多少|补多少"
)
NO_AMOUNT = re.compile(r"^(?:不收费|免费|无)[。；]?$")
# An amount in 元 with the words just before it, and the words that make it a threshold rather than a payment.
# ("最高不超过 3000 元" caps a payment; "不低于 20 万元", "20 万元以上" are what an applicant must reach.)
PAID = re.compile(r"([^，。；,;\n]{0,8}?)\d[\d,.]*\s*(?:万|千|百)?元(以上)?")
THRESHOLD = re.compile(r"低于|高于|不足|不到|不低于|少于|多于|达到")
LIST_QUESTION = re.compile(
    r"(?:什么|哪些|啥|哪几样)(?:材料|资料|证件|东西|手续)|(?:流程|步骤|程序)(?:是什么|是啥|有哪些|是怎样的?)?[？?]?$"
    r"|(?:怎么|如何|咋)(?:办理?|申请|弄|整)[？?]?$"
)
_EXCEPTION = re.compile(r"^(?:\d+[.、．]\s*)?(?:但|除|另外|另|其中|如|若)|除外|例外|不适用|免收|免于|不受")


@dataclass(frozen=True)
class ChoiceWeights:
    """Weights of the passage score (see the module docstring)."""

    lexical: float = 0.03
    saturation: float = 12.0
    cue: float = 0.015
    bare_cue: float = 0.3
    kind: float = 0.015
    second_margin: float = 0.06
    max_passages: int = 3
    benefit_fee: float = -0.1  # the fee section, for a question about a benefit's amount
    basis: float = -0.06  # the legal-basis section, for a question that does not ask for it


def asked_section(question: str, headings: Sequence[str]) -> str | None:
    """The section a question asks for as a whole: a bare follow-up ("那要带什么？") or a list question ("要带
    什么材料", "流程是什么") whose cue names a section of the document."""
    if len(strip_cues(question)) >= 2 and not LIST_QUESTION.search(question):
        return None
    return next((s for s in cued_sections(question) if s in headings), None)


def _saturate(value: float, saturation: float) -> float:
    return value / (value + saturation) if value > 0 else 0.0


def passage_scores(
    question: str, matches: Sequence[PassageMatch], weights: ChoiceWeights, topic: str = ""
) -> list[float]:
    """The score of each passage for the question (higher is better); ``topic`` names the service a follow-up
    leaves unsaid."""
    benefit = bool(BENEFIT.search(topic + question))
    cued = [s for s in cued_sections(question) if not (benefit and s in FEE_SECTIONS)]
    cue_weight = weights.bare_cue if len(strip_cues(question)) < 2 else weights.cue
    kinds = [k for k in ANSWER_KINDS if k.asks.search(question)]
    scores = []
    for match in matches:
        passage = match.passage
        score = match.dense + weights.lexical * _saturate(match.lexical, weights.saturation)
        if passage.section in cued:
            score += cue_weight
        elif passage.section in BASIS_SECTIONS:
            score += weights.basis
        held = [k for k in kinds if _holds(k, passage.text, benefit)]
        if benefit and passage.section in FEE_SECTIONS and not any(k.name != "amount" for k in held):
            score += weights.benefit_fee  # but "报销比例降多少" may be answered there: a rate, not a fee
        score += weights.kind * len(held)
        scores.append(score)
    return scores


def _holds(kind: AnswerKind, text: str, benefit: bool) -> bool:
    """Whether a passage holds the kind of fact; about a benefit, an amount means one paid out in 元: not "不收费",
    nor a threshold of the conditions ("收入低于每人每月 960 元")."""
    if not kind.holds.search(text):
        return False
    if kind.name != "amount" or not benefit:
        return True
    return not NO_AMOUNT.match(text.strip()) and any(
        not (THRESHOLD.search(m.group(1)) or m.group(2)) for m in PAID.finditer(text)
    )


def choose_passages(
    question: str,
    matches: Sequence[PassageMatch],
    budget: int,
    weights: ChoiceWeights | None = None,
    topic: str = "",
) -> list[PassageMatch]:
    """The best passage, then its exception (the passage after it in the same section that qualifies it), then
    the next best while they score within the margin of the best and all fit the budget.

    The best comes first (an exception follows the passage it qualifies); empty when there are no passages.
    """
    if not matches:
        return []
    weights = weights or ChoiceWeights()
    scores = passage_scores(question, matches, weights, topic)
    order = sorted(range(len(matches)), key=lambda i: scores[i], reverse=True)
    best = order[0]
    candidates = [i for i in order[1:] if scores[i] >= scores[best] - weights.second_margin]
    following = best + 1
    if (
        following < len(matches)
        and matches[following].passage.section == matches[best].passage.section
        and _EXCEPTION.search(matches[following].passage.text)
    ):
        candidates.insert(0, following)
    chosen = [best]
    used = len(matches[best].passage.text)
    for i in dict.fromkeys(candidates):
        if len(chosen) >= weights.max_passages:
            break
        if i not in chosen and used + len(matches[i].passage.text) <= budget:
            chosen.append(i)
            used += len(matches[i].passage.text)
    return [matches[i] for i in chosen]
