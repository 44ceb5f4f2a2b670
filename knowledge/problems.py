"""A located problem in a knowledge document."""

from __future__ import annotations

import reprlib
from dataclasses import asdict, dataclass
from typing import Any

QUOTE_LIMIT = 80
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 2, 5, 5, QUOTE_LIMIT, QUOTE_LIMIT


def quoted(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """A value as quoted in a message: its repr, cut to ``limit`` characters (nested values are elided)."""
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is and what is wrong."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


class DocumentError(ValueError):
    """Raised when a document cannot be parsed or is invalid; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))
