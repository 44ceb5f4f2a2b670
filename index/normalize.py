"""Script normalisation and conversion: Traditional ⇄ Simplified Chinese with OpenCC.

Search works in Simplified: queries and document text are both normalised here (width by NFKC, Hong Kong and
Taiwan variant characters, Traditional characters, and a few regional spellings of government terms), so a
question typed in Traditional meets the same words as one typed in Simplified. Replies go back in the script the
citizen wrote in.

Configurations (OpenCC's own, shipped inside the ``opencc`` wheel):

* to Simplified: ``hk2s`` then ``tw2s`` (characters and both regions' variant characters). OpenCC's phrase
  configurations (``tw2sp``) are not used: they rewrite words that mean something else in a government guide
  (申請資料 → 申请数据, 查詢 → 查找). Instead ``regional_spellings.tsv`` lists Taiwan and Hong Kong words for
  public services that mean the same in any mainland sentence, with the word the guides use (身分證 → 身份证,
  網路 → 网络, 健保卡 → 医保卡, 商業登記證 → 营业执照…), the longest matched first.
* to Traditional: ``s2hk`` when the question shows Hong Kong usage (Cantonese particles such as 嘅 咗 唔 喺, or
  only Hong Kong words of that list), ``s2twp`` (Taiwan characters and phrasing) when it uses a Taiwan word of
  the list, else ``s2tw`` (Taiwan-standard characters, the words left as the document wrote them).
"""

from __future__ import annotations

import csv
import hashlib
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc

HANS, HANT = "hans", "hant"
TO_SIMPLIFIED = ("hk2s", "tw2s")
TAIWAN, HONG_KONG, TRADITIONAL = "s2twp", "s2hk", "s2tw"
REGIONAL_FILE = Path(__file__).with_name("regional_spellings.tsv")


def _regional_spellings(text: str) -> tuple[dict[str, str], frozenset[str]]:
    """Regional words (after character conversion) mapped to the guides' own, and those used in Hong Kong."""
    spellings: dict[str, str] = {}
    hong_kong: set[str] = set()
    lines = (line for line in text.splitlines() if line and not line.startswith("#"))
    for row in csv.DictReader(lines, delimiter="\t"):
        spellings[row["regional"]] = row["mainland"]
        if row["region"] == "hk":
            hong_kong.add(row["regional"])
    return spellings, frozenset(hong_kong)


# Regional spellings of terms that the Simplified documents write otherwise (身分证 → 身份证, 健保卡 → 医保卡).
_REGIONAL_TEXT = REGIONAL_FILE.read_text(encoding="utf-8")
REGIONAL_SPELLINGS, HONG_KONG_WORDS = _regional_spellings(_REGIONAL_TEXT)
# Recorded in each snapshot: vectors embedded under another normalisation (another list included) are not reused.
NORMALIZATION = "opencc-hk2s-tw2s+regional-" + hashlib.sha256(_REGIONAL_TEXT.encode("utf-8")).hexdigest()[:12]
_REGIONAL = re.compile("|".join(sorted(map(re.escape, REGIONAL_SPELLINGS), key=len, reverse=True)))
# OpenCC's phrase matching splits 回复 (reply) wrongly before some words: "请回复数字" becomes 回複數字 (复数 is
# "plural"), "请回复 1" 回復 (to restore). A reply to the citizen always means 回覆; 複印 (a photocopy, "交回复印件")
# stays.
_MISSEGMENTED_REPLY = re.compile("回複(?!印)|回復")
HONG_KONG_CUES = frozenset("嘅咗唔喺冇啲嗰乜佢哋噉嚟攞睇")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_lock = threading.Lock()


@lru_cache(maxsize=8)
def _converter(config: str) -> opencc.OpenCC:
    """An OpenCC converter, loaded once per configuration (loading ``s2twp`` takes about 250 ms)."""
    with _lock:
        return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Simplified-Chinese text for search: NFKC width, variants and Traditional characters converted, regional
    spellings mapped. Letters, digits, URLs and punctuation are unchanged apart from width."""
    text = unicodedata.normalize("NFKC", text).replace("\x00", " ")  # OpenCC stops at a NUL
    if not _CJK.search(text):
        return text
    for config in TO_SIMPLIFIED:
        text = _converter(config).convert(text)
    return _REGIONAL.sub(lambda match: REGIONAL_SPELLINGS[match.group(0)], text)


@lru_cache(maxsize=20_000)
def _char_kind(char: str) -> int:
    """+1 for a Traditional-only character, -1 for a Simplified-only one, 0 for one both scripts share."""
    if _converter("t2s").convert(char) != char:
        return 1
    if _converter("s2t").convert(char) != char:
        return -1
    return 0


def traditional_share(text: str) -> float | None:
    """The share of script-specific characters that are Traditional (None when the text has none: 你好, 12345)."""
    kinds = [_char_kind(ch) for ch in _CJK.findall(text)]
    specific = [k for k in kinds if k]
    if not specific:
        return None
    return sum(k > 0 for k in specific) / len(specific)


def detect_script(text: str, default: str = HANS) -> str:
    """``hant`` when most script-specific characters are Traditional, ``hans`` when most are Simplified, and
    ``default`` (e.g. the conversation's script so far) when the text shows neither."""
    share = traditional_share(text)
    if share is None:
        return default
    return HANT if share > 0.5 else HANS


def reply_config(question: str) -> str:
    """The OpenCC configuration for replying to a Traditional question (see the module docstring)."""
    if HONG_KONG_CUES.intersection(question):
        return HONG_KONG
    simplified = _converter("t2s").convert(question)
    regional = {match.group(0) for match in _REGIONAL.finditer(simplified)}
    if regional and regional <= HONG_KONG_WORDS:
        return HONG_KONG
    if regional:
        return TAIWAN
    return TRADITIONAL


def to_traditional(text: str, config: str = TRADITIONAL) -> str:
    """Simplified text in Traditional characters (``config`` one of ``s2tw``, ``s2twp``, ``s2hk``, ``s2t``)."""
    if not _CJK.search(text):
        return text
    converted = _converter(config).convert(text.replace("\x00", " "))
    return _MISSEGMENTED_REPLY.sub("回覆", converted)


# Fields of a structured answer that are identifiers or codes, never shown as Chinese text.
NON_TEXT_KEYS = frozenset(
    {
        "decision",
        "type",
        "audience",
        "script",
        "version",
        "payload",
        "kind",
        "intent",
        "policy_match",
        "subscription_topics",
    }
)


def convert_visible(value: object, config: str) -> object:
    """``value`` (an answer's JSON) with every user-visible string converted to Traditional by ``config``.

    Identifiers (keys ending in ``id``), URLs (keys ending in ``url``) and the codes in :data:`NON_TEXT_KEYS`
    are left as they are; numbers are not strings and stay too.
    """
    if isinstance(value, str):
        return to_traditional(value, config)
    if isinstance(value, list):
        return [convert_visible(item, config) for item in value]
    if isinstance(value, dict):
        return {
            key: item
            if key in NON_TEXT_KEYS or key.endswith(("id", "url")) or key.startswith("/")
            else convert_visible(item, config)
            for key, item in value.items()
        }
    return value


def conversation_script(user_texts: list[str]) -> tuple[str, str]:
    """The script of a conversation and the reply configuration: those of the latest user message that shows a
    script (``你好`` or a button payload shows none), Simplified when none does."""
    for text in reversed(user_texts):
        if traditional_share(text) is not None:
            return (HANT, reply_config(text)) if detect_script(text) == HANT else (HANS, "")
    return HANS, ""
