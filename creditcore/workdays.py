"""Working days (工作日) in mainland China: every deadline of the platform counts in these.

A day is a working day when it is Monday to Friday and not a public holiday, or when it is a
weekend day that the State Council's yearly holiday notice turns into a working day (调休上班).
The default data is the `holidays` package (China, official holidays and the adjusted working
days it calls `weekend_workdays`). The package knows the official notices up to a given year; for
later years it only has the statutory festivals with a weekend shift of its own, which is not what
the notice will say. Park staff therefore add the days of a new notice as extra holidays and extra
working days, and those win over the package data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache

from holidays.countries.china import China, ChinaStaticHolidays

# Years for which the package carries the State Council notice itself (its table of swapped days);
# other years are the package's own estimate.
_OFFICIAL_YEARS: frozenset[int] = frozenset(ChinaStaticHolidays.special_public_holidays)


@cache
def _package_year(year: int) -> tuple[dict[date, str], frozenset[date]]:
    """Holidays (date -> Chinese name) and adjusted working days of one year, from the package."""
    calendar = China(years=year, language="zh_CN")  # type: ignore[no-untyped-call]
    days = {day: str(name) for day, name in calendar.items() if day.year == year}
    workdays = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return days, workdays


class WorkCalendar:
    """A working-day calendar: package data plus staff-maintained extra holidays and workdays.

    `extra_holidays` and `extra_workdays` are iterables of dates (or of `(date, name)` pairs for
    holidays); a date may not be in both. An extra working day overrides a package holiday; an
    extra holiday overrides a package working day, adjusted or ordinary.
    """

    def __init__(
        self,
        extra_holidays: Iterable[date | tuple[date, str]] = (),
        extra_workdays: Iterable[date] = (),
    ) -> None:
        self._extra_holidays: dict[date, str] = {}
        for entry in extra_holidays:
            day, name = entry if isinstance(entry, tuple) else (entry, "园区维护的休息日")
            self._extra_holidays[day] = name
        self._extra_workdays: frozenset[date] = frozenset(extra_workdays)
        both = sorted(self._extra_workdays & self._extra_holidays.keys())
        if both:
            raise ValueError(f"日期 {both[0].isoformat()} 不能既是补充休息日又是补充工作日")

    # --- what a day is ---------------------------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        """True when `day` is a working day (adjusted working days included)."""
        if day in self._extra_workdays:
            return True
        if day in self._extra_holidays:
            return False
        package_holidays, package_workdays = _package_year(day.year)
        if day in package_workdays:
            return True
        return day.weekday() < 5 and day not in package_holidays

    def holiday_name(self, day: date) -> str | None:
        """The Chinese name of the holiday on `day`, or None when it is not a named holiday."""
        if day in self._extra_workdays:
            return None
        if day in self._extra_holidays:
            return self._extra_holidays[day]
        return _package_year(day.year)[0].get(day)

    def known_years(self) -> frozenset[int]:
        """Years whose adjusted schedule is official: in the package's notices or added by staff."""
        extra_years = {day.year for day in self._extra_workdays} | {day.year for day in self._extra_holidays}
        return _OFFICIAL_YEARS | frozenset(extra_years)

    def is_known_year(self, year: int) -> bool:
        return year in self.known_years()

    # --- counting ----------------------------------------------------------------------------------

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start itself not counted); n < 0 counts backwards.

        `add_workdays(d, 0)` is `d` itself, working day or not.
        """
        step = timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        day = start
        while remaining:
            day += step
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start.

        The inverse of `add_workdays` for n >= 0: `workdays_between(d, add_workdays(d, n)) == n`.
        Counting backwards it holds only from a working day `d` (the interval is half-open).
        """
        if end < start:
            return -self.workdays_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def next_workday(self, day: date) -> date:
        """`day` itself when it is a working day, otherwise the next working day."""
        return day if self.is_workday(day) else self.add_workdays(day, 1)


@cache
def default_calendar() -> WorkCalendar:
    """The calendar from the package data only (no staff additions)."""
    return WorkCalendar()
