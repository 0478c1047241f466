"""Natural persons' identifiers in a source file never reach the payload in clear."""

from __future__ import annotations

from creditcore.collection.profiles import PROFILES
from creditcore.collection.readers import SourceRow
from creditcore.collection.rows import ParsedRow, bind_headers, mask_personal, parse_row
from creditcore.uscc import organisation_check_character, with_check_character

USCC = with_check_character("91410100" + "12345678" + organisation_check_character("12345678"))


def test_id_number_and_phone_columns_are_masked_in_the_payload() -> None:
    profile = PROFILES["penalty"]
    headers = ["CF_XDR_MC", "CF_XDR_SHXYM", "CF_WSH", "CF_JDRQ", "CF_CFJG", "CF_FR_ZJHM", "联系电话"]
    binding = bind_headers(profile, headers)
    assert set(binding.personal) == {"CF_FR_ZJHM", "联系电话"}
    values = dict(
        zip(
            headers,
            [
                "甲公司",
                USCC,
                "豫罚〔2025〕1号",
                "2025-01-02",
                "某市场监督管理局",
                "410105198001011234",
                "13812345678",
            ],
            strict=True,
        )
    )
    parsed = parse_row(profile, binding, SourceRow(2, values))
    assert isinstance(parsed, ParsedRow), parsed
    assert parsed.payload["CF_FR_ZJHM"] == "410***********1234"
    assert parsed.payload["联系电话"] == "138****5678"
    assert "410105198001011234" not in repr(parsed)


def test_mask_personal_hides_short_values_entirely() -> None:
    assert mask_personal("1234567") == "*******"
    assert mask_personal("12345678") == "123*5678"
