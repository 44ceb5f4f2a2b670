"""Script normalisation and conversion: Traditional ⇄ Simplified Chinese with OpenCC.

Search works in Simplified: queries and document text are both normalised here (width by NFKC, Hong Kong and
Taiwan variant characters, Traditional characters, and a few regional spellings of government terms), so a
question typed in Traditional meets the same words as one typed in Simplified. Replies go back in the script the
citizen wrote in.

Configurations (OpenCC's own, shipped inside the ``opencc`` wheel):

* to Simplified: ``hk2s`` then ``tw2s`` (characters and both regions' variant characters). OpenCC's phrase
  configurations (``tw2sp``) are not used: they rewrite words that mean something else in a government guide
  (申請資料 → 申请数据, 查詢 → 查找). Instead :data:`REGIONAL_SPELLINGS` lists the few regional spellings of the
  same term that matter here (身分證 → 身份证, 網路 → 网络…).
* to Traditional: ``s2hk`` when the question shows Hong Kong usage (Cantonese particles such as 嘅 咗 唔 喺),
  ``s2twp`` (Taiwan characters and phrasing) when it uses a Taiwan spelling from :data:`REGIONAL_SPELLINGS`,
  else ``s2tw`` (Taiwan-standard characters, the words left as the document wrote them).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import opencc

HANS, HANT = "hans", "hant"
# Recorded in each snapshot: vectors embedded under another normalisation are not reused.
NORMALIZATION = "opencc-hk2s-tw2s+regional-4"
TO_SIMPLIFIED = ("hk2s", "tw2s")
TAIWAN, HONG_KONG, TRADITIONAL = "s2twp", "s2hk", "s2tw"
# Regional spellings (after character conversion) of terms that the Simplified documents write otherwise.
REGIONAL_SPELLINGS = {
    "身分证": "身份证",
    "网路": "网络",
    "软体": "软件",
    "计程车": "出租车",
    "资讯": "信息",
    "行动电话": "手机",
    "健保卡": "医保卡",
    "部落格": "博客",
    "印表机": "打印机",
    # Taiwan names of government services and documents (mainland name as the guides write it)
    "失业给付": "失业保险金",
    "资遣": "辞退",
    "工作天": "工作日",
    "法律扶助": "法律援助",
    "身心障碍": "残疾",
    "权状": "产权证",
    "良民证": "无犯罪记录证明",
    "提领": "提取",
    "托婴": "托育",
    "租屋": "租房",
    "外送员": "外卖骑手",
    "低收入户": "低保户",
    "机车": "摩托车",
    "健保": "医保",
    "劳保": "社保",
    "户口名簿": "户口本",
    "户籍誊本": "户口本",
    "户政事务所": "户政窗口",
    "监理站": "车管所",
    "监理所": "车管所",
    "商业登记": "营业执照",
    "营利事业登记": "营业执照",
    "地政事务所": "不动产登记中心",
    "就业服务站": "就业服务中心",
    "生育给付": "生育津贴",
    "敬老卡": "老年卡",
    "就业保险": "失业保险",
    "劳工保险": "社会保险",
    "劳保局": "社保局",
    "国民年金": "城乡居民养老保险",
    "劳退": "养老金",
    "身心障碍手册": "残疾人证",
    "身障": "残疾",
    "残障": "残疾",
    "行照": "行驶证",
    "验车": "机动车年检",
    "统一发票": "发票",
    "居留证": "居住证",
    "育儿津贴": "育儿补贴",
    "生育补助": "生育津贴",
    "老人津贴": "高龄津贴",
    "敬老金": "高龄津贴",
    # Hong Kong names of benefits and cards
    "长者咭": "老年卡",
    "长者卡": "老年卡",
    "生果金": "高龄津贴",
    "综援": "低保",
    "强积金": "养老保险",
    "伤残津贴": "残疾人补贴",
}
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
    if _REGIONAL.search(simplified):
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
