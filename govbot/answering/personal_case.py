"""Personal cases: questions about the asker's own application, payment or record, which only staff can look up.

A question is a personal case when it speaks of the asker's own affairs (first person: 我, 俺, 咱, 本人; or
the asker's family or company: 我妈, 老伴, 我们公司) and at the same time of one of:

* the **progress** of a case: 进度, 到哪一步, 审核中, 卡在…, 批了吗, 到账了没, 还没下来, 一直显示…;
* an **outcome or action taken** on it: 被拒, 被驳回, 被吊销, 被追回, 停发, 没通过, 少发, 算错;
* a **why** about something that happened to it: 为什么没发, 怎么只有, 怎么比别人少, 凭什么;
* a **request that staff act**: 帮我查, 给我催一下, 你们能派人来吗, 通融一下.

Each family lists the general shape of such phrases (verbs of processing combined with 了/没/还没/吗), not
individual questions. How-to questions in the first person ("我的身份证快过期了怎么换", "我想办低保要什么材料")
name no case status and are answered from the guides.
"""

from __future__ import annotations

import re
import unicodedata

# The asker's own affairs: first person, possibly possessive or plural (我们公司, 咱家, 本人的), or the family's
# named without it ("老伴的养老金这个月咋没到账").
_OWN = r"(?:我|俺|咱|本人|老伴|老公|老婆|媳妇|爱人|孩子|儿子|女儿|闺女|老爸|老妈|父亲|母亲|爸|妈)"
# Characters within one clause (after NFKC, whose punctuation is ASCII).
_WORD = r"[^，。？！；,.?!;\s]"
# What a case goes through: submitted, reviewed, approved, paid, mailed, issued.
_PROCESS = (
    r"(?:(?:批|审|核|办|发(?!票)|寄)(?:完|好|下来|出来|出去)|批|审|核|受理|通过|下来|到账|发(?!票)|寄|退(?:款|费|回)|"
    r"出结果|处理|答复|回复|拿到|领到|收到)"
)
_PROGRESS = (
    r"进度|进展|到哪一?步|办到哪|审到哪|卡在|审核中|受理中|审批中|公示中|在审|排到|轮到|"
    rf"{_PROCESS}了(?:吗|没有?|么)|{_PROCESS}没有?(?:[？?]|$)|"  # 批了吗, 到账了没, 批下来没
    rf"还(?:没有?|未|不)(?:{_WORD}{{0,6}}){_PROCESS}|"  # 还没批下来, 还没给我寄到
    r"(?:没有?|未|不见)(?:消息|动静|下文|结果|回音|信儿?|音信|人联系)|一直(?:显示|是|在|没|不)|迟迟|"
    rf"(?:什么时候|啥时候|多久|哪天)(?:才|能|可以|才能)+{_PROCESS}"
)
_OUTCOME = (
    rf"被{_WORD}{{0,6}}(?:拒|驳回|退回|吊销|注销|罚|扣|停|冻结|查封|追回|降|取消|撤销|列入|处罚|盗|冒用|拉黑|暂停|"
    r"异议|否决)|"
    r"(?:不|没有?|未)(?:通过|批准?|给批|予受理|予批准)|没过|拒了|取消了|扣了|少了|少发|"
    r"漏发|多扣|算错|搞错|弄错|填错|写错|错了|有问题|欠我"
)
_WHY = (
    rf"(?:为什么|为啥|怎么|咋)(?:还|又|会|比|这么)|(?:为什么|为啥|怎么|咋){_WORD}{{0,6}}?(?:突然|只|没|不|少|被)|"
    r"怎么回事|凭什么|什么原因|具体原因"
)
_REQUEST = (
    r"(?:帮|给|替)我(?:查|看|问|催|处理|要|改|核|反映)|能(?:不能)?帮我|"
    r"你们(?:能|可以|能不能|可不可以)?(?:派|帮|管|处理|通融|催|要)|通融|催(?:一下|一催|办)|加急|申诉|复核一下"
)
_STATUS = f"(?:{_PROGRESS}|{_OUTCOME}|{_WHY}|{_REQUEST})"
PERSONAL_CASE = re.compile(rf"{_OWN}.*{_STATUS}|{_STATUS}.*{_OWN}")


def personal_case(question: str) -> bool:
    """ "我的低保申请到哪一步了": the status of one citizen's own case, which only staff can look up."""
    return bool(PERSONAL_CASE.search(unicodedata.normalize("NFKC", question)))
