"""Unified social credit code: published vectors, dirty input, the legacy rule, properties."""

from __future__ import annotations

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from creditcore.uscc import (
    CHARSET,
    DEPARTMENTS,
    NATIONAL_AREA,
    PROVINCES,
    UsccResult,
    check_character,
    is_valid,
    normalize,
    organisation_check_character,
    pilot_check_character,
    validate,
    with_check_character,
)

# Published codes that pass every check: the GB 32100 worked example, an organ (机构编制) code,
# and codes collected by python-stdnum (tests/test_cn_uscc.doctest), hutool (CreditCodeUtilTest)
# and bluesky335/IDCheck (test data with company names).
PUBLISHED_VALID = [
    "91512081MA62K0260E",
    "11230500001755309F",
    "121200004013590816",
    "91110000600037341L",
    "91110000710926094P",
    "91120224064012553U",
    "911522010783710635",
    "91152201078371135X",
    "9115220107837757XE",
    "9115220107837941X1",
    "91310000631696382C",
    "91310112087994932F",
    "913101127033980359",
    "91310115MA1K3BTP2B",
    "9131012056010553X5",
    "913205056082348768",
    "91340600MA2PBM9HXD",
    "91371082775260043P",
    "914112810713741814",
    "91420684MA4927PJ7B",
    "9144030071526726XG",
    "91620105L015101280",
    "91620105MA73NBBLXE",
    "92340602MA2PBMEM24",
    "92340603MA2PBN17X5",
    "92340621MA2UK3PJXE",
    "91310115591693856A",
    "91310110666007217T",
    "91350100M000100Y43",
    "9135010557098120XJ",
    "91120222MA06DG3067",
    "91310000MA1K35Y38P",
    "91110108795101314G",
    "914403001922038216",
    "91500105MA5UM6TF71",
    "9135020026015919XW",
    "91350100MA32C0EA03",
    "913301086706280599",
]

# Codes from the Fujian/Xiamen pilot: legal, but the 18th character fails GB 32100 (the first
# three from bluesky335/IDCheck, the fourth from hutool's test, the last two published as real
# codes in public code comments).
LEGACY = {
    "91350211M0000XUF46": "R",
    "91350100M0001TGQXM": "1",
    "91350203M0001FUE2P": "J",
    "91350211M00013FA1N": "3",
    "91350200M000000510": "D",
    "91350128M00000019A": "F",
}


def _strict(result: UsccResult) -> bool:
    return result.valid and not result.legacy


# --- published vectors -------------------------------------------------------------------


@pytest.mark.parametrize("code", PUBLISHED_VALID)
def test_published_codes_are_valid_and_not_legacy(code: str) -> None:
    result = validate(code)
    assert result == UsccResult(code, code, valid=True, legacy=False, errors=(), warnings=())


def test_worked_example_check_character_is_e() -> None:
    assert check_character("91512081MA62K0260") == "E"
    assert with_check_character("91512081MA62K0260") == "91512081MA62K0260E"


@pytest.mark.parametrize(("code", "standard_check"), LEGACY.items())
def test_legacy_pilot_codes_are_valid_with_a_warning(code: str, standard_check: str) -> None:
    result = validate(code)
    assert result.valid and result.legacy
    assert result.errors == ()
    assert len(result.warnings) == 1
    assert f"应为 {standard_check},实际为 {code[17]}" in result.warnings[0]
    assert "试点" in result.warnings[0]
    assert is_valid(code)


@pytest.mark.parametrize("code", LEGACY)
def test_legacy_codes_match_the_pilot_check_and_not_the_standard_one(code: str) -> None:
    assert pilot_check_character(code[:17]) == code[17]
    assert check_character(code[:17]) != code[17]


@pytest.mark.parametrize("code", LEGACY)
def test_no_typo_in_a_legacy_code_passes_as_legacy(code: str) -> None:
    for position in range(18):
        for ch in CHARSET:
            if ch == code[position]:
                continue
            typo = code[:position] + ch + code[position + 1 :]
            assert not validate(typo).legacy, typo


def test_pilot_series_code_failing_both_checks_is_invalid() -> None:
    result = validate("91350211M0000XUF47")
    assert not result.valid and not result.legacy
    assert result.errors == ("第18位校验码应为 R,实际为 7",)
    assert result.warnings == ()


def test_national_ma_series_with_wrong_check_is_not_legacy() -> None:
    # MA codes are computed by the standard: a wrong 18th character is a typo, not history.
    result = validate("91512081MA62K0260F")
    assert not result.valid and not result.legacy
    assert result.errors == ("第18位校验码应为 E,实际为 F",)


def test_pilot_check_character_rejects_foreign_characters_and_can_be_unrepresentable() -> None:
    with pytest.raises(ValueError, match="试点校验"):
        pilot_check_character("9135021!M0000XUF4")
    # A remainder of 36 has no alphanumeric: find one body that produces it.
    bodies = (f"91350211M{n:07d}0" for n in range(2000))
    assert any(pilot_check_character(body) is None for body in bodies)


# --- organisation code (GB 11714) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("first8", "check"),
    [
        ("59467239", "9"),  # worked example: S = 255, 255 mod 11 = 2
        ("MA62K026", "0"),
        ("00175530", "9"),
        ("M0001TGQ", "X"),
        ("07837941", "X"),
        ("60003734", "1"),
    ],
)
def test_organisation_check_character(first8: str, check: str) -> None:
    assert organisation_check_character(first8) == check


def test_organisation_check_character_maps_eleven_to_zero_and_ten_to_x() -> None:
    # S = 0: 11 - 0 = 11 is written 0.
    assert organisation_check_character("00000000") == "0"
    # S = 4 * 3 = 12: 11 - 12 mod 11 = 10 is written X.
    assert organisation_check_character("40000000") == "X"


@pytest.mark.parametrize("bad", ["1234567", "123456789", "1234567a", "1234567!", ""])
def test_organisation_check_character_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError, match="组织机构代码本体"):
        organisation_check_character(bad)


def test_wrong_organisation_check_character_is_named() -> None:
    # Position 17 changed from 0 to 1, then the final character recomputed so only GB 11714 fails.
    code = with_check_character("91512081MA62K0261")
    result = validate(code)
    assert not result.valid
    assert result.errors == ("第17位组织机构代码校验码应为 0,实际为 1",)


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("９１５１２０８１ＭＡ６２Ｋ０２６０Ｅ", "91512081MA62K0260E"),
        ("91512081ma62k0260e", "91512081MA62K0260E"),
        (" 9151 2081 MA62 K026 0E ", "91512081MA62K0260E"),
        ("91512081\u3000MA62K0260E\t\n", "91512081MA62K0260E"),
        ("91512081MA62K0260E(1-1)", "91512081MA62K0260E"),
        ("91512081MA62K0260E（1-1）", "91512081MA62K0260E"),
        ("91512081MA62K0260E（１－１）", "91512081MA62K0260E"),
        ("91512081MA62K0260E【副本】", "91512081MA62K0260E"),
        ("91512081MA62K0260E(1)(2)", "91512081MA62K0260E"),
        ("91512081MA62K0260E。", "91512081MA62K0260E"),
        ("91512081MA62K0260E,", "91512081MA62K0260E"),
        ("91512081MA62K0260E;", "91512081MA62K0260E"),
        ('"91512081MA62K0260E"', "91512081MA62K0260E"),
        ("'91512081MA62K0260E'", "91512081MA62K0260E"),
        ("“91512081MA62K0260E”。", "91512081MA62K0260E"),
        ("「91512081MA62K0260E（1-1）」", "91512081MA62K0260E"),
        ("\ufeff91512081MA62K0260E\u200b", "91512081MA62K0260E"),
        ("", ""),
    ],
)
def test_normalize_cleans_real_world_noise(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_dirty_input_validates_and_keeps_the_raw_input() -> None:
    raw = " ９１５１２０８１ｍａ６２ｋ０２６０ｅ（1-1） "
    result = validate(raw)
    assert result.input == raw
    assert result.normalized == "91512081MA62K0260E"
    assert result.valid


# --- invalid codes ---------------------------------------------------------------------------


def test_empty_and_blank_input() -> None:
    for raw in ("", "   ", "（1-1）", '""'):
        result = validate(raw)
        assert not result.valid
        assert result.errors == ("统一社会信用代码为空",)


@pytest.mark.parametrize(
    ("raw", "length"), [("12345", 5), ("91512081MA62K0260", 17), ("91512081MA62K0260EE", 19)]
)
def test_wrong_length(raw: str, length: int) -> None:
    result = validate(raw)
    assert not result.valid
    assert result.errors == (f"长度应为18位,实际为{length}位",)


def test_forbidden_letters_are_named_by_position() -> None:
    result = validate("9111000060003IOZSV")
    assert not result.valid
    assert [e[:6] for e in result.errors] == [
        "第14位字符",
        "第15位字符",
        "第16位字符",
        "第17位字符",
        "第18位字符",
    ]
    assert "“I”" in result.errors[0] and "“V”" in result.errors[4]


def test_many_bad_characters_are_summarised() -> None:
    result = validate("中" * 30)
    assert result.errors[0] == "长度应为18位,实际为30位"
    assert len(result.errors) == 1 + 5 + 1
    assert result.errors[-1] == "另有25个不合法字符未列出"


def test_letter_in_area_code() -> None:
    result = validate("91A10115591693856A")
    assert not result.valid
    assert "第3位应为数字(登记管理机关行政区划码),实际为“A”" in result.errors


def test_unknown_province() -> None:
    code = with_check_character("91992081MA62K0260")
    result = validate(code)
    assert result.errors == ("第3-4位省级行政区划码“99”不存在(行政区划码为“992081”)",)


def test_national_area_code_is_accepted_but_other_10_codes_are_not() -> None:
    assert validate(with_check_character(f"11{NATIONAL_AREA}000000000")).valid
    assert not validate(with_check_character("11100100000000000")).valid


def test_unknown_registration_authority() -> None:
    code = with_check_character("B1512081MA62K0260")
    result = validate(code)
    assert not result.valid
    assert result.errors[0].startswith("第1位登记管理部门代码“B”不存在")


def test_category_not_belonging_to_authority_is_rejected_and_check_reported_too() -> None:
    # 9 (工商) has no category 4; the typo also breaks the check character, which is reported.
    result = validate("94512081MA62K0260E")
    assert not result.valid
    assert result.errors[0] == "第2位机构类别代码“4”不属于登记管理部门“9”(工商),应为 1、2、3 之一"
    assert result.errors[1].startswith("第18位校验码应为")


def test_wrong_check_character_message() -> None:
    assert validate("91110000600037341N").errors == ("第18位校验码应为 L,实际为 N",)


@pytest.mark.parametrize(("department", "category"), [("A", "1"), ("N", "3"), ("Y", "1"), ("N", "9")])
def test_departments_a_n_y_are_legal(department: str, category: str) -> None:
    # python-stdnum rejects a letter in the first 8 characters; GB 32100 allows these.
    code = with_check_character(f"{department}{category}410100MA62K0260")
    assert _strict(validate(code))


@pytest.mark.parametrize(("department", "category"), [("Y", "2"), ("9", "9"), ("A", "2"), ("2", "3")])
def test_categories_outside_the_table_are_rejected(department: str, category: str) -> None:
    code = with_check_character(f"{department}{category}410100MA62K0260")
    result = validate(code)
    assert not result.valid
    assert result.errors[0].startswith(f"第2位机构类别代码“{category}”不属于登记管理部门“{department}”")


def test_as_dict_has_exactly_the_five_contract_keys() -> None:
    result = validate("91350211M0000XUF46")
    assert result.as_dict() == {
        "input": "91350211M0000XUF46",
        "normalized": "91350211M0000XUF46",
        "valid": True,
        "legacy": True,
        "errors": [],
    }


# --- properties ------------------------------------------------------------------------------

_DEPARTMENT_CATEGORY = st.sampled_from([d + c for d, (_, cats) in DEPARTMENTS.items() for c in cats])
_AREA = st.one_of(
    st.tuples(st.sampled_from(sorted(PROVINCES)), st.text("0123456789", min_size=4, max_size=4)).map("".join),
    st.just(NATIONAL_AREA),
)
_ORG_BODY = st.text(CHARSET, min_size=8, max_size=8)


@st.composite
def valid_bodies(draw: st.DrawFn, org_body: st.SearchStrategy[str] = _ORG_BODY) -> str:
    first8 = draw(org_body)
    return draw(_DEPARTMENT_CATEGORY) + draw(_AREA) + first8 + organisation_check_character(first8)


def _is_pilot_series(code: str) -> bool:
    return code[8] == "M" and code[9].isdigit()


@given(valid_bodies())
@example("91512081MA62K0260")
def test_every_code_built_from_a_valid_body_validates(body: str) -> None:
    code = with_check_character(body)
    assert _strict(validate(code))


@given(valid_bodies(), st.integers(0, 17), st.sampled_from(CHARSET))
def test_no_single_substitution_passes_as_a_standard_code(body: str, position: int, ch: str) -> None:
    code = with_check_character(body)
    assume(ch != code[position])
    typo = code[:position] + ch + code[position + 1 :]
    result = validate(typo)
    assert not _strict(result)
    if result.valid:
        # The only way through is the legacy path, which needs the pilot series and its check.
        assert result.legacy and _is_pilot_series(typo)
        assert pilot_check_character(typo[:17]) == typo[17]


@given(valid_bodies(st.text("0123456789", min_size=8, max_size=8)), st.integers(0, 17), st.data())
def test_digit_typo_in_an_ordinary_code_is_always_invalid(
    body: str, position: int, data: st.DataObject
) -> None:
    code = with_check_character(body)
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    typo = code[:position] + digit + code[position + 1 :]
    assert not validate(typo).valid


@given(st.text())
@example("（１－１）")
@example("'\"X(1)(2)\"'")
@example("ΐ")
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize(raw)
    assert normalize(once) == once


@given(st.text())
@example("\x00" * 18)
@example("91350211M0000XUF4\U0001f600")
def test_validate_never_raises_and_is_consistent(raw: str) -> None:
    result = validate(raw)
    assert result.input == raw
    assert result.normalized == normalize(raw)
    assert result.valid == (result.errors == ())
    assert not result.legacy or result.valid
    assert set(result.as_dict()) == {"input", "normalized", "valid", "legacy", "errors"}


@given(valid_bodies(), st.sampled_from([" ", "\u3000", "\t"]), st.integers(0, 18))
def test_whitespace_and_case_do_not_matter(body: str, space: str, cut: int) -> None:
    code = with_check_character(body)
    messy = (code[:cut] + space + code[cut:]).lower()
    assert validate(messy).normalized == code
    assert _strict(validate(messy))
