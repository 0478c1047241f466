"""Permission-matrix rows for the repair rule pages: park roles read the rules, versions and the
calendar; archive editors submit versions, review them, maintain the calendar and start the
sweep; everybody else gets 403. Rule sets and calendar days are park-wide objects."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.parkcredit.matrix_support import EDITORS, PARK, Row, World, only


def by_draft_rule_set(role: str, w: World) -> dict[str, Any]:
    from creditcore.repair_rules import BUILTIN_RULE_SETS
    from parkcredit.repair.services import rule_set_submit

    row = rule_set_submit(actor=w.users["dept_staff"], rules=dict(BUILTIN_RULE_SETS[1]), note="矩阵版本")
    return {"pk": row.pk}


def by_calendar_day(role: str, w: World) -> dict[str, Any]:
    from parkcredit.repair.models import CalendarDay

    return {"pk": CalendarDay.objects.create(day=date(2027, 2, 11), kind="holiday", name="春节").pk}


ROWS: tuple[Row, ...] = (
    Row("repair:rules", "get", only(PARK)),
    Row("repair:rule_new", "get", only(EDITORS)),
    Row("repair:rule_new", "post", only(EDITORS)),  # empty form: shown again with its errors
    Row("repair:rule_detail", "get", only(PARK), by_draft_rule_set, by_draft_rule_set),
    Row("repair:rule_decide", "post", only(EDITORS, allowed=302), by_draft_rule_set, by_draft_rule_set),
    Row("repair:calendar", "get", only(PARK)),
    Row("repair:calendar", "post", only(EDITORS)),
    Row("repair:calendar_remove", "post", only(EDITORS, allowed=302), by_calendar_day, by_calendar_day),
    Row("repair:sweep", "post", only(EDITORS, allowed=302)),
)
