"""Which section of a document a question asks about ("要带什么" → 申请材料, "多少钱" → 收费标准, …)."""

from __future__ import annotations

import re

# Ordered: the first section whose cue matches wins. Each entry lists the sections to try, in order,
# so a policy (which has no 收费标准) can answer "多少钱" from 支持内容.
SECTION_CUES: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    (
        ("申请材料", "申请方式"),  # a policy lists what to bring under how to apply
        re.compile(r"材料|资料|带什么|带啥|带哪些|证件|证明|复印件|照片|准备什么|准备啥|要交什么|提交什么|要些啥"),
    ),
    (
        ("收费标准", "支持内容"),
        re.compile(
            r"多少钱|费用|收费|收不收|要钱|花钱|免费|工本费|几块|价格|交多少|补贴多少|补多少|领多少|标准是|金额|多少补贴"
        ),
    ),
    (("办理地点",), re.compile(r"在哪|哪里办|哪儿办|去哪|地址|地点|窗口|哪个部门|什么地方|到哪")),
    (
        ("办理时限", "办理时间"),
        re.compile(r"多久|几天|多长时间|时限|多少天|什么时候能|多快|要等|几个工作日|啥时候"),
    ),
    (
        ("办理条件", "申请条件", "适用对象"),
        re.compile(r"条件|资格|符合|能不能办|能办吗|可以办吗|谁可以|哪些人|够不够|要求"),
    ),
    (("咨询电话",), re.compile(r"电话|热线|联系|咨询|号码|打给")),
    (("政策依据",), re.compile(r"依据|法规|文件|规定|哪条|哪部法")),  # not 法律: 法律援助 is a service
    (
        ("办理流程", "申请方式"),
        re.compile(
            r"流程|步骤|怎么办|咋办|如何办|手续|程序|怎么申请|怎么弄|网上|线上|APP|app|预约|办理方式|申请方式"
            r"|怎么(?:补|换|领|取|提取|开|交|转|认证|登记|报)|咋(?:补|换|领|取|弄)|如何(?:申请|办理|领取)"
        ),
    ),
)


def cued_sections(question: str) -> tuple[str, ...]:
    """The sections the question asks about, most specific first; empty when it names none."""
    for sections, pattern in SECTION_CUES:
        if pattern.search(question):
            return sections
    return ()


def strip_cues(question: str) -> str:
    """The question without its section words, to see whether it also names a service."""
    for _, pattern in SECTION_CUES:
        question = pattern.sub("", question)
    return re.sub(r"[那么呢吗啊呀的要需要请问还？?，,。！!\s]", "", question)
