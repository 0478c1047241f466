"""Masking of personal data: the shapes the security baseline names, and nothing revealed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from parkcredit.common.masking import MASK, mask_id_number, mask_middle, mask_phone


def test_id_number_keeps_region_and_last_four() -> None:
    assert mask_id_number("410105199001011234") == "410***********1234"


def test_mobile_keeps_first_three_and_last_four() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_landline_is_masked_in_the_middle() -> None:
    assert mask_phone("0371-65551234") == "037******1234"


def test_empty_values_stay_empty() -> None:
    assert mask_id_number(None) == ""
    assert mask_phone("") == ""


def test_short_values_are_masked_entirely() -> None:
    assert mask_phone("1234567") == "*******"
    assert mask_id_number("1234567890") == "**********"


@given(
    st.text(alphabet=st.characters(exclude_characters=MASK), max_size=40),
    st.integers(0, 5),
    st.integers(0, 5),
)
def test_masking_keeps_length_and_hides_at_least_four_characters(value: str, start: int, end: int) -> None:
    masked = mask_middle(value, keep_start=start, keep_end=end)
    assert len(masked) == len(value)
    assert masked.count(MASK) >= min(4, len(value))
    assert all(m == v for m, v in zip(masked, value, strict=True) if m != MASK)
    assert masked[:start].strip(MASK) in ("", value[:start])
