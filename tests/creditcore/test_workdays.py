"""Working days: the 2026 Spring Festival and National Day with their adjusted workdays, staff
additions for years the package does not know, and properties of the counting functions.

The expected days are written out by hand from the State Council's 2026 holiday notice
(春节 2月15日至23日放假调休，2月14日(周六)、2月28日(周六)上班；国庆节 10月1日至7日放假调休，
9月20日(周日)、10月10日(周六)上班), and cross-checked with the package's own data below.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from holidays.countries.china import China
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcore.workdays import WorkCalendar, default_calendar

CAL = default_calendar()
D = date

SPRING_2026_OFF = [D(2026, 2, day) for day in range(15, 24)]
NATIONAL_2026_OFF = [D(2026, 10, day) for day in range(1, 8)]
ADJUSTED_2026 = [D(2026, 2, 14), D(2026, 2, 28), D(2026, 9, 20), D(2026, 10, 10)]


def test_package_data_matches_the_2026_notice() -> None:
    package = China(years=2026)  # type: ignore[no-untyped-call]
    assert {D(2026, 2, 14), D(2026, 2, 28), D(2026, 9, 20), D(2026, 10, 10)} <= package.weekend_workdays
    # Every weekday of the two breaks is a package holiday; the weekend days are simply weekends.
    for day in SPRING_2026_OFF + NATIONAL_2026_OFF:
        assert day in package or day.weekday() >= 5, day


@pytest.mark.parametrize("day", SPRING_2026_OFF + NATIONAL_2026_OFF)
def test_every_day_of_the_2026_breaks_is_off(day: date) -> None:
    assert not CAL.is_workday(day)


@pytest.mark.parametrize("day", ADJUSTED_2026)
def test_adjusted_weekend_days_are_workdays(day: date) -> None:
    assert day.weekday() >= 5
    assert CAL.is_workday(day)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Spring Festival 2026.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Friday -> the adjusted Saturday
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # over the whole break
        (D(2026, 2, 12), 3, D(2026, 2, 24)),
        (D(2026, 2, 10), 10, D(2026, 3, 2)),  # 10 working days, 28 February counted
        (D(2026, 2, 16), 1, D(2026, 2, 24)),  # started inside the break
        # National Day 2026.
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Friday -> the adjusted Sunday
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # the adjusted Saturday
        (D(2026, 9, 30), 4, D(2026, 10, 12)),
        (D(2026, 9, 28), 7, D(2026, 10, 13)),  # 29, 30 | 8, 9, 10 (Sat), 12, 13
        # Ordinary week, zero and backwards.
        (D(2026, 3, 6), 1, D(2026, 3, 9)),
        (D(2026, 3, 6), 0, D(2026, 3, 6)),
        (D(2026, 2, 24), -1, D(2026, 2, 14)),
        (D(2026, 10, 12), -4, D(2026, 9, 30)),
    ],
)
def test_add_workdays_across_the_holidays(start: date, n: int, expected: date) -> None:
    assert CAL.add_workdays(start, n) == expected
    assert CAL.workdays_between(start, expected) == n


def test_workdays_between_counts_the_end_not_the_start() -> None:
    assert CAL.workdays_between(D(2026, 9, 30), D(2026, 10, 12)) == 4
    assert CAL.workdays_between(D(2026, 10, 12), D(2026, 9, 30)) == -4
    assert CAL.workdays_between(D(2026, 2, 15), D(2026, 2, 23)) == 0
    assert CAL.workdays_between(D(2026, 3, 2), D(2026, 3, 2)) == 0


def test_holiday_names_come_from_the_package_in_chinese() -> None:
    assert CAL.holiday_name(D(2026, 2, 17)) == "春节"
    assert CAL.holiday_name(D(2026, 10, 1)) == "国庆节"
    assert CAL.holiday_name(D(2026, 3, 2)) is None


def test_known_years_are_the_package_notices_plus_staff_additions() -> None:
    assert 2026 in CAL.known_years()
    assert 2027 not in CAL.known_years()
    assert not CAL.is_known_year(2027)
    staff = WorkCalendar(extra_workdays=[D(2027, 2, 20)])
    assert staff.is_known_year(2027)


def test_staff_additions_override_the_package() -> None:
    # A year the package does not know: the staff enter the new notice's days.
    day_off = D(2027, 2, 11)  # a Thursday
    worked_saturday = D(2027, 2, 20)
    assert CAL.is_workday(day_off) and not CAL.is_workday(worked_saturday)
    staff = WorkCalendar(extra_holidays=[(day_off, "春节")], extra_workdays=[worked_saturday])
    assert not staff.is_workday(day_off)
    assert staff.holiday_name(day_off) == "春节"
    assert staff.is_workday(worked_saturday)
    # An extra workday may also cancel a package holiday.
    assert WorkCalendar(extra_workdays=[D(2026, 10, 7)]).is_workday(D(2026, 10, 7))
    assert WorkCalendar(extra_workdays=[D(2026, 10, 7)]).holiday_name(D(2026, 10, 7)) is None


def test_a_day_cannot_be_both_extra_holiday_and_extra_workday() -> None:
    with pytest.raises(ValueError, match="2027-02-11"):
        WorkCalendar(extra_holidays=[D(2027, 2, 11)], extra_workdays=[D(2027, 2, 11)])


def test_next_workday() -> None:
    assert CAL.next_workday(D(2026, 10, 1)) == D(2026, 10, 8)
    assert CAL.next_workday(D(2026, 10, 8)) == D(2026, 10, 8)


# --- properties ---------------------------------------------------------------------------------

days = st.dates(min_value=D(2024, 1, 1), max_value=D(2027, 12, 31))
counts = st.integers(min_value=1, max_value=60)
extra_days = st.sets(st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31)), max_size=8)


@settings(max_examples=60, deadline=None)
@given(start=days, n=counts)
def test_add_workdays_lands_on_a_workday_after_start(start: date, n: int) -> None:
    end = CAL.add_workdays(start, n)
    assert end > start
    assert CAL.is_workday(end)
    assert CAL.workdays_between(start, end) == n
    assert CAL.add_workdays(end, -n) <= start


@settings(max_examples=60, deadline=None)
@given(start=days, n=counts, m=counts)
def test_add_workdays_is_monotonic_and_composes(start: date, n: int, m: int) -> None:
    if n < m:
        assert CAL.add_workdays(start, n) < CAL.add_workdays(start, m)
    assert CAL.add_workdays(CAL.add_workdays(start, n), m) == CAL.add_workdays(start, n + m)


@settings(max_examples=60, deadline=None)
@given(start=days, later=st.integers(min_value=0, max_value=120))
def test_workdays_between_is_a_count_of_workdays(start: date, later: int) -> None:
    end = start + timedelta(days=later)
    expected = sum(1 for i in range(1, later + 1) if CAL.is_workday(start + timedelta(days=i)))
    assert CAL.workdays_between(start, end) == expected
    assert CAL.workdays_between(end, start) == -expected


@settings(max_examples=40, deadline=None)
@given(holidays_=extra_days, workdays_=extra_days, start=st.dates(D(2026, 1, 1), D(2026, 12, 1)), n=counts)
def test_properties_hold_with_staff_additions(
    holidays_: set[date], workdays_: set[date], start: date, n: int
) -> None:
    calendar = WorkCalendar(extra_holidays=holidays_, extra_workdays=workdays_ - holidays_)
    end = calendar.add_workdays(start, n)
    assert calendar.is_workday(end)
    assert calendar.workdays_between(start, end) == n
    for day in holidays_:
        assert not calendar.is_workday(day)
    for day in workdays_ - holidays_:
        assert calendar.is_workday(day)


def test_the_inverse_holds_backwards_only_from_a_workday() -> None:
    # Documented limit of the half-open interval: from a Saturday, one working day back is the
    # Friday, and (Friday, Saturday] holds no working day.
    saturday = D(2026, 3, 7)
    friday = CAL.add_workdays(saturday, -1)
    assert friday == D(2026, 3, 6)
    assert CAL.workdays_between(saturday, friday) == 0
    monday = D(2026, 3, 9)
    assert CAL.workdays_between(monday, CAL.add_workdays(monday, -1)) == -1
