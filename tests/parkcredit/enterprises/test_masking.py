"""Masking of personal data: the shapes the security baseline names, and nothing revealed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from parkcredit.common.masking import MASK, mask_id_number, mask_middle, mask_personal_text, mask_phone
from tests import factories as f


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


def test_personal_numbers_inside_free_text_are_masked() -> None:
    text = "联系人身份证410102199001011234,手机13812345678,代码91410100MA9XXXXX1K"
    assert mask_personal_text(text) == "联系人身份证410***********1234,手机138****5678,代码91410100MA9XXXXX1K"
    # A longer run of digits (a decision number) is not a personal number; non-text is unchanged.
    assert mask_personal_text("某罚〔2024〕1381234567890号") == "某罚〔2024〕1381234567890号"
    assert mask_personal_text(12) == 12


def test_record_page_masks_personal_numbers_in_the_payload(client: Any, dept_staff: Any, ent_a: Any) -> None:
    record = f.make_record(ent_a, payload={"联系人电话": "13812345678", "备注": "身份证 41010219900101123X"})
    client.force_login(dept_staff)
    page = client.get(reverse("records:detail", kwargs={"pk": record.pk})).content.decode()
    assert "13812345678" not in page and "138****5678" in page
    assert "41010219900101123X" not in page and "410***********123X" in page
