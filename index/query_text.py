"""Clean citizens' query text before it is searched."""

from __future__ import annotations

import re
import unicodedata

from index.colloquial import standard_words
from index.normalize import to_simplified

MAX_QUERY_CHARS = 256
_CONTROL = re.compile(r"[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202f\ufeff]")
_SPACE = re.compile(r"\s+")


class QueryError(ValueError):
    """The query cannot be searched; the message says why, in plain words."""


def has_searchable_text(text: str) -> bool:
    """True when the text holds at least one letter or digit (CJK counts; emoji and symbols do not)."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in text)


def clean_query(text: str, max_chars: int = MAX_QUERY_CHARS) -> str:
    """Normalise to Simplified script (width, variants, Traditional and regional spellings: see
    :mod:`index.normalize`) and standard words (咋 → 怎么: :mod:`index.colloquial`), drop control characters,
    collapse spaces and cut overly long input.

    Raises :class:`QueryError` for an empty query. A query without letters or digits (only emoji or
    punctuation) comes back as an empty string: there is nothing to search for.
    """
    if text is None or not str(text).strip():
        raise QueryError("查询内容为空，请输入您要咨询的问题。")
    cleaned = standard_words(to_simplified(_CONTROL.sub(" ", str(text)[: max_chars * 4])))
    cleaned = _SPACE.sub(" ", cleaned).strip()
    if not has_searchable_text(cleaned):
        return ""
    return cleaned[:max_chars]
