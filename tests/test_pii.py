"""Personal-data masking: positive and negative cases."""

from __future__ import annotations

import time

import pytest

from govbot.privacy.pii import is_valid_id_number, luhn_valid, mask_pii, phone_numbers

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
        ("工本费20元，热线12345，电话0123-88012345", "工本费20元，热线12345，电话0123-****2345"),
        ("身份证 110101 19900307 1233", "身份证 1101**********1233"),
        ("老身份证110101550307123", "老身份证1101*******7123"),
        ("座机（010）87654321", "座机010-****4321"),
        ("卡号6222 0212 3456 7890 128", "卡号622202*********0128"),
        ("邮箱：张三@例子.中国", "邮箱：张***@例子.中国"),
        ("护照E12345678，回乡证H1234567890", "护照E******78，回乡证H********90"),
    ],
)
def test_masks(text, expected):
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "身份证号110101199003071234（校验位不对）",
        "工本费20元，热线12345，示例府〔2025〕12号，邮编100010，8:30-17:30",
        "订单号 4111111111111112 不是银行卡",
        "2024年3月1日起施行，编号20240301",
        "12345678901 不是手机号",
        "",
    ],
)
def test_leaves_other_text_alone(text):
    assert mask_pii(text) == text


def test_phone_numbers_are_read_as_digits():
    text = "手机+86 138-1234-5678，座机（010）87654321，身份证110101199003071233"
    assert phone_numbers(text) == ["13812345678", "01087654321"]
    assert phone_numbers("没有号码") == [] and phone_numbers(None) == []


@pytest.mark.parametrize(
    "text", ["1" * 20_000, "1-" * 10_000, "a." * 10_000 + "@b", "电话 " + "8" * 20_000, "0 " * 10_000]
)
def test_long_adversarial_text_is_masked_quickly(text):
    started = time.perf_counter()
    mask_pii(text)
    assert time.perf_counter() - started < 1.5
