"""Whether a question asks for a whole plan ("都要办啥", "一步步怎么走") or for one fact of one service
("上户口要带哪些材料", "在哪个窗口办"): the wording that tells a life event from a single service."""

from __future__ import annotations

import re

from govbot.answering.section_cues import cued_sections

# Asking for everything a situation needs: several things, in order, from the start.
WHOLE_PLAN = re.compile(
    r"办(?:哪些|哪|啥|什么|些什么|些啥|点什么|点啥|几样|几件)|做(?:哪些|啥|什么|些什么)|弄(?:哪些|啥|些啥)"
    r"|哪些(?:手续|事|流程|部门|地方|证(?!件|明)|东西|登记)|(?:啥|什么)(?:手续|证(?!件|明)|事)|要跑|跑哪|流程|步骤|一步步|一条龙"
    r"|全套|一套|整套|整个|整体|从头|从零|前前后后|前后|先办|接下来|咋整|咋弄|怎么弄|该咋|该怎么"
    r"|什么要办|啥要办|要准备(?:些)?(?:啥|什么|哪些)(?!材料|资料|证件)|哪些该办|收尾|一起(?:办|弄)|一条条|按顺序"
    r"|先后|从哪(?:开始|下手)|都(?:要|得|需要)(?:去)?(?:办|弄)|一次性(?:告诉|说|讲|办)|要办的|(?:都|全)给.{0,2}说"
)
# The sections that name one fact of a service; 办理流程 ("怎么办", "手续") is also how a plan is asked for.
PROCESS_SECTIONS = ("办理流程", "申请方式")
# A yes/no question is one fact, unless it asks for a plan ("还有啥要办的不").
YES_NO = re.compile(r"(?:吗|嘛|不|没|没有)[？?。！!\s]*$")
# One fact no section cue names: whether, a count, a date, a rate or how an amount is reckoned.
ONE_FACT = re.compile(
    r"能不能|可不可以|是不是|要不要|用不用|有没有|会不会|多少|几(?:年|个月|月|天|次|号|岁|块|成|折)|什么时候|哪天|比例|怎么算|咋算|标准"
)


def wants_whole_plan(question: str) -> bool:
    """The question asks for everything to do, not one fact."""
    return bool(WHOLE_PLAN.search(question))


def asks_one_fact(question: str) -> bool:
    """The question asks one fact (materials, fee, place, time limit, eligibility, …) and not a whole plan."""
    if wants_whole_plan(question):
        return False
    sections = cued_sections(question)
    one_fact = (bool(sections) and sections != PROCESS_SECTIONS) or ONE_FACT.search(question)
    return bool(one_fact or YES_NO.search(question))
