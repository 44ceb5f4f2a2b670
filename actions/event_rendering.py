"""Life-event messages built from the knowledge service's plan and step structures.

Each message is a dict for ``dispatcher.utter_message``: a readable ``text`` with its buttons, and the structure
itself as the custom payload (``json_message``) with ``type``/``kind`` ``event``, ``event_question`` or
``event_step``; channels render from the payload.
"""

from __future__ import annotations

import json
from typing import Any

from actions.rendering import FEEDBACK_BUTTONS, choice_payload

YES_NO_SKIP = [
    {"title": "是", "payload": "/affirm"},
    {"title": "否", "payload": "/deny"},
    {"title": "跳过", "payload": "/skip_question"},
]
POLICY_MATCH_TITLE = "看看能享受哪些政策"
SUBSCRIBE_TITLE = "订阅相关政策更新"
MATERIALS_HEADING = "所需材料（多个步骤都要的只需准备一份）："
LAST_STEP = "这已经是最后一步了。"
FIRST_STEP = "这已经是第一步了。"
DEPENDS = "视情况"
TO_CONFIRM = "待确认"


def step_payload(number: int) -> str:
    """The intent payload that shows one step of the current event."""
    return "/event_step" + json.dumps({"step_number": str(number)})


def offer_buttons(offers: dict[str, Any] | None) -> list[dict[str, str]]:
    """Policy matching for the new situation and a subscription, when the event offers them."""
    offers = offers or {}
    buttons = []
    if offers.get("policy_match"):
        audience = json.dumps({"audience": offers["policy_match"]}, ensure_ascii=False)
        buttons.append({"title": POLICY_MATCH_TITLE, "payload": "/request_policy_match" + audience})
    if offers.get("subscription_topics"):
        buttons.append({"title": SUBSCRIBE_TITLE, "payload": "/subscribe_policy"})
    return buttons


def applying_steps(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in plan.get("steps") or [] if step.get("applies", True)]


def step_note(step: dict[str, Any], plan: dict[str, Any], conditions: dict[str, Any]) -> str | None:
    """How a conditional step stands: still to be asked ("待确认：…"), skipped ("视情况：…") or settled (none)."""
    if not step.get("condition"):
        return None
    pending = {p["number"] for p in plan.get("pending") or []}
    if step["number"] in pending:
        return f"{TO_CONFIRM}：{step['condition']}"
    if conditions.get(str(step["number"])) is None:
        return f"{DEPENDS}：{step['condition']}"
    return None


def step_line(step: dict[str, Any], note: str | None) -> str:
    """One line per step: number, title, where and how long."""
    details = "，".join(part for part in (step.get("where"), step.get("duration")) if part)
    line = f"{step['number']}. {step['title']}" + (f" — {details}" if details else "")
    return line + (f"（{note}）" if note else "")


def plan_text(plan: dict[str, Any], conditions: dict[str, Any]) -> str:
    """The whole plan as plain text: steps in order, the merged materials, the total time and the source."""
    steps = applying_steps(plan)
    lines = [f"【{plan['title']}】共 {len(steps)} 步" + (f"，{plan['total_time']}" if plan.get("total_time") else "")]
    if plan.get("summary"):
        lines.append(plan["summary"])
    lines += [step_line(step, step_note(step, plan, conditions)) for step in steps]
    materials = plan.get("materials") or []
    if materials:
        lines.append(MATERIALS_HEADING)
        for material in materials:
            used = "、".join(str(n) for n in material.get("steps") or [])
            lines.append(f"· {material['name']}" + (f"（第{used}步）" if used else ""))
    if plan.get("total_time"):
        lines.append(f"合计用时：{plan['total_time']}")
    if plan.get("source"):
        lines.append(plan["source"].get("text") or "")
    return "\n".join(line for line in lines if line)


def plan_message(plan: dict[str, Any], conditions: dict[str, Any]) -> dict[str, Any]:
    """The plan; when nothing is left to ask it offers the first step, policy matching and a subscription."""
    buttons: list[dict[str, str]] = []
    steps = applying_steps(plan)
    if not plan.get("pending"):
        if steps:
            buttons.append({"title": f"从第{steps[0]['number']}步开始", "payload": step_payload(steps[0]["number"])})
        buttons += offer_buttons(plan.get("offers"))
    payload = {"type": "event", "kind": "event", **plan, "conditions": conditions}
    return {"text": plan_text(plan, conditions), "buttons": buttons, "json_message": payload}


def question_message(plan: dict[str, Any], pending: dict[str, Any]) -> dict[str, Any]:
    """One short yes/no question about a conditional step, which can be skipped."""
    payload = {
        "type": "event_question",
        "kind": "event_question",
        "event_id": plan["event_id"],
        "number": pending["number"],
        "ask": pending["ask"],
        "condition": pending.get("condition"),
    }
    return {"text": pending["ask"], "buttons": list(YES_NO_SKIP), "json_message": payload}


def step_message(
    answer: dict[str, Any], event_id: str, next_step: int | None, offers: dict[str, Any] | None
) -> dict[str, Any]:
    """A step's guide passage, headed by the step; then the next step, or the offers after the last one."""
    step = answer["step"]
    head = f"第{step['number']}步（共{step['total']}步）：{step['title']}"
    if step.get("condition"):
        head += f"（{step['condition']}）"
    lines = [head] + ([step["notes"]] if step.get("notes") else []) + [answer.get("text") or ""]
    sections = [{"title": s, "payload": choice_payload(answer["doc_id"], s)} for s in answer.get("sections") or []]
    onward = (
        [{"title": f"下一步：第{next_step}步", "payload": step_payload(next_step)}]
        if next_step
        else offer_buttons(offers)
    )
    payload = {
        "type": "event_step",
        "kind": "event_step",
        **answer,
        "event_id": event_id,
        "next_step": next_step,
        "offers": offers or {},
    }
    return {"text": "\n".join(lines), "buttons": onward + sections + FEEDBACK_BUTTONS, "json_message": payload}
