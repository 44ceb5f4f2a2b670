"""Write numbers, amounts, percentages, dates, times and phone numbers the way they are read aloud."""

from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"
_SMALL_UNITS = ("", "十", "百", "千")
_BIG_UNITS = ("", "万", "亿")


def _four_digits(value: int) -> str:
    """0–9999 in Chinese, with 零 where a gap needs one (e.g. 1005 → 一千零五)."""
    out, zero = "", False
    for power in range(3, -1, -1):
        digit = value // 10**power % 10
        if digit:
            if zero and out:
                out += "零"
            out += DIGITS[digit] + _SMALL_UNITS[power]
            zero = False
        else:
            zero = True
    return out


def integer_words(value: int) -> str:
    """A whole number as spoken: 3600 → 三千六百, 12 → 十二, 100000 → 十万."""
    if value == 0:
        return "零"
    groups, out = [], ""
    while value:
        groups.append(value % 10000)
        value //= 10000
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group:
            if out and group < 1000:
                out += "零"
            out += _four_digits(group) + _BIG_UNITS[index]
    out = re.sub("零+", "零", out)
    return out[1:] if out.startswith("一十") else out


def decimal_words(text: str) -> str:
    """A decimal as spoken: 2.6 → 二点六, 3.075 → 三点零七五."""
    whole, _, fraction = text.partition(".")
    spoken = integer_words(int(whole))
    return spoken + ("点" + "".join(DIGITS[int(d)] for d in fraction) if fraction else "")


def digit_by_digit(text: str) -> str:
    """Digits spaced for reading one by one: 12345 → 1 2 3 4 5."""
    return " ".join(ch for ch in text if ch.isdigit())


_PHONE = re.compile(
    r"(?<!\d)(0\d{2,3})[-－ ]?(\d{7,8})(?!\d)"  # landline with area code
    r"|(?<!\d)(1[3-9]\d{9})(?!\d)"  # mobile
    r"|(?<![\d.])(12\d{3})(?![\d.%％元万千百人个天年月日岁号])"  # service numbers such as 12345
)
_DATE = re.compile(r"(?<!\d)(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})日?(?!\d)")
_TIME_RANGE_SEP = re.compile(r"(?<=\d)\s*[—–-]+\s*(?=\d{1,2}:\d{2})")
_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)")
_RANGE = re.compile(r"(\d+(?:\.\d+)?[万亿]?)\s*[-—–~～]\s*(?=\d)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])")


def _phone(match: re.Match[str]) -> str:
    if match.group(1):
        return f"{digit_by_digit(match.group(1))}，{digit_by_digit(match.group(2))}"
    return digit_by_digit(match.group(3) or match.group(4))


def _date(match: re.Match[str]) -> str:
    year = "".join(DIGITS[int(d)] for d in match.group(1))
    return f"{year}年{integer_words(int(match.group(2)))}月{integer_words(int(match.group(3)))}日"


def _time(match: re.Match[str]) -> str:
    hour, minute = int(match.group(1)), int(match.group(2))
    return f"{integer_words(hour)}点" + (f"{integer_words(minute)}分" if minute else "")


def _number(match: re.Match[str]) -> str:
    text = match.group(1)
    if "." in text:
        return decimal_words(text)
    if len(text) > 12:
        return digit_by_digit(text)
    return integer_words(int(text))


def speak_numbers(text: str) -> str:
    """Rewrite phone numbers digit by digit, then dates, times, percentages and other numbers as words."""
    text = _PHONE.sub(lambda m: "\u0000" + _phone(m) + "\u0001", text)
    parts = re.split(r"(\u0000[^\u0001]*\u0001)", text)
    out = []
    for part in parts:
        if part.startswith("\u0000"):
            out.append(part[1:-1])
            continue
        part = _DATE.sub(_date, part)
        part = _TIME_RANGE_SEP.sub("到", part)
        part = _TIME.sub(_time, part)
        part = _RANGE.sub(r"\1到", part)
        part = _PERCENT.sub(lambda m: "百分之" + _number(re.match(r"(.*)", m.group(1))), part)
        part = _NUMBER.sub(_number, part)
        out.append(part)
    return "".join(out)
