"""Which step of an event a message asks for: "第2步", "第二步", "下一步", "上一步", or a button's number."""

from __future__ import annotations

import re
import unicodedata

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ORDINAL = re.compile(r"第\s*([0-9]{1,2}|[零一二两三四五六七八九十]{1,3})\s*[步项个]")
_PREVIOUS = re.compile(r"上一步|前一步|返回")
NEXT = "next"
PREVIOUS = "previous"


def chinese_number(text: str) -> int | None:
    """A number from 1 to 99 written in digits or Chinese numerals ("12", "十二", "二十一")."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if (tens and tens not in _DIGITS) or (ones and ones not in _DIGITS):
            return None
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    return _DIGITS.get(text) if len(text) == 1 else None


def requested_step(text: str, entity: str | None) -> int | str:
    """A step number, or :data:`NEXT` / :data:`PREVIOUS` for relative moves (anything else means the next)."""
    if entity and str(entity).strip().isdigit():
        return int(str(entity).strip())
    normalised = unicodedata.normalize("NFKC", text)
    match = _ORDINAL.search(normalised)
    if match:
        number = chinese_number(match.group(1))
        if number:
            return number
    return PREVIOUS if _PREVIOUS.search(normalised) else NEXT
