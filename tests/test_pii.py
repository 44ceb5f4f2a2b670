"""Personal-data masking: positive and negative cases."""

from __future__ import annotations

import pytest

from govbot.privacy.pii import is_valid_id_number, luhn_valid, mask_pii

VALID_ID = "110101199003071233"  # checksum-valid
VALID_ID_X = "11010519491231002X"  # checksum-valid, check character X
VALID_CARD = "6222021234567890128"  # Luhn-valid


def test_id_checksum():
    assert is_valid_id_number(VALID_ID) and is_valid_id_number(VALID_ID_X)
    assert not is_valid_id_number("110101199003071234")
    assert not is_valid_id_number("11010119900307123")


def test_luhn():
    assert luhn_valid("4111111111111111") and luhn_valid(VALID_CARD)
    assert not luhn_valid("4111111111111112")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证号{VALID_ID}请核对", "身份证号1101**********1233请核对"),
        (f"证件 {VALID_ID_X.lower()}", "证件 1101**********002x"),
        ("电话13812345678", "电话138****5678"),
        ("手机 +86 139-1234-5678 联系", "手机 139****5678 联系"),
        (f"卡号{VALID_CARD}", "卡号622202*********0128"),
        ("卡号 4111 1111 1111 1111 ", "卡号 411111******1111 "),
        ("邮箱 zhang.san@example.com 收", "邮箱 z***@example.com 收"),
    ],
)
def test_masks(text, expected):
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "身份证号110101199003071234（校验位不对）",
        "工本费20元，热线12345，电话0123-88012345",
        "订单号 4111111111111112 不是银行卡",
        "2024年3月1日起施行，编号20240301",
        "12345678901 不是手机号",
        "",
    ],
)
def test_leaves_other_text_alone(text):
    assert mask_pii(text) == text
