"""Life events for the plain-text / voice channel, spoken from their structure one step at a time.

The plan is read as its size and total time, then the first step only (where, how long, at most a few
materials); "想听下一步请回复 1" moves on. Open conditional questions are asked before the steps are read.
"""

from __future__ import annotations

from typing import Any

from actions.event_rendering import applying_steps, offer_buttons, step_payload

NEXT_PROMPT = "想听下一步请回复 1。"
NEXT_TITLE = "下一步"
ASKING_FIRST = "先问您一个问题。"
MAX_SPOKEN_MATERIALS = 3


def spoken_step_line(step: dict[str, Any]) -> str:
    """One step as said aloud: its number and title, where and how long, and its first few materials."""
    parts = [f"第{step['number']}步，{step['title']}"]
    if step.get("where"):
        parts.append(f"在{step['where']}办理")
    if step.get("duration"):
        parts.append(f"需要{step['duration']}")
    materials = step.get("materials") or []
    if materials:
        more = "等" if len(materials) > MAX_SPOKEN_MATERIALS else ""
        parts.append("要带" + "、".join(materials[:MAX_SPOKEN_MATERIALS]) + more)
    return "，".join(parts) + "。"


def spoken_plan(plan: dict[str, Any]) -> str:
    """The plan's size and total time; then the first step, or a note that a question comes first."""
    steps = applying_steps(plan)
    total = f"，{plan['total_time']}" if plan.get("total_time") else ""
    intro = f"{plan.get('title', '')}，一共{len(steps)}步{total}"
    if plan.get("pending"):
        return intro + "。" + ASKING_FIRST
    return intro + "。" + (spoken_step_line(steps[0]) if steps else "")


def plan_options(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """What a digit does after the plan: the next step (the first was read), or the offers when there is none."""
    if plan.get("pending"):
        return []
    steps = applying_steps(plan)
    if len(steps) > 1:
        return [(NEXT_TITLE, step_payload(steps[1]["number"]))]
    return [(b["title"], b["payload"]) for b in offer_buttons(plan.get("offers"))]


def step_heading(answer: dict[str, Any]) -> str:
    step = answer.get("step") or {}
    return f"第{step.get('number')}步，共{step.get('total')}步：{step.get('title', '')}。"


def only_next_step(options: list[tuple[str, str]]) -> bool:
    """The reply offers nothing but the next step, so it ends with :data:`NEXT_PROMPT`."""
    return len(options) == 1 and options[0][1].startswith("/event_step")
