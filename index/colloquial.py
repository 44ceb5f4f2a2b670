"""Everyday and dialect words of questions, in the standard Mandarin the documents are written in.

Elderly and northern citizens ask "俺闺女的娃咋上户口，要带啥" for "我女儿的孩子怎么上户口，要带什么". The
dialect words carry no meaning of their own that the standard ones lack, but they weaken both lexical matching
(no document says 咋) and the embedding of the question. Only function words and kinship words are replaced,
never a word that could name a service; replacements are whole words of standard Mandarin, so applying the
mapping twice changes nothing.
"""

from __future__ import annotations

import re

# Longest first where one contains another (咋整 before 咋, 啥时候 before 啥).
STANDARD_WORDS = {
    "俺们": "我们",
    "俺家": "我家",
    "俺": "我",
    "咋整": "咋整",  # "what to do (about it all)": a plan cue of its own, left as said
    "咋弄": "咋弄",
    "咋办": "怎么办",
    "咋": "怎么",
    "啥子": "什么",
    "啥时候": "什么时候",
    "啥样": "什么样",
    "啥": "什么",
    "多会儿": "什么时候",
    "闺女": "女儿",
    "娃娃": "孩子",
    "娃": "孩子",
    "中不中": "可以吗",
}
_PATTERN = re.compile("|".join(re.escape(w) for w in sorted(STANDARD_WORDS, key=len, reverse=True)))


def standard_words(text: str) -> str:
    """``text`` (Simplified) with its dialect and everyday words replaced by standard ones."""
    return _PATTERN.sub(lambda m: STANDARD_WORDS[m.group(0)], text)
