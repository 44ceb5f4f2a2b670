"""Find and mask personal data in free text.

Kinds: resident ID numbers (18-digit with a valid region, birth date and check character; the old 15-digit
form with a valid region and birth date), mobile and landline numbers, bank cards (Luhn-checked), e-mail
addresses (also with Chinese domains), passports and travel permits. Spaces, dashes and full-width characters
inside a number are tolerated. Examples: ``110101199003071233`` → ``1101**********1233``,
``+86 138-1234-5678`` → ``138****5678``, ``0123-88035210`` → ``0123-****5210``,
``6222 0212 3456 7890 128`` → ``622202*********0128``, ``zhang.san@example.com`` → ``z***@example.com``,
``E12345678`` → ``E******78``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province codes of mainland resident IDs, plus 81/82/83 for Hong Kong, Macao and Taiwan residence permits.
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−－﹣"), "-")

_SEP = r"[ \-]?"
_ID18 = re.compile(rf"(?<!\d)\d(?:{_SEP}\d){{16}}{_SEP}[\dXx](?!\d)")
_ID15 = re.compile(rf"(?<!\d)\d(?:{_SEP}\d){{14}}(?![\dXx])")
_CARD = re.compile(rf"(?<![0-9A-Za-z])[3-69]\d{{3}}(?:{_SEP}\d){{12,15}}(?![0-9A-Za-z])")
_MOBILE = re.compile(rf"(?<![\d+])(?:(?:\+|00)?86[ \-]?|\((?:\+|00)?86\)[ \-]?)?1[3-9]\d(?:{_SEP}\d){{8}}(?!\d)")
_LANDLINE = re.compile(
    r"(?<![\d+])(?:(?:(?:\+|00)86[ \-]?|\((?:\+|00)?86\)[ \-]?)0?(?P<iarea>[1-9]\d{1,2})[ \-]"
    r"|\(0(?P<parea>[1-9]\d{1,2})\)[ \-]?|0(?P<area>[1-9]\d{1,2})[ \-]|0(?P<tight>[12]\d|[3-9]\d{2}))"
    r"(?P<local>[1-9]\d{2,3}[ \-]?\d{4})(?!\d)"
)
_LOCAL_PHONE = re.compile(
    r"(?:电话|座机|固话|联系方式|[Tt][Ee][Ll]|致电|拨打|打)[^\d\n]{0,6}?(?P<local>[2-8]\d{2,3}[ \-]?\d{4})(?!\d)"
)
_TRAVEL = re.compile(
    r"(?<![0-9A-Za-z])(?:[EeGgCcTt] ?(?:\d{8}|[A-Za-z]\d{7})|[PpSsDd][Ee]? ?\d{7}|[HhMm] ?\d{8}(?:\d{2})?)"
    r"(?![0-9A-Za-z])"
)
_TAIWAN_PERMIT = re.compile(r"(?:台胞证|台湾居民来往大陆通行证)[^\d\n]{0,6}?(?P<local>\d{8}(?:\d{2})?)(?![0-9A-Za-z])")
_CJK = "\u4e00-\u9fff"
_CJK_TLDS = "中国|中國|公司|网络|網絡|政务|公益|在线|集团|商城|网址|移动|信息|香港|台湾|台灣|新加坡"
_EMAIL = re.compile(
    rf"(?P<local>(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{{1,64}}|[{_CJK}]{{1,4}})@"
    rf"(?P<domain>(?:[A-Za-z0-9{_CJK}](?:[A-Za-z0-9{_CJK}\-]*[A-Za-z0-9{_CJK}])?\.)+"
    rf"(?:[A-Za-z]{{2,}}(?![A-Za-z])|(?:{_CJK_TLDS})))"
)
# Characters that lead into an address rather than start a name: "发到张三@例子.中国" → "张三".
_LEAD_IN = set("是为到给至往发送寄邮箱址件地的：")


@dataclass(frozen=True)
class Span:
    """One piece of personal data found in a text: where it is, what kind, and its masked form."""

    start: int
    end: int
    kind: str
    value: str  # the canonical raw value (digits only for numbers); never store it
    masked: str


def _normalise(text: str) -> str:
    """Full-width digits, letters and signs as ASCII, dashes as '-', one character for one character."""
    out = []
    for char in text.translate(_DASHES):
        folded = unicodedata.normalize("NFKC", char) if ord(char) > 0x7F else char
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)


def _digits(value: str) -> str:
    return re.sub(r"[^0-9Xx]", "", value)


def _valid_date(year: int, month: int, day: int, earliest: int = 1900) -> bool:
    try:
        born = dt.date(year, month, day)
    except ValueError:
        return False
    return dt.date(earliest, 1, 1) <= born <= dt.date.today()


def is_valid_id_number(value: str) -> bool:
    """True for an 18-character resident ID number with a known region, a real birth date and a correct check."""
    if len(value) != 18 or not value[:17].isdigit() or value[:2] not in _PROVINCES:
        return False
    if not _valid_date(int(value[6:10]), int(value[10:12]), int(value[12:14])):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def is_valid_old_id_number(value: str) -> bool:
    """True for a 15-digit (pre-1999) resident ID number with a known region and a birth date from 1910 on.

    Years 00-09 are left out: business registration numbers (15 digits) often continue their region with zeros.
    """
    return (
        len(value) == 15
        and value.isdigit()
        and value[:2] in _PROVINCES
        and _valid_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]), earliest=1910)
    )


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn check used by bank cards."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _keep(value: str, head: int, tail: int) -> str:
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


_Found = tuple[int, int, str, str]  # start, end, value, masked


def _id18(match: re.Match[str]) -> _Found | None:
    value = _digits(match.group(0))
    return (*match.span(), value, _keep(value, 4, 4)) if is_valid_id_number(value) else None


def _id15(match: re.Match[str]) -> _Found | None:
    value = _digits(match.group(0))
    return (*match.span(), value, _keep(value, 4, 4)) if is_valid_old_id_number(value) else None


def _card(match: re.Match[str]) -> _Found | None:
    value = _digits(match.group(0))
    return (*match.span(), value, _keep(value, 6, 4)) if luhn_valid(value) else None


def _mobile(match: re.Match[str]) -> _Found | None:
    value = _digits(match.group(0))[-11:]
    return (*match.span(), value, _keep(value, 3, 4))


def _landline(match: re.Match[str]) -> _Found | None:
    area = next(a for a in (match["iarea"], match["parea"], match["area"], match["tight"]) if a)
    local = _digits(match["local"])
    if match["tight"] and len(local) < (8 if area[0] in "12" else 7):
        return None
    return (*match.span(), f"0{area}{local}", f"0{area}-{_keep(local, 0, 4)}")


def _local(match: re.Match[str]) -> _Found | None:
    value = _digits(match["local"])
    return (*match.span("local"), value, _keep(value, 0, 4))


def _travel(match: re.Match[str]) -> _Found | None:
    value = match.group(0).replace(" ", "")
    return (*match.span(), value.upper(), _keep(value, 2 if value[1].isalpha() else 1, 2))


def _email(match: re.Match[str]) -> _Found | None:
    start, local = match.start(), match["local"]
    while len(local) > 1 and local[0] in _LEAD_IN:
        start, local = start + 1, local[1:]
    return start, match.end(), f"{local}@{match['domain']}", f"{local[0]}***@{match['domain']}"


# Order matters: an earlier kind claims its characters first (an ID number is not also read as a card).
_DETECTORS: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], _Found | None]], ...] = (
    ("email", _EMAIL, _email),
    ("id_number", _ID18, _id18),
    ("id_number", _ID15, _id15),
    ("bank_card", _CARD, _card),
    ("mobile", _MOBILE, _mobile),
    ("landline", _LANDLINE, _landline),
    ("passport", _TRAVEL, _travel),
    ("passport", _TAIWAN_PERMIT, _local),
    ("landline", _LOCAL_PHONE, _local),
)


def find_pii(text: str) -> list[Span]:
    """Every piece of personal data in ``text``, in order, without overlaps."""
    if not text:
        return []
    normal = _normalise(text)
    taken: list[Span] = []
    for kind, pattern, read in _DETECTORS:
        position = 0
        while match := pattern.search(normal, position):
            found = read(match)
            if found is None or any(s.start < found[1] and found[0] < s.end for s in taken):
                position = match.start() + 1
                continue
            taken.append(Span(found[0], found[1], kind, found[2], found[3]))
            position = match.end()
    return sorted(taken, key=lambda s: s.start)


def mask_pii(text: str | None) -> str:
    """The text with personal data masked; everything else unchanged."""
    if not text:
        return text or ""
    out, last = [], 0
    for span in find_pii(text):
        out.append(text[last : span.start] + span.masked)
        last = span.end
    return "".join(out) + text[last:]


def phone_numbers(text: str | None) -> list[str]:
    """The mobile and landline numbers in ``text`` as digits (a landline with its area code), in order."""
    return [span.value for span in find_pii(text or "") if span.kind in ("mobile", "landline")]
