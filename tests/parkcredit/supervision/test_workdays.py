"""Publication deadlines count Chinese working days: holidays skipped, adjusted workdays counted."""

from __future__ import annotations

from datetime import date

import pytest

from creditcore.workdays import WorkCalendar
from parkcredit.repair.models import CalendarDay, DayKind
from parkcredit.supervision.workdays import publish_due, workdays_left


def test_national_day_and_its_adjusted_saturday() -> None:
    calendar = WorkCalendar()
    # 2026-10-01..07 are holidays; Saturday 2026-10-10 is an adjusted working day (调休上班).
    assert publish_due(date(2026, 9, 30), calendar) == date(2026, 11, 3)
    assert calendar.is_workday(date(2026, 10, 10))


def test_spring_festival() -> None:
    assert publish_due(date(2026, 2, 13), WorkCalendar()) == date(2026, 3, 19)


def test_extra_days_from_the_calendar() -> None:
    base = publish_due(date(2026, 11, 20), WorkCalendar())
    assert base == date(2026, 12, 18)
    shifted = publish_due(date(2026, 11, 20), WorkCalendar(extra_holidays=[date(2026, 12, 1)]))
    assert shifted == date(2026, 12, 21)
    assert workdays_left(date(2026, 12, 18), date(2026, 12, 21), WorkCalendar()) == -1


@pytest.mark.django_db
def test_park_maintained_holidays_count() -> None:
    CalendarDay.objects.create(day=date(2026, 12, 1), kind=DayKind.HOLIDAY, name="园区停电检修")
    assert publish_due(date(2026, 11, 20)) == date(2026, 12, 21)
