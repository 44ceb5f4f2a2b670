"""Write the policy-matching result for the citizen: ranked matches with reasons and next steps, near misses."""

from __future__ import annotations

import re
from typing import Any

from govbot.answering.citation import source_line
from govbot.matching.matcher import PolicyMatch

MAX_LISTED = 6
NEXT_STEP_SECTIONS = ("申请方式", "办理流程", "申请流程", "办理方式")


def next_step(record: dict[str, Any]) -> str:
    """The first sentence of how to apply."""
    for section in record.get("sections", []):
        if section["heading"] in NEXT_STEP_SECTIONS and section["text"].strip():
            text = re.sub(r"^\s*(\d+[.、．]|[-*])\s*", "", section["text"].strip())
            first = re.split(r"(?<=[。；])", text.replace("\n", ""), maxsplit=1)[0]
            return first.rstrip("；")
    return "详情请拨打 12345 咨询。"


def compose(
    matches: list[PolicyMatch], near: list[PolicyMatch], records: dict[str, dict[str, Any]], short: bool = False
) -> str:
    """Full text for the web chat; ``short`` gives the numbered, link-free version for the voice channel."""
    if not matches and not near:
        return (
            "根据您提供的情况，暂时没有找到明确适用的政策。您可以拨打 12345 咨询，或回复“有新政策告诉我”订阅政策通知。"
        )
    lines = []
    if matches:
        lines.append(f"根据您提供的情况，为您找到 {len(matches)} 项可能适用的政策：")
        for rank, match in enumerate(matches[:MAX_LISTED], start=1):
            record = records[match.doc_id]
            why = "，".join(match.reasons[:2]) or "面向您这类申请人"
            if short:
                lines.append(f"{rank}. {match.title}：{why}。")
                continue
            check = f"（还需核实：{'、'.join(match.to_check)}）" if match.to_check else ""
            lines.append(f"{rank}. {match.title}——{why}{check}。下一步：{next_step(record)}")
    if near:
        names = "；".join(f"{m.title}（还差：{'、'.join(m.missing)}）" for m in near[:3])
        lines.append(f"差一点符合：{names}。")
    if not short:
        cited = [records[m.doc_id] for m in matches[:MAX_LISTED]]
        lines.extend(source_line(record) for record in cited)
    return "\n".join(lines)
