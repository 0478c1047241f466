"""Working-day deadlines of the supervision workflow (Chinese calendar, park-maintained days)."""

from __future__ import annotations

from datetime import date

from creditcore.workdays import WorkCalendar
from parkcredit.repair.workcalendar import park_calendar

PUBLISH_WITHIN_WORKDAYS = 20  # results are entered and published within 20 working days (domain §9)


def publish_due(inspected_on: date, work_calendar: WorkCalendar | None = None) -> date:
    """The last day to publish the result of an inspection finished on `inspected_on`."""
    return (work_calendar or park_calendar()).add_workdays(inspected_on, PUBLISH_WITHIN_WORKDAYS)


def workdays_left(due: date, today: date, work_calendar: WorkCalendar | None = None) -> int:
    """Working days from `today` to `due` (negative when overdue)."""
    return (work_calendar or park_calendar()).workdays_between(today, due)
