"""Shared pieces of the importers: the imported draft and how it becomes a document."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from knowledge.schema import GUIDE_SECTIONS

DEFAULT_DEPARTMENT = "示例市政务服务管理办公室"
DEFAULT_REGION = "示例市"
_NUMBERED_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|\d+[、.．]|（[一二三四五六七八九十]+）)?\s*")


class ImportFailure(ValueError):
    """A file could not be imported; the message says why."""


@dataclass
class Draft:
    """An imported document before it is written: front matter and Markdown body."""

    id: str
    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""


def base_meta(doc_id: str, title: str, doc_type: str) -> dict[str, Any]:
    """Front matter with the defaults staff fill in later."""
    return {
        "id": doc_id,
        "type": doc_type,
        "title": title,
        "department": DEFAULT_DEPARTMENT,
        "region": DEFAULT_REGION,
        "audience": ["个人"],
        "updated": dt.date.today().isoformat(),
    }


def promote_guide_headings(text: str) -> str:
    """Turn lines that name a standard guide section (e.g. '一、申请材料：') into '## 申请材料' headings."""
    out = []
    for line in text.splitlines():
        stripped = _NUMBERED_HEADING.sub("", line).strip().rstrip(":：")
        out.append(f"## {stripped}" if stripped in GUIDE_SECTIONS and not line.startswith("#") else line)
    return "\n".join(out)
