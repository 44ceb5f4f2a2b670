"""The answer bands the policy-matching form offers, and reading free-text answers into them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from channels.spoken_numbers import DIGITS


@dataclass(frozen=True)
class Band:
    """A labelled numeric range ``[low, high]`` (``high`` None means no upper bound)."""

    label: str
    low: float
    high: float | None

    def contains(self, value: float) -> bool:
        return value >= self.low and (self.high is None or value <= self.high)


EMPLOYEE_BANDS = (
    Band("1-9人", 1, 9),
    Band("10-49人", 10, 49),
    Band("50-99人", 50, 99),
    Band("100-300人", 100, 300),
    Band("301-999人", 301, 999),
    Band("1000人以上", 1000, None),
)
REVENUE_BANDS = (  # 万元 a year
    Band("100万元以下", 0, 99),
    Band("100万-499万元", 100, 499),
    Band("500万-1999万元", 500, 1999),
    Band("2000万-4999万元", 2000, 4999),
    Band("5000万-2亿元", 5000, 20000),
    Band("2亿元以上", 20001, None),
)
YEARS_BANDS = (
    Band("不满1年", 0, 0.99),
    Band("1-3年", 1, 3),
    Band("3-5年", 3.01, 5),
    Band("5-10年", 5.01, 10),
    Band("10年以上", 10.01, None),
)
AGE_BANDS = (
    Band("18岁以下", 0, 17),
    Band("18-35岁", 18, 35),
    Band("36-45岁", 36, 45),
    Band("46-59岁", 46, 59),
    Band("60-79岁", 60, 79),
    Band("80岁及以上", 80, None),
)

_CN_NUMBER = re.compile(r"[零一二两三四五六七八九十百千万]+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_APPROX = re.compile(r"来|多|左右|上下|出头|几")


def chinese_to_number(text: str) -> float | None:
    """Read a Chinese numeral such as 三十, 两百五十, 一千二 or 五万."""
    if not text:
        return None
    total, section, number = 0, 0, 0
    units = {"十": 10, "百": 100, "千": 1000}
    last_unit = 1
    for ch in text:
        if ch in DIGITS or ch == "两":
            number = 2 if ch == "两" else DIGITS.index(ch)
        elif ch in units:
            section += (number or 1) * units[ch]
            last_unit, number = units[ch], 0
        elif ch == "万":
            total += (section + number) * 10000
            section, number, last_unit = 0, 0, 10000
    if number and last_unit >= 100 and len(text) >= 2 and text[-2] in units:
        number *= last_unit // 10  # 一千二 → 1200
    return float(total + section + number)


def _scale(value: float, tail: str) -> float:
    if tail.startswith("亿"):
        return value * 100_000_000
    return value * 10_000 if tail.startswith("万") else value


def numbers_in(text: str) -> list[float]:
    """Every number written in digits or Chinese numerals, with 万 and 亿 applied (半 counts as 0.5)."""
    values = [_scale(float(m.group()), text[m.end() :]) for m in _NUMBER.finditer(text)]
    for match in _CN_NUMBER.finditer(_NUMBER.sub(" ", text)):
        value = chinese_to_number(match.group())
        if value is not None:
            values.append(_scale(value, text[match.end() :]) if not match.group().endswith("万") else value)
    if "半" in text and not values:
        values.append(0.5)
    return values


def band_for(value: float, bands: tuple[Band, ...]) -> Band | None:
    return next((b for b in bands if b.contains(value)), None)


def parse_band(text: str, bands: tuple[Band, ...], unit_wan: bool = False) -> Band | None:
    """The band of a free-text answer: a band label, or a number such as "30来个人", "五百万", "两亿"."""
    cleaned = text.replace(" ", "")
    for band in bands:
        if band.label in cleaned:
            return band
    values = numbers_in(cleaned)
    if not values:
        return None
    value = max(values)
    if unit_wan and ("万" in cleaned or "亿" in cleaned or value >= 100_000):
        value /= 10_000  # the answer was in yuan; bands are in 万元
    return band_for(value, bands)


def parse_choice(text: str, choices: tuple[str, ...]) -> str | None:
    return next((c for c in choices if c in text), None)
