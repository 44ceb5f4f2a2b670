"""Personal cases: questions about the asker's own application, payment or record, which only staff can look up.

A question is a personal case when it speaks of the asker's own affairs (first person: 我, 俺, 咱, 本人; or
the asker's family or company: 我妈, 老伴, 我们公司) and at the same time of one of:

* the **progress** of a case: 进度, 到哪一步, 审核中, 卡在…, 批了吗, 到账了没, 还没下来, 一直显示…;
* an **outcome or action taken** on it: 被拒, 被驳回, 被吊销, 被追回, 停发, 没通过, 少发, 算错;
* a **why** about something that happened to it: 为什么没发, 怎么只有, 怎么比别人少, 凭什么;
* a **request that staff act**: 帮我查, 给我催一下, 你们能派人来吗, 通融一下.

Each family lists the general shape of such phrases (verbs of processing combined with 了/没/还没/吗), not
individual questions. How-to questions in the first person ("我的身份证快过期了怎么换", "我想办低保要什么材料")
name no case status and are answered from the guides. A status phrase without the asker named ("这个月高龄津贴
少发了一百块") is a case when the learned model does not rule it out (below). A case worded in none of these
shapes, told of the asker's own affairs, is caught by the learned model of
:mod:`govbot.answering.case_classifier` ("慢病认定提交了多少天出结果" tells no one's case: it asks how long the
review takes).

Told without its owner, a case often names no status phrase the families know either ("人才安居补贴第二季度那笔到
现在没到账", "提交一周了一点动静都没有"): the model alone decides then, when it is surer of it
(:data:`OWNERLESS_CASE`) and the message says enough to be read (:data:`OWNERLESS_MIN_CHARS`); with a status
phrase, a weaker reading suffices (:data:`OWNERLESS_STATUS_FLOOR`: "个税汇算申请退税显示退税失败，是怎么回事").

The shapes are broad, and a story told before a general question often holds one ("一直没找到工作，毕业证要带
复印件吗", "老公在帮我查资料", "被罚了款，今年还能申请吗"). So a shape counts only when the model does not rule
the question out (:data:`SHAPE_FLOOR`), except the unmistakable ones: a case's reference number, the words of a
case's progress (进度, 到哪一步, 审核中) and a request that staff come or act (你们能派人来吗). Beside words that
ask how things go as a rule (:data:`_AS_A_RULE`: "这个一般多久能批下来"), no broad shape counts: the model decides.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from govbot.answering.case_classifier import case_probability, reads_as_case

# The asker's own affairs: first person, possibly possessive or plural (我们公司, 咱家, 本人的), or the family's
# named without it ("老伴的养老金这个月咋没到账").
_OWN = r"(?:我|俺|咱|阿拉|本人|厂里|店里|铺头|老伴|老公|老婆|媳妇|爱人|孩子|儿子|女儿|闺女|老爸|老妈|父亲|母亲|爸|妈)"
# Characters within one clause (after NFKC, whose punctuation is ASCII).
_WORD = r"[^，。？！；,.?!;\s]"
# What a case goes through: submitted, reviewed, approved, paid, mailed, issued.
_PROCESS = (
    r"(?:(?:批|审|核|办|做|制|发(?!票)|寄)(?:完|好|下来|出来|出去)|批|审|核|受理|通过|下来|到账|发(?!票)|寄|退(?:款|费|回)|"
    r"出结果|出来|处理|答复|回复|拿到|去拿|领到|收到|打到|放款|拨|激活|报上|寄出|通知|录取|结清|清(?![楚单洗理明]))"
)
_PROGRESS = (
    r"进度|进展|到哪一?步|办到哪|审到哪|制证到哪|卡在|审核中|受理中|审批中|公示中|处理中|在审|排到|轮到|"
    r"排(?:在)?第几|第几(?:位|名|号)|候补|分(?:到|在)哪|还剩(?:多少|几)|"
    rf"{_PROCESS}咗未|仲未|未有(?:消息|回覆|回复|结果|信)|"  # Cantonese: 审批咗未, 点解仲未有消息
    rf"{_PROCESS}(?:{_WORD}{{0,3}})了(?:吗|没有?|么)|{_PROCESS}没有?(?:[？?]|$)|"  # 批了吗, 打到卡上了没, 批下来没
    rf"还(?:没有?|未|不)(?:{_WORD}{{0,6}}){_PROCESS}|"  # 还没批下来, 还没给我寄到
    r"(?:没有?|未|不见)(?:消息|动静|下文|结果|回音|信儿?|音信|人联系)|一直(?:显示|是|在|没|不)|迟迟|"
    rf"(?:什么时候|啥时候|多久|哪天)(?:才|能|可以|才能)+{_PROCESS}|"
    r"结果出来了|出来了(?:吗|没)|还没(?:见|好|来|进账|变)|还没有?(?:[？?。!！]|$)|还是没|没见着|"
    r"没有?(?:进账|充值|变化|收到|打到)|查不到|卡住|突然(?:没|停|少|不)|显示(?:未|没|待|处理中|退回|失败|异常)|现在在哪"
)
_OUTCOME = (
    rf"被{_WORD}{{0,6}}(?:拒|驳回|退回|打回|吊销|注销|罚|扣|停|冻结|查封|追回|降|取消|撤销|列入|处罚|盗|冒用|拉黑|"
    r"暂停|异议|否决|调减)|"
    r"(?:不|没有?|未)(?:通过|批准?|给批|予受理|予批准)|没过|拒了|取消了|扣了|少了|少发|停了|停发|打回|调减|"
    r"漏(?:发|交|缴|掉)|多领|多扣|算错|搞错|弄错|弄丢|填错|写错|错了|有问题|欠我|降了|不在(?:参保)?名单|名单上没有|"
    rf"(?:在不在|有没有){_WORD}{{0,20}}名单|少算|多算|少批|只批了?|只发了?|(?:莫|没)得了|"
    r"查出(?:了)?(?:啥|什么)问题|调查核实"
)
_WHY = (
    rf"(?:为什么|为啥|怎么|咋)(?:还|又|会|比|这么|就)|(?:为什么|为啥|怎么|咋){_WORD}{{0,6}}?(?:突然|只|没|不|少|被)|"
    r"(?:怎么|咋)回事|凭什么|什么原因|具体原因|(?:调减|退回|驳回|不通过|拒绝)的?理由|点解|啥子情况"
)
_REQUEST = (
    r"(?:帮|给|替)我(?:查|看|问|催|处理|要|改|核|反映|数|算)|能(?:不能)?帮我|帮忙(?:查|核|看|催|问)|"
    r"(?:谁|哪位|哪个)在(?:跟|办|处理|负责)|(?:哪儿|哪里|哪些|哪)不合格|要补(?:的是)?哪|"
    r"(?:派|安排|分配|指派)(?:来)?的是(?:哪|谁)|"
    r"(?:能不能|可以|麻烦|请)(?:给我)?查(?:一下|查)|核(?:实|对)一?下|核一下|"
    r"你们(?:能|可以|能不能|可不可以)?(?:派|帮|管|处理|通融|催|要)|通融|催(?:一下|一催|办)|加急|申诉|复核一下|"
    r"(?:有|给)个说法|重新评定|具体(?:是)?(?:哪|缺|差)"
)
_STATUS = f"(?:{_PROGRESS}|{_OUTCOME}|{_WHY}|{_REQUEST})"
# One's own case told without 我: something handed in some time ago ("补办了半个多月", "上周交的", "3月份就申请了").
_NUMBER = r"[\d一二三四五六七八九十两半几]{1,4}"
_ELAPSED = (
    rf"(?:都|已经|快|有)(?:{_NUMBER})(?:个)?多?(?:天|周|礼拜|星期|月|工作日)|"
    rf"(?:办|交|申请|提交|寄|报|递交|补办|签)(?:了|上去|完)?(?:都|快)?(?:{_NUMBER})(?:个)?多?(?:天|周|礼拜|星期|月)|"
    r"上(?:周|个月|礼拜|星期)(?:交|办|申请|提交|寄|做)的|\d{1,2}月份?(?:就|已经)?(?:申请|交|办|提交)"
)
# A case's own reference: an application, acceptance, work-order or tracking number.
_CASE_ID = r"(?:申请|受理|业务|工单|办件|运单|快递|邮政)?(?:编号|单号|受理号|流水号)|[A-Za-z]{2,4}\d{6,}"
# Searched apart, each in one pass ("someone … status" in either order as one pattern backtracks over long text);
# the two must not overlap ("能帮我" is a request, not also the asker).
_SOMEONE = re.compile(f"{_OWN}|{_ELAPSED}")
_STATE = re.compile(_STATUS)
_REFERENCE = re.compile(_CASE_ID)
# Progress words and requests for staff that no general question uses.
_UNMISTAKABLE = re.compile(
    r"进度|进展|到哪一?步|办到哪|审到哪|卡在|审核中|受理中|审批中|处理中|你们(?:能|可以|能不能|可不可以)?(?:派|催)"
)
# Words that ask how things go as a rule, for anyone ("这个一般多久能批下来", "被取消的话有没有渐退期"): a broad shape
# beside them tells no case; the model alone decides.
_AS_A_RULE = re.compile(r"一般|通常|的话|如果|万一")
# Below this probability of the model, a broad shape told in a story is not taken for a case (set by leaving out
# each helper file of the model's examples in turn and reading it back; never on the evaluation sets).
SHAPE_FLOOR = 0.3
# A case told without its owner: the model's probability that suffices beside a status phrase, and without one,
# on a message of at least this many characters ("没有啊" reads like a case to a character model and says nothing).
# Set on a tuning set of 240 questions by a writer who saw no code (120 cases, 120 general stories) and the dev
# splits; checked once on a second such set.
OWNERLESS_STATUS_FLOOR = 0.5
OWNERLESS_CASE = 0.75
OWNERLESS_MIN_CHARS = 10


@lru_cache(maxsize=1024)  # one answer asks up to four times (event plan, near tie, scope, router)
def personal_case(question: str) -> bool:
    """ "我的低保申请到哪一步了": the status of one citizen's own case, which only staff can look up."""
    text = unicodedata.normalize("NFKC", question)
    if _REFERENCE.search(text):
        return True
    someone = [m.span() for m in _SOMEONE.finditer(text)]
    if not someone:  # "育儿补贴显示审核通过了，可是钱一直没到账": a case told without naming its owner
        probability = case_probability(text)
        if _STATE.search(text) and not _AS_A_RULE.search(text):
            return probability >= OWNERLESS_STATUS_FLOOR
        return probability >= OWNERLESS_CASE and len(text.strip()) >= OWNERLESS_MIN_CHARS
    if shapes := _case_shapes(text, someone):
        if any(_UNMISTAKABLE.search(shape) for shape in shapes):
            return True
        if not _AS_A_RULE.search(text) and case_probability(text) >= SHAPE_FLOOR:
            return True
    return reads_as_case(text)


def has_case_shape(text: str) -> bool:
    """A case reference, or the asker's own affairs with a status phrase of one of the families above."""
    return bool(_REFERENCE.search(text)) or bool(_case_shapes(text, [m.span() for m in _SOMEONE.finditer(text)]))


def _case_shapes(text: str, someone: list[tuple[int, int]]) -> list[str]:
    """The status phrases of ``text`` apart from the spans where it names the asker (``someone``)."""
    return [
        m.group(0) for m in _STATE.finditer(text) if any(end <= m.start() or start >= m.end() for start, end in someone)
    ]
