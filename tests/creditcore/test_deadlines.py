"""Working-day limits of repair steps and objections across the 2026 Spring Festival and
National Day holidays, with their adjusted working days (调休上班)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from creditcore.deadlines import (
    OBJECTION_LIMITS,
    REPAIR_LIMITS,
    Limit,
    ObjectionTrack,
    RepairStep,
    due_on,
    repair_limits,
    workdays_late,
)
from creditcore.workdays import WorkCalendar, default_calendar

CAL = default_calendar()


@pytest.mark.parametrize(
    ("start", "limit", "expected"),
    [
        # Thursday before the Spring Festival: Fri 13th, the adjusted Saturday 14th, then the
        # holiday (15th-23rd) is skipped: the 3rd working day is Tuesday 24 February.
        (date(2026, 2, 12), REPAIR_LIMITS[RepairStep.REVIEW], date(2026, 2, 24)),
        # Ten working days include the adjusted Saturday 28 February.
        (date(2026, 2, 12), REPAIR_LIMITS[RepairStep.ACCEPTANCE], date(2026, 3, 4)),
        (date(2026, 2, 13), REPAIR_LIMITS[RepairStep.DECISION], date(2026, 2, 14)),
        # An objection filed the Tuesday before National Day (1-7 October): 3 working days end
        # on 9 October, 7 working days take in the adjusted Saturday 10 October.
        (date(2026, 9, 29), OBJECTION_LIMITS[ObjectionTrack.ORDINARY], date(2026, 10, 9)),
        (date(2026, 9, 29), OBJECTION_LIMITS[ObjectionTrack.VERIFY], date(2026, 10, 14)),
        # Filed on a holiday: the count starts with the first working day after it.
        (date(2026, 10, 2), OBJECTION_LIMITS[ObjectionTrack.ORDINARY], date(2026, 10, 10)),
        # An ordinary week.
        (date(2026, 6, 1), OBJECTION_LIMITS[ObjectionTrack.ORDINARY], date(2026, 6, 4)),
    ],
)
def test_due_dates_across_holidays(start: date, limit: Limit, expected: date) -> None:
    assert due_on(CAL, start, limit) == expected


def test_limits_cite_their_rules() -> None:
    assert REPAIR_LIMITS[RepairStep.ACCEPTANCE].workdays == 10
    assert REPAIR_LIMITS[RepairStep.REVIEW].workdays == 3
    assert "22号" in REPAIR_LIMITS[RepairStep.REVIEW].rule
    assert OBJECTION_LIMITS[ObjectionTrack.ORDINARY].workdays == 3
    assert OBJECTION_LIMITS[ObjectionTrack.VERIFY].workdays == 7
    assert "第四十一条" in OBJECTION_LIMITS[ObjectionTrack.VERIFY].rule


def test_a_staff_added_holiday_moves_the_due_date() -> None:
    extra = WorkCalendar(extra_holidays=[date(2026, 6, 3)])
    limit = OBJECTION_LIMITS[ObjectionTrack.ORDINARY]
    assert due_on(extra, date(2026, 6, 1), limit) == date(2026, 6, 5)


def test_negative_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="无效"):
        due_on(CAL, date(2026, 6, 1), Limit(-1, "x"))


@pytest.mark.parametrize(
    ("due", "finished", "today", "late"),
    [
        (date(2026, 9, 30), date(2026, 9, 30), date(2026, 12, 1), 0),  # on the day
        (date(2026, 9, 30), None, date(2026, 9, 29), 0),  # still open, not yet due
        # Open over the whole National Day break: only 8 October counts as a late working day.
        (date(2026, 9, 30), None, date(2026, 10, 8), 1),
        (date(2026, 9, 30), date(2026, 10, 12), date(2026, 12, 1), 4),  # 8, 9, 10 (adjusted), 12
        # Finished on a rest day after the due date is still late.
        (date(2026, 9, 30), date(2026, 10, 3), date(2026, 12, 1), 1),
    ],
)
def test_working_days_late(due: date, finished: date | None, today: date, late: int) -> None:
    assert workdays_late(CAL, due, finished, today) == late


@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),
    n=st.integers(min_value=1, max_value=15),
)
def test_the_due_date_is_a_working_day_n_working_days_on(start: date, n: int) -> None:
    due = due_on(CAL, start, Limit(n, "test"))
    assert CAL.is_workday(due)
    assert CAL.workdays_between(start, due) == n
    assert workdays_late(CAL, due, due, due) == 0


def test_step_limits_follow_the_rule_set_in_force() -> None:
    # Order 36 / 22号 (feedback 10, decide 3) are the defaults with their citations.
    order36 = repair_limits({"feedback": 10, "decide": 3}, "2026年4月1日起规则")
    assert order36 == REPAIR_LIMITS
    # The Order 58 era set names its own numbers; the set is cited for them.
    order58 = repair_limits({"accept": 2, "decide": 5, "stop_publicity": 3}, "2026年4月1日前规则")
    assert [order58[s].workdays for s in RepairStep] == [2, 5, 3]
    assert order58[RepairStep.REVIEW].rule.startswith("2026年4月1日前规则")
    assert repair_limits(None) == REPAIR_LIMITS
