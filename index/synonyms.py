"""Words that name the same thing ("遗失" and "丢失", "车管所" and "车辆管理所"), from ``synonyms.txt``: a question's
term is held by a guide that uses another word of its group."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")


@lru_cache(maxsize=1)
def _groups() -> tuple[tuple[str, ...], ...]:
    lines = SYNONYMS_FILE.read_text("utf-8").splitlines()
    return tuple(tuple(line.split()) for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=20_000)
def variants(word: str) -> tuple[str, ...]:
    """``word`` with one of its synonym-group members replaced by each other member (the word itself excluded)."""
    found: list[str] = []
    for group in _groups():
        for member in group:
            if member in word:
                found += [word.replace(member, other) for other in group if other != member]
    return tuple(dict.fromkeys(v for v in found if v != word))
