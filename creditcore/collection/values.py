"""Cell value parsers for imported files: text, dates, amounts, integers, codes.

Every parser takes what a file cell holds (a string, or a number or date an XLSX cell already
typed) and either returns a clean Python value or raises `ValueParseError` whose `reason` is a
Chinese sentence naming the value, ready to go into an error report. The parsers run once per
cell of a million-row file, so they favour str methods over regular expressions and cache the
expensive USCC check.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from creditcore import uscc

CENT = Decimal("0.01")
TEN_THOUSAND = Decimal(10000)
YUAN = "yuan"
WAN = "wan"

# Excel's 1900 date system counts 1900-01-01 as day 1 and keeps the fictitious 1900-02-29
# (day 60), so from day 61 on the epoch is effectively 1899-12-30.
_EXCEL_EPOCH = date(1899, 12, 30)
# Only five-digit serials are read as Excel dates (1927-05-18 .. 2173-10-14): shorter numbers
# are far more likely a typo or a bare year than a date in the 1900s.
_SERIAL_MIN, _SERIAL_MAX = 10000, 99999
_YEAR_MIN, _YEAR_MAX = 1900, 2100

_CURRENCY_MARKS = "¥$"
_THOUSANDS = ",'"


class ValueParseError(ValueError):
    """A cell value that cannot be read; `reason` is the Chinese explanation for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def clean_text(raw: Any) -> str:
    """NFKC-fold (full-width to half-width), strip, and collapse inner whitespace runs to one space."""
    if raw is None:
        return ""
    text = raw if isinstance(raw, str) else str(raw)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    # split() without arguments also drops the ideographic space, tabs and line breaks.
    return " ".join(text.split())


def parse_date(raw: Any) -> date:
    """A calendar date from any of the usual spellings, an Excel serial, or a date/datetime cell."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _from_serial(raw, str(raw))
    return date_from_text(clean_text(raw))


def date_from_text(text: str) -> date:
    """`parse_date` for text that `clean_text` has already cleaned (the row parser's fast path)."""
    if not text:
        raise ValueParseError("日期为空")
    head = text.split(" ", 1)[0]
    if "T" in head and head[0].isdigit():
        head = head.split("T", 1)[0]
    if head.isdigit():
        if len(head) == 8:
            return _make_date(head[:4], head[4:6], head[6:], text)
        if len(head) == 5:
            return _from_serial(int(head), text)
        raise ValueParseError(_bad_date(text))
    if "年" in head:
        head = head.replace("年", "-").replace("月", "-").rstrip("日")
        if head.endswith("-"):
            raise ValueParseError(_bad_date(text))
    for separator in "-/.":
        if separator in head:
            parts = head.split(separator)
            if len(parts) == 3:
                return _make_date(parts[0], parts[1], parts[2], text)
            # A float serial such as "45047.0" or "45047.25" (a time of day as the fraction).
            if (
                separator == "."
                and len(parts) == 2
                and len(parts[0]) == 5
                and (parts[0] + parts[1]).isdigit()
            ):
                return _from_serial(int(parts[0]), text)
            break
    raise ValueParseError(_bad_date(text))


def parse_month(raw: Any) -> date:
    """The first day of a month: 2023-05, 2023/5, 202305, 2023年5月, or any full date."""
    if isinstance(raw, date | datetime | int | float) and not isinstance(raw, bool):
        day = parse_date(raw)
        return day.replace(day=1)
    return month_from_text(clean_text(raw))


def month_from_text(text: str) -> date:
    """`parse_month` for already cleaned text."""
    if not text:
        raise ValueParseError("月份为空")
    head = text.split(" ", 1)[0]
    if head.isdigit() and len(head) == 6:
        return _make_date(head[:4], head[4:], "1", text, what="月份")
    if "年" in head:
        if not head.endswith("月"):
            return _full_date_month(text)
        head = head.replace("年", "-").removesuffix("月")
    for separator in "-/.":
        parts = head.split(separator)
        if len(parts) == 2:
            return _make_date(parts[0], parts[1], "1", text, what="月份")
    return _full_date_month(text)


def _full_date_month(text: str) -> date:
    try:
        return date_from_text(text).replace(day=1)
    except ValueParseError:
        raise ValueParseError(f"月份“{text}”无法识别:应写作 2023-05、2023/5、202305 或 2023年5月") from None


def _bad_date(text: str) -> str:
    return (
        f"日期“{text}”无法识别:应写作 2023-05-01、2023/5/1、2023.5.1、20230501、2023年5月1日或 Excel 日期序号"
    )


def _make_date(year: str, month: str, day: str, text: str, what: str = "日期") -> date:
    if not (year.isdigit() and month.isdigit() and day.isdigit()) or len(year) != 4:
        if what == "月份":
            raise ValueParseError(f"月份“{text}”无法识别:应写作 2023-05、2023/5、202305 或 2023年5月")
        raise ValueParseError(_bad_date(text))
    y = int(year)
    if not _YEAR_MIN <= y <= _YEAR_MAX:
        raise ValueParseError(f"{what}“{text}”的年份 {y} 超出 {_YEAR_MIN}-{_YEAR_MAX} 的范围")
    try:
        return date(y, int(month), int(day))
    except ValueError:
        raise ValueParseError(f"{what}“{text}”不存在(月份或日期超出范围)") from None


def _from_serial(serial: float, text: str) -> date:
    whole = int(serial)
    if not _SERIAL_MIN <= whole <= _SERIAL_MAX:
        raise ValueParseError(
            f"日期“{text}”无法识别:作为 Excel 日期序号应在 {_SERIAL_MIN}-{_SERIAL_MAX} 之间"
        )
    return _EXCEL_EPOCH + timedelta(days=whole)


def excel_serial(day: date) -> int:
    """The Excel (1900 system) serial number of `day`; the inverse of reading a serial."""
    return (day - _EXCEL_EPOCH).days


def parse_decimal(raw: Any) -> Decimal:
    """A decimal number; thousand separators, full-width digits, ¥ and a trailing 元 are allowed."""
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int) and not isinstance(raw, bool):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(repr(raw))
    else:
        return decimal_from_text(clean_text(raw))
    if not number.is_finite():
        raise ValueParseError(f"“{raw}”不是有限的数值")
    return number


def decimal_from_text(text: str) -> Decimal:
    """`parse_decimal` for already cleaned text."""
    if not text:
        raise ValueParseError("数值为空")
    return _decimal_from_text(text, text)


def _decimal_from_text(body: str, text: str) -> Decimal:
    if body.endswith("元"):
        body = body[:-1]
    body = body.lstrip(_CURRENCY_MARKS)
    for mark in _THOUSANDS:
        if mark in body:
            body = body.replace(mark, "")
    if " " in body:
        body = body.replace(" ", "")
    try:
        number = Decimal(body)
    except InvalidOperation:
        raise ValueParseError(f"“{text}”不是数值") from None
    if not number.is_finite():
        raise ValueParseError(f"“{text}”不是有限的数值")
    return number


def parse_amount(raw: Any, unit: str = YUAN) -> Decimal:
    """An amount of money in yuan, quantised to 0.01.

    `unit` is the column's unit ("yuan" or "wan" for 万元); a value that names its own unit
    ("2000元", "0.2万元", "0.2万") wins over the column's. Negative amounts are refused.
    """
    if unit not in (YUAN, WAN):
        raise ValueError(f"unknown unit {unit!r}")
    if isinstance(raw, str | None):
        return amount_from_text(clean_text(raw), unit)
    return _to_yuan(parse_decimal(raw), unit, str(raw))


def amount_from_text(text: str, unit: str = YUAN) -> Decimal:
    """`parse_amount` for already cleaned text."""
    if not text:
        raise ValueParseError("金额为空")
    body = text
    if not body[-1].isdigit():
        body = body.removesuffix("人民币").rstrip()
        if body.endswith("万元"):
            unit, body = WAN, body[:-2]
        elif body.endswith("万"):
            unit, body = WAN, body[:-1]
        elif body.endswith("元"):
            unit, body = YUAN, body[:-1]
        body = body.rstrip()
    return _to_yuan(_decimal_from_text(body, text), unit, text)


def _to_yuan(number: Decimal, unit: str, text: str) -> Decimal:
    if number < 0:
        raise ValueParseError(f"金额“{text}”不能为负数")
    if unit == WAN:
        number *= TEN_THOUSAND
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_int(raw: Any) -> int:
    """A whole number; "1,200" and "12.0" are accepted, "12.5" is not."""
    if isinstance(raw, str | None):
        return int_from_text(clean_text(raw))
    return _integral(parse_decimal(raw), str(raw))


def int_from_text(text: str) -> int:
    """`parse_int` for already cleaned text."""
    if text.isdigit() and text.isascii():
        return int(text)
    return _integral(decimal_from_text(text), text)


def _integral(number: Decimal, text: str) -> int:
    if number != number.to_integral_value():
        raise ValueParseError(f"“{text}”不是整数")
    return int(number)


def parse_uscc(raw: Any) -> tuple[str, bool]:
    """The normalised USCC and whether it is a legacy pilot code; invalid codes raise."""
    return uscc_from_text(clean_text(raw))


@lru_cache(maxsize=65536)
def uscc_from_text(text: str) -> tuple[str, bool]:
    """`parse_uscc` for already cleaned text (cached: files repeat the same enterprises)."""
    if not text:
        raise ValueParseError("统一社会信用代码为空")
    # The full GB 32100 check is the slowest parser, so its verdict is remembered per spelling;
    # lru_cache does not cache exceptions, but invalid codes are the rare case.
    result = uscc.validate(text)
    if not result.valid:
        raise ValueParseError(f"统一社会信用代码“{text}”无效:" + ";".join(result.errors))
    return result.normalized, result.legacy


def parse_choice(raw: Any, choices: dict[str, str]) -> str:
    """The stored value for a label or code listed in `choices` (keys already cleaned)."""
    return choice_from_text(clean_text(raw), choices)


def choice_from_text(text: str, choices: dict[str, str]) -> str:
    """`parse_choice` for already cleaned text."""
    try:
        return choices[text]
    except KeyError:
        pass
    folded = text.lower()
    for key, value in choices.items():
        if key.lower() == folded:
            return value
    allowed = "、".join(dict.fromkeys(choices))
    raise ValueParseError(f"“{text}”不是可选值,应为 {allowed} 之一")


TRUE_WORDS = frozenset({"是", "1", "true", "yes", "y", "已撤销", "撤销", "已撤回", "撤回", "无效"})
FALSE_WORDS = frozenset({"否", "0", "false", "no", "n", "", "有效", "正常"})


def parse_bool(raw: Any) -> bool:
    """是/否 style flags; an empty cell is false."""
    return bool_from_text(clean_text(raw))


def bool_from_text(text: str) -> bool:
    """`parse_bool` for already cleaned text."""
    text = text.lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueParseError(f"“{text}”应为“是”或“否”")
