"""Mask personal data in free text: ID numbers, mobile numbers, bank cards and e-mail addresses.

Examples: ``110101199003071234`` → ``1101**********1234`` (only when the checksum is valid),
``13812345678`` → ``138****5678``, ``6222021234567890123`` → ``622202*********0123`` (Luhn-checked),
``zhang.san@example.com`` → ``z***@example.com``.
"""

from __future__ import annotations

import re

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_CARD = re.compile(r"(?<!\d)(\d{4}[ -]?){3}\d{1,7}(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def is_valid_id_number(value: str) -> bool:
    """True for an 18-character mainland resident ID number with a correct check character."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17].upper()


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn check used by bank cards."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _mask_id(match: re.Match[str]) -> str:
    value = match.group(1)
    return value[:4] + "*" * 10 + value[-4:] if is_valid_id_number(value) else value


def _mask_card(match: re.Match[str]) -> str:
    raw = match.group(0)
    digits = re.sub(r"\D", "", raw)
    if not 16 <= len(digits) <= 19 or not luhn_valid(digits):
        return raw
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def mask_pii(text: str | None) -> str:
    """The text with personal data masked; everything else unchanged."""
    if not text:
        return text or ""
    text = _ID.sub(_mask_id, text)
    text = _CARD.sub(_mask_card, text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)
