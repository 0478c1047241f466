"""The park calendar: package data plus the days staff maintain, read in one query."""

from __future__ import annotations

from datetime import date
from typing import Any

from parkcredit.repair.models import CalendarDay, DayKind
from parkcredit.repair.workcalendar import park_calendar


def test_park_calendar_applies_staff_days(db: Any, django_assert_num_queries: Any) -> None:
    CalendarDay.objects.create(day=date(2027, 2, 11), kind=DayKind.HOLIDAY, name="春节")
    CalendarDay.objects.create(day=date(2027, 2, 20), kind=DayKind.WORKDAY)
    with django_assert_num_queries(1):
        calendar = park_calendar()
    assert not calendar.is_workday(date(2027, 2, 11))
    assert calendar.holiday_name(date(2027, 2, 11)) == "春节"
    assert calendar.is_workday(date(2027, 2, 20))
    assert calendar.is_known_year(2027)
    # Package data is still there underneath.
    assert calendar.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)


def test_park_calendar_without_staff_days_is_the_package(db: Any) -> None:
    calendar = park_calendar()
    assert not calendar.is_known_year(2027)
    assert calendar.is_workday(date(2026, 2, 14))
