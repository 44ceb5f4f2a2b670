"""The city's service catalogue (政务服务事项目录): every public service by name, with or without a guide.

``service_catalogue.tsv`` lists one service per line: its name, the everyday names citizens use for it
(separated by ``；``) and its department; ``#`` lines are comments. The assistant reads it to know a service by
name when the knowledge base holds no guide for it ("公租房", "残保金"), so it can say so instead of answering
from a neighbour (see :mod:`govbot.answering.answerability`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CATALOGUE = Path(__file__).with_name("service_catalogue.tsv")
ALIAS_SEPARATOR = "；"
MIN_NAME_CHARS = 2
FIELDS = ("name", "aliases", "department")


@dataclass(frozen=True)
class CatalogueEntry:
    """One service: its official name, its everyday names and the department that provides it."""

    name: str
    aliases: tuple[str, ...]
    department: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class CatalogueError(ValueError):
    """The catalogue file cannot be read: the message says where, in Chinese."""


def load_catalogue(path: Path = DEFAULT_CATALOGUE) -> tuple[CatalogueEntry, ...]:
    """The catalogue's entries; an unreadable file, a malformed line, a name shorter than two characters or a
    name listed twice raises :class:`CatalogueError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{path.name}：无法读取服务目录（文件不存在或不是 UTF-8 文本）") from error
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != FIELDS:
        raise CatalogueError(f"{path.name}：第一行应为表头 {' '.join(FIELDS)}")
    entries: list[CatalogueEntry] = []
    seen: dict[str, str] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(FIELDS):
            raise CatalogueError(f"{path.name} 第 {number} 条：应有 {len(FIELDS)} 列，实有 {len(row)} 列")
        name, aliases, department = (cell.strip() for cell in row)
        entry = CatalogueEntry(name, tuple(a.strip() for a in aliases.split(ALIAS_SEPARATOR) if a.strip()), department)
        for word in entry.names:
            if len(word) < MIN_NAME_CHARS:
                raise CatalogueError(f"{path.name} 第 {number} 条：名称「{word}」过短")
            if word in seen:
                raise CatalogueError(f"{path.name} 第 {number} 条：名称「{word}」已用于「{seen[word]}」")
            seen[word] = name
        entries.append(entry)
    return tuple(entries)
