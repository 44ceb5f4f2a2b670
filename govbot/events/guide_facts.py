"""Short facts read from a guide's sections for an event plan: where it is done, how long it takes, what to bring.

Everything is taken from the guide's own text; when a fact cannot be read it is left out, never invented.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WHERE_CHARS = 60
MATERIAL_CHARS = 40
_ITEM = re.compile(r"^\s*(?:\d+[.、．]|[-*])\s*")
_NUMBERED = re.compile(r"^\s*\d+[.、．]\s*")
_PAREN = re.compile(r"（[^（）]*）|\([^()]*\)")
_QUANTITY = re.compile(r"(?:各\s*)?\d+\s*(?:份|张|套|本)|原件及复印件|原件或复印件|原件|复印件")
_CONDITIONAL = re.compile(r"^(?P<cond>[^，,]{2,30}的)[，,]\s*(?:另需|另|须|需)?(?:提供|提交|交回)?(?P<rest>.+)$")
_WHO_PROVIDES = re.compile(r"^(?P<cond>[^，,提]{2,12}?)(?:另需|需)?提供(?P<rest>.+)$")
_FILLER = re.compile(r"或其他[^，、；]*|(?:各\s*)?\d+\s*(?:份|张|套|本)|原件|复印件|件|本人|名下|[、及或的]")
COMMON_REST_CHARS = 12
_INSTANT = re.compile(r"当场|即时|即办|立即")
_WORKDAYS = re.compile(r"(\d+)\s*个?工作日")
_DAYS = re.compile(r"(\d+)\s*(?:日|天)")
# Documents that many guides ask for, under one name each, so a merged list shows each once.
COMMON_DOCUMENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("居民身份证", re.compile(r"身份证")),
    ("居民户口簿", re.compile(r"户口簿|户口本")),
    ("社会保障卡", re.compile(r"社会保障卡|社保卡")),
    ("本人银行卡", re.compile(r"银行卡|借记卡")),
    ("营业执照", re.compile(r"营业执照")),
    ("出生医学证明", re.compile(r"出生医学证明")),
    ("结婚证", re.compile(r"结婚证")),
    ("居住证", re.compile(r"居住证")),
    ("证件照片", re.compile(r"照片")),
)
PROXY = "授权委托书（委托他人办理的）"
_PROXY = re.compile(r"委托|代办|代理")


@dataclass(frozen=True)
class Duration:
    """How long a guide takes: the words shown and, when they say it, the working days (0 = on the spot)."""

    text: str
    days: int | None


@dataclass(frozen=True)
class Material:
    """One document to bring: ``key`` merges the same document across guides; ``condition`` when only some need it."""

    key: str
    condition: str | None = None

    @property
    def name(self) -> str:
        return f"{self.key}（{self.condition}）" if self.condition else self.key


def _clauses(text: str) -> list[str]:
    return [c.strip(" -") for c in re.split(r"[；;。\n]", text) if c.strip(" -")]


def duration_of(text: str) -> Duration | None:
    """The duration a 办理时限 section promises: 示例市's promise when it states one, else its first clause."""
    clauses = _clauses(text)
    if not clauses:
        return None
    promised = next((c for c in clauses if "承诺" in c), None)
    clause = promised[promised.index("承诺") :] if promised else clauses[0]
    instant = _INSTANT.search(clause)
    number = _WORKDAYS.search(clause) or _DAYS.search(clause)
    if instant and (number is None or instant.start() < number.start()):
        return Duration("当场办结", 0)
    if number is not None:
        unit = "个工作日" if number.re is _WORKDAYS else "日"
        return Duration(f"{number.group(1)} {unit}", int(number.group(1)))
    return Duration(clause[:WHERE_CHARS], None)


def where_of(text: str) -> str | None:
    """The first place a 办理地点 section names, without its opening hours."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    place = _ITEM.sub("", first)
    place = re.split(r"[；;]|[，,]\s*周", place)[0].strip(" 。；;")
    if not place:
        return None
    return place if len(place) <= WHERE_CHARS else place[: WHERE_CHARS - 1] + "…"


def _material(part: str) -> list[Material]:
    """The materials one list item (or one of its ``；`` parts) asks for."""
    part = _PAREN.sub("", part).strip(" 。；;：:")
    if not part or "无需" in part or "免于提交" in part or "免交" in part:
        return []
    condition = None
    if match := _CONDITIONAL.match(part) or _WHO_PROVIDES.match(part):
        condition, part = match.group("cond"), match.group("rest")
    if _PROXY.search(condition or "") or "委托书" in part:
        return [Material(PROXY)]
    head, colon, _ = part.partition("：")
    if colon and head.endswith("的"):  # "居住在境外的：…" lists a special case, not a document
        return []
    head = (head if len(head) <= 15 else part).split("，")[0]
    found = [name for name, pattern in COMMON_DOCUMENTS if pattern.search(head)]
    rest = _FILLER.sub("", head)
    for _, pattern in COMMON_DOCUMENTS:
        rest = pattern.sub("", rest)
    # "父母双方居民身份证原件" is the ID card; "…的任职文件及身份证件" is not
    if found and len(rest) <= COMMON_REST_CHARS:
        key = "或".join(found) if "或" in head and len(found) > 1 else None
        return [Material(key, condition)] if key else [Material(name, condition) for name in found]
    name = _QUANTITY.sub("", head).strip(" ，,、。")
    name = re.sub(r"^(?:本人|经办人|提供)", "", name)
    if not name:
        return []
    name = name if len(name) <= MATERIAL_CHARS else name[: MATERIAL_CHARS - 1] + "…"
    return [Material(name, condition)]


def materials_of(text: str) -> list[Material]:
    """The materials a 申请材料 section lists (numbered items only; sub-items and notes are left out)."""
    materials: list[Material] = []
    for line in text.splitlines():
        if not _NUMBERED.match(line):
            continue
        item = _PAREN.sub("", _NUMBERED.sub("", line))
        parts = [item] if "：" in item.split("；")[0] else re.split(r"[；;]", item)  # "股东主体资格证明：…；…" is one
        for part in parts:
            for material in _material(part):
                if material not in materials:
                    materials.append(material)
    return materials
