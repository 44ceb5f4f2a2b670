"""The source line that ends every knowledge answer."""

from __future__ import annotations

from typing import Any


def source_line(record: dict[str, Any]) -> str:
    """``来源：《标题》，部门，生效日期 …／更新于 …，链接`` for a document record."""
    parts = [f"《{record['title']}》"]
    if record.get("department"):
        parts.append(record["department"])
    dates = []
    if record.get("effective_date"):
        dates.append(f"自 {record['effective_date']} 起施行")
    if record.get("updated"):
        dates.append(f"更新于 {record['updated']}")
    if dates:
        parts.append("，".join(dates))
    line = "来源：" + "，".join(parts)
    return f"{line}，{record['source_url']}" if record.get("source_url") else line
