from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditcore.collection import values
from creditcore.collection.values import (
    ValueParseError,
    clean_text,
    excel_serial,
    parse_amount,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_month,
    parse_uscc,
)
from creditcore.uscc import CHARSET
from tests.creditcore.collection.make_samples import HENGDA, ZHIZAO

# A legacy pilot code (docs/uscc.md): valid, flagged legacy.
LEGACY = "91350211M0000XUF46"


class TestCleanText:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            (None, ""),
            ("  a  b ", "a b"),
            ("ＡＢＣ１２３", "ABC123"),
            ("郑州\u3000\u3000科技", "郑州 科技"),
            ("罚款金额（万元）", "罚款金额(万元)"),
            ("a\tb\r\nc", "a b c"),
            (12, "12"),
        ],
    )
    def test_folds_and_collapses(self, raw, expected):
        assert clean_text(raw) == expected


class TestParseDate:
    @pytest.mark.parametrize(
        "raw",
        [
            "2023-05-01",
            "2023/5/1",
            "2023.5.1",
            "20230501",
            "2023年5月1日",
            "2023年05月01日",
            "45047",
            "45047.0",
            "45047.75",
            45047,
            45047.0,
            "2023-05-01 14:30:00",
            "2023-05-01T14:30:00",
            "2023/5/1 8:00",
            "２０２３－０５－０１",
            "２０２３年５月１日",
            " 2023-05-01 ",
            date(2023, 5, 1),
            datetime(2023, 5, 1, 9, 30),
        ],
    )
    def test_every_form_reads_the_same_day(self, raw):
        assert parse_date(raw) == date(2023, 5, 1)

    @pytest.mark.parametrize(
        ("raw", "fragment"),
        [
            ("", "日期为空"),
            ("2023-02-30", "不存在"),
            ("2023-13-01", "不存在"),
            ("明天", "无法识别"),
            ("2023-05", "无法识别"),
            ("1850-01-01", "超出"),
            ("123", "无法识别"),
            ("1234567", "无法识别"),
            ("99-5-1", "无法识别"),
            ("2023年5月", "无法识别"),
            ("5000.5", "Excel 日期序号"),
            (123, "Excel 日期序号"),
        ],
    )
    def test_bad_dates_name_the_value(self, raw, fragment):
        with pytest.raises(ValueParseError) as caught:
            parse_date(raw)
        assert fragment in caught.value.reason
        if raw:
            assert str(raw) in caught.value.reason

    def test_excel_serial_epoch(self):
        assert parse_date("25569") == date(1970, 1, 1)
        assert excel_serial(date(1970, 1, 1)) == 25569

    @given(st.dates(min_value=date(1927, 5, 18), max_value=date(2100, 12, 31)), st.sampled_from(range(7)))
    def test_round_trip_in_every_format(self, day, form):
        y, m, d = day.year, day.month, day.day
        text = [
            f"{y:04d}-{m:02d}-{d:02d}",
            f"{y}/{m}/{d}",
            f"{y}.{m}.{d}",
            f"{y:04d}{m:02d}{d:02d}",
            f"{y}年{m}月{d}日",
            str(excel_serial(day)),
            f"{y:04d}-{m:02d}-{d:02d} 23:59:59",
        ][form]
        assert parse_date(text) == day

    @given(st.dates(min_value=date(1927, 5, 18), max_value=date(2100, 12, 31)))
    def test_full_width_digits_read_like_ascii(self, day):
        text = day.isoformat().translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
        assert parse_date(text) == day


class TestParseMonth:
    @pytest.mark.parametrize(
        "raw",
        [
            "2024-03",
            "2024/3",
            "202403",
            "2024年3月",
            "2024.03",
            "2024-03-17",
            "2024年3月17日",
            date(2024, 3, 9),
        ],
    )
    def test_first_of_month(self, raw):
        assert parse_month(raw) == date(2024, 3, 1)

    @pytest.mark.parametrize(
        ("raw", "fragment"), [("", "月份为空"), ("2024-13", "不存在"), ("三月", "无法识别")]
    )
    def test_bad_months(self, raw, fragment):
        with pytest.raises(ValueParseError, match=fragment):
            parse_month(raw)


class TestParseDecimal:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("1,234.50", Decimal("1234.50")),
            ("１，２３４．５", Decimal("1234.5")),
            ("¥1,000", Decimal(1000)),
            ("￥1,000元", Decimal(1000)),
            ("2000元", Decimal(2000)),
            ("1 000", Decimal(1000)),
            (Decimal("3.5"), Decimal("3.5")),
            (7, Decimal(7)),
            (0.1, Decimal("0.1")),
        ],
    )
    def test_reads(self, raw, expected):
        assert parse_decimal(raw) == expected

    @pytest.mark.parametrize("raw", ["", "abc", "NaN", "Infinity", "1.2.3", Decimal("NaN")])
    def test_refuses(self, raw):
        with pytest.raises(ValueParseError):
            parse_decimal(raw)


class TestParseAmount:
    def test_wan_is_exact(self):
        assert parse_amount("0.2", "wan") == Decimal("2000.00")
        assert str(parse_amount("0.2", "wan")) == "2000.00"
        assert parse_amount("3.5", "wan") == Decimal("35000.00")
        assert parse_amount("0.00015", "wan") == Decimal("1.50")

    @pytest.mark.parametrize(
        ("raw", "unit", "expected"),
        [
            ("2000元", "wan", "2000.00"),
            ("0.2万元", "yuan", "2000.00"),
            ("0.2万", "yuan", "2000.00"),
            ("500万元人民币", "yuan", "5000000.00"),
            ("１，２００．５", "yuan", "1200.50"),
            ("12.345", "yuan", "12.35"),
            (1.5, "wan", "15000.00"),
            (Decimal("2"), "yuan", "2.00"),
        ],
    )
    def test_value_unit_wins_over_column(self, raw, unit, expected):
        assert parse_amount(raw, unit) == Decimal(expected)

    @pytest.mark.parametrize(
        ("raw", "fragment"), [("-5", "不能为负数"), ("", "金额为空"), ("二千元", "不是数值")]
    )
    def test_refuses(self, raw, fragment):
        with pytest.raises(ValueParseError, match=fragment):
            parse_amount(raw, "yuan")

    def test_unknown_unit_is_a_programming_error(self):
        with pytest.raises(ValueError, match="unknown unit"):
            parse_amount("1", "dollar")

    @given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
    def test_yuan_and_wan_agree(self, yuan):
        wan = yuan / 10000
        assert parse_amount(f"{yuan}", "yuan") == yuan
        assert parse_amount(f"{wan}", "wan") == yuan
        assert parse_amount(f"{wan}万元", "yuan") == yuan
        assert parse_amount(f"{yuan:,}元", "wan") == yuan


class TestParseInt:
    @pytest.mark.parametrize(
        ("raw", "expected"), [("236", 236), ("1,200", 1200), ("12.0", 12), ("２３", 23), (5, 5)]
    )
    def test_reads(self, raw, expected):
        assert parse_int(raw) == expected

    def test_refuses_fractions(self):
        with pytest.raises(ValueParseError, match="不是整数"):
            parse_int("12.5")


class TestParseUscc:
    def test_valid_and_legacy(self):
        assert parse_uscc(ZHIZAO) == (ZHIZAO, False)
        assert parse_uscc(LEGACY) == (LEGACY, True)

    def test_invalid_carries_the_validator_reason(self):
        broken = ZHIZAO[:-1] + ("0" if ZHIZAO[-1] != "0" else "1")
        with pytest.raises(ValueParseError) as caught:
            parse_uscc(broken)
        assert "第18位校验码应为" in caught.value.reason
        assert broken in caught.value.reason

    def test_empty(self):
        with pytest.raises(ValueParseError, match="为空"):
            parse_uscc("  ")

    @given(
        st.sampled_from([ZHIZAO, HENGDA, LEGACY]),
        st.lists(st.sampled_from(["full", "lower", "space", "tab", "quote"]), max_size=4),
    )
    def test_spelling_variants_normalise_to_the_code(self, code, variants):
        text = code
        for variant in variants:
            if variant == "full":
                text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
            elif variant == "lower":
                text = text.lower()
            elif variant == "space":
                text = f" {text[:6]} {text[6:]} "
            elif variant == "tab":
                text = f"\t{text}\u3000"
            else:
                text = f"“{text}”"
        assert parse_uscc(text)[0] == code


def test_charset_sanity():
    # The property test above relies on codes made only of ASCII letters and digits.
    assert all(c.isascii() and c.isalnum() for c in CHARSET)


class TestChoiceAndBool:
    def test_choice_matches_case_insensitively(self):
        assert parse_choice("Serious", {"serious": "serious", "严重": "serious"}) == "serious"
        assert parse_choice("严重", {"serious": "serious", "严重": "serious"}) == "serious"

    def test_choice_lists_allowed_values(self):
        with pytest.raises(ValueParseError) as caught:
            parse_choice("很严重", {"轻微": "minor", "严重": "serious"})
        assert "很严重" in caught.value.reason
        assert "轻微、严重" in caught.value.reason

    @pytest.mark.parametrize(
        ("raw", "expected"), [("是", True), ("已撤销", True), ("否", False), ("", False)]
    )
    def test_bool(self, raw, expected):
        assert parse_bool(raw) is expected

    def test_bool_refuses(self):
        with pytest.raises(ValueParseError, match=r"是.*否"):
            parse_bool("也许")


def test_serial_bounds_are_five_digit_numbers():
    assert parse_date(str(values._SERIAL_MIN)) == date(1899, 12, 30) + timedelta(days=values._SERIAL_MIN)
