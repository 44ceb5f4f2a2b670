"""The source of a knowledge answer: the citation fields and the line that ends every answer."""

from __future__ import annotations

from typing import Any


def source_line(record: dict[str, Any]) -> str:
    """``来源：《标题》，部门，自 … 起施行，更新于 …，链接`` for a document record."""
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


def source_of(record: dict[str, Any]) -> dict[str, Any]:
    """The citation of a document record as structure, with its one-line ``text``."""
    return {
        "title": record["title"],
        "department": record.get("department"),
        "effective_date": record.get("effective_date"),
        "updated": record.get("updated"),
        "url": record.get("source_url"),
        "text": source_line(record),
    }
