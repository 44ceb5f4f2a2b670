"""Homophone typos in queries: a word typed with a pinyin input method, one character picked wrong.

The commonest typo of a citizen who types by pinyin is the right syllable with the wrong character: 低宝 or 低报
for 低保, 落护 for 落户, 社宝卡 for 社保卡, 电化 for 电话, 居住正 for 居住证. Such a word misses every lexical
match and weakens the dense one, so the question is declined or answered from a neighbour.

:class:`Speller` rewrites a span of two to four Chinese characters as a word of the knowledge base when

* the word is one of the knowledge base's own terms (its documents' titles, aliases and keywords, the government
  dictionary), not any word of its text (主要, 包装), and the span is no word of the knowledge base; a span
  that is a word of the language (执业, 报装) is corrected only to a whole term (优待证), never to a part of one
  (职业 of 职业培训补贴): a real word typed is likelier meant than a homophone typo;
* the character replaced lies in no word of the knowledge base or protected name (the city's service names:
  残保金 is not 参保金) written correctly in the query, and is no particle or negation (吗, 不);
* exactly one character differs, and the one typed has, as its usual toneless reading (what the input method
  was given), the reading of the word's character in the word (落户 luo hu, so 落护) or on its own;
* the text around it becomes much likelier under jieba's word frequencies (:data:`MIN_GAIN`, a noisy channel with
  a unigram language model): "低宝的" gains, "我是外地户口" does not become "我市外地户口", nor 老伴 老板.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from pypinyin import Style, pinyin

_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,4}")
SPAN_LENGTHS = (4, 3, 2)  # longest first: 社宝卡 → 社保卡 before a shorter span could claim 宝
WILDCARD = "?"
CONTEXT_CHARS = 4  # characters either side that the language model reads with a span
MIN_GAIN = 5.0  # natural-log gain in likelihood a correction must bring (the price of assuming a typo)
_LEFT = re.compile(rf"[\u4e00-\u9fff]{{0,{CONTEXT_CHARS}}}$")
_RIGHT = re.compile(rf"[\u4e00-\u9fff]{{0,{CONTEXT_CHARS}}}")
_STEADY = frozenset("不没别吗呢吧啊嘛呀了的得着过")  # grammar, not content: "作数吗" is not 作数码


@lru_cache(maxsize=20000)
def reading(char: str) -> str:
    """The usual toneless pinyin of one Chinese character, as an input method offers it."""
    return pinyin(char, style=Style.NORMAL)[0][0]


@lru_cache(maxsize=20000)
def word_readings(word: str) -> tuple[frozenset[str], ...]:
    """Per character of ``word``: its toneless reading in the word and its usual one (行 of 银行: hang, xing)."""
    said = pinyin(word, style=Style.NORMAL)
    return tuple(frozenset((spoken[0], reading(char))) for spoken, char in zip(said, word, strict=True))


class Speller:
    """Corrects homophone typos towards the words of one knowledge-base version."""

    def __init__(
        self,
        terms: Iterable[str],
        words: Iterable[str],
        plausibility: Callable[[str], float],
        protected: Iterable[str] = (),
        parts: Iterable[str] = (),
        is_word: Callable[[str], bool] = lambda _: False,
    ):
        """``terms``: the knowledge base's own terms, which a typo is corrected to; ``parts``: words of those
        terms, which a span that is no word of the language (``is_word``) is also corrected to; ``words``: every
        other word of its text (only two to four Chinese characters count); ``plausibility``: the log-probability
        of a text under a language model (jieba's word frequencies); ``protected``: names always left as written,
        of any length (the city's services, with or without a guide)."""
        self._whole = {w for w in terms if _CJK_WORD.fullmatch(w)}
        targets = self._whole | {w for w in parts if _CJK_WORD.fullmatch(w)}
        self._is_word = is_word
        self._words = targets | {w for w in words if _CJK_WORD.fullmatch(w)}
        names = sorted({n for n in protected if n}, key=len, reverse=True)
        self._protected = re.compile("|".join(map(re.escape, names)), re.IGNORECASE) if names else None
        self._plausibility = plausibility
        self._by_pattern: dict[str, list[str]] = {}
        for word in sorted(targets):
            for i in range(len(word)):
                self._by_pattern.setdefault(word[:i] + WILDCARD + word[i + 1 :], []).append(word)

    def correct(self, text: str) -> str:
        """``text`` with each homophone typo replaced by the knowledge base's term (unchanged when none)."""
        chars = list(text)
        fixed = self._known_positions(text)
        for size in SPAN_LENGTHS:
            for start in range(len(chars) - size + 1):
                span = "".join(chars[start : start + size])
                if not _CJK_WORD.fullmatch(span) or span in self._words:
                    continue
                candidates = self._candidates(span, fixed[start : start + size])
                if candidates and (best := self._likeliest(chars, start, size, candidates)) is not None:
                    chars[start : start + size] = list(best)
                    fixed[start : start + size] = [True] * size
        return "".join(chars)

    def _known_positions(self, text: str) -> list[bool]:
        """Which characters of ``text`` must stay: particles, and those of a word of the knowledge base or a
        protected name written correctly."""
        known = [char in _STEADY for char in text]
        for size in SPAN_LENGTHS:
            for start in range(len(text) - size + 1):
                if text[start : start + size] in self._words:
                    known[start : start + size] = [True] * size
        if self._protected is not None:
            for match in self._protected.finditer(text):
                known[match.start() : match.end()] = [True] * (match.end() - match.start())
        return known

    def _candidates(self, span: str, fixed: list[bool]) -> list[str]:
        """The terms one homophone away from ``span`` that change none of its fixed characters."""
        found = []
        whole_only = self._is_word(span)
        for i, char in enumerate(span):
            if fixed[i]:
                continue
            for word in self._by_pattern.get(span[:i] + WILDCARD + span[i + 1 :], ()):
                if whole_only and word not in self._whole:
                    continue
                if reading(char) in word_readings(word)[i]:
                    found.append(word)
        return found

    def _likeliest(self, chars: list[str], start: int, size: int, candidates: list[str]) -> str | None:
        """The candidate that makes the text around the span likeliest, if it gains at least :data:`MIN_GAIN`."""
        left, right = _context(
            "".join(chars[max(0, start - CONTEXT_CHARS) : start]),
            "".join(chars[start + size : start + size + CONTEXT_CHARS]),
        )
        before = self._plausibility(left + "".join(chars[start : start + size]) + right)
        best, gain = None, MIN_GAIN
        for word in candidates:
            if (delta := self._plausibility(left + word + right) - before) >= gain:
                best, gain = word, delta
        return best


def _context(before: str, after: str) -> tuple[str, str]:
    """The Chinese characters of ``before`` and ``after`` (a few either side of a span) within the span's run."""
    left = _LEFT.search(before)
    right = _RIGHT.match(after)
    return (left.group(0) if left else ""), (right.group(0) if right else "")
