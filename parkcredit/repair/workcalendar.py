"""The park's working-day calendar: the holiday package plus the days staff maintain.

(Named `workcalendar`, not `calendar`, so the module never shadows the standard library; see
tests/test_repository_rules.py.)
"""

from __future__ import annotations

from datetime import date

from creditcore.workdays import WorkCalendar
from parkcredit.repair.models import CalendarDay, DayKind


def park_calendar() -> WorkCalendar:
    """The package calendar with every staff-maintained holiday and working day applied.

    One query; built per call so a day saved by staff counts at once in every process.
    """
    holidays: list[tuple[date, str]] = []
    workdays: list[date] = []
    for day, kind, name in CalendarDay.objects.values_list("day", "kind", "name"):
        if kind == DayKind.HOLIDAY:
            holidays.append((day, name or "园区维护的休息日"))
        else:
            workdays.append(day)
    return WorkCalendar(extra_holidays=holidays, extra_workdays=workdays)
