"""Resident ID numbers (GB 11643-1999) and phone numbers of legal representatives."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from parkcredit.enterprises.validators import (
    id_number_check_character,
    validate_id_number,
    validate_phone,
)

# The worked examples of GB 11643-1999.
STANDARD_EXAMPLES = ("11010519491231002X", "440524188001010014")


@pytest.mark.parametrize("value", STANDARD_EXAMPLES)
def test_standard_examples_are_valid(value: str) -> None:
    assert validate_id_number(value) == value


def test_id_number_is_normalised() -> None:
    assert validate_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert validate_id_number("11010519491231002X") == "11010519491231002X"


def _message(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


def test_wrong_check_character_names_the_field_and_masks_the_value() -> None:
    with pytest.raises(ValidationError) as error:
        validate_id_number("110105194912310021")
    message = _message(error)
    assert "法定代表人身份证号" in message
    assert "110***********0021" in message
    assert "110105194912310021" not in message
    assert "校验位" in message


def test_impossible_birth_date_is_refused() -> None:
    first17 = "11010519490231002"  # 31 February
    with pytest.raises(ValidationError) as error:
        validate_id_number(first17 + id_number_check_character(first17))
    assert "出生日期" in _message(error)


@pytest.mark.parametrize("value", ["1101051949123100", "11010519491231002Y", "A10105194912310021"])
def test_wrong_shape_is_refused(value: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_id_number(value, label="身份证号")
    assert "格式不正确" in _message(error)
    assert value not in _message(error)


@given(
    st.from_regex(r"[1-9]\d{5}", fullmatch=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    st.from_regex(r"\d{3}", fullmatch=True),
    st.integers(0, 16),
    st.integers(1, 9),
)
def test_a_single_digit_change_is_always_caught(
    area: str, born: date, serial: str, position: int, delta: int
) -> None:
    first17 = f"{area}{born:%Y%m%d}{serial}"
    value = first17 + id_number_check_character(first17)
    assert validate_id_number(value) == value
    changed = value[:position] + str((int(value[position]) + delta) % 10) + value[position + 1 :]
    with pytest.raises(ValidationError):
        validate_id_number(changed)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("13812345678", "13812345678"),
        ("0371-65551234", "0371-65551234"),
        ("037165551234", "0371-65551234"),
        ("01012345678", "010-12345678"),
        ("(021)12345678", "021-12345678"),
        ("0371-6555123-808", "0371-6555123-808"),
        ("138-1234-5678", "13812345678"),
    ],
)
def test_phones_are_normalised(raw: str, expected: str) -> None:
    assert validate_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345678901", "1381234567", "138123456789", "65551234", "abc"])
def test_bad_phones_name_the_field_and_mask_the_value(raw: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_phone(raw)
    message = _message(error)
    assert "联系电话" in message
    if len(raw) >= 11:
        assert raw not in message
