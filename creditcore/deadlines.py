"""Working-day time limits of the repair and objection procedures, and who is late.

Pure rules: each step of a repair application or an objection has a limit in working days, a
legal citation and a start date; the due date is the n-th working day after the start (the
start itself not counted), counted on a calendar that knows the Chinese public holidays and the
adjusted working days (`creditcore.workdays.WorkCalendar` or anything with the same methods).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol


class Calendar(Protocol):
    """The part of a working-day calendar the deadline rules need."""

    def is_workday(self, day: date) -> bool: ...

    def add_workdays(self, start: date, n: int) -> date: ...

    def workdays_between(self, start: date, end: date) -> int: ...


class RepairStep(StrEnum):
    ACCEPTANCE = "acceptance"  # 受理窗口:受理并转送认定部门
    REVIEW = "review"  # 认定部门审核
    DECISION = "decision"  # 信用办决定并办结


class ObjectionTrack(StrEnum):
    ORDINARY = "ordinary"  # 异议处理:一般情形
    VERIFY = "verify"  # 需信息提供单位核实


@dataclass(frozen=True, slots=True)
class Limit:
    """A time limit in working days with the rule that sets it."""

    workdays: int
    rule: str


REPAIR_LIMITS: dict[RepairStep, Limit] = {
    RepairStep.ACCEPTANCE: Limit(
        10, "国办发〔2025〕22号:自收到修复申请之日起10个工作日内转送认定部门并向申请人反馈"
    ),
    RepairStep.REVIEW: Limit(3, "国办发〔2025〕22号:认定部门自收到转送申请之日起3个工作日内作出决定"),
    RepairStep.DECISION: Limit(1, "《河南省社会信用条例》第四十三条:符合修复条件的,1个工作日内完成修复"),
}

OBJECTION_LIMITS: dict[ObjectionTrack, Limit] = {
    ObjectionTrack.ORDINARY: Limit(3, "《河南省社会信用条例》第四十一条:自收到异议申请之日起3个工作日内处理"),
    ObjectionTrack.VERIFY: Limit(
        7, "《河南省社会信用条例》第四十一条:需信息提供单位核实的,7个工作日内处理完毕"
    ),
}


def due_on(calendar: Calendar, start: date, limit: Limit) -> date:
    """The last day allowed: the `limit.workdays`-th working day after `start`."""
    if limit.workdays < 0:
        raise ValueError(f"时限「{limit.workdays}」个工作日无效")
    return calendar.add_workdays(start, limit.workdays)


def workdays_late(calendar: Calendar, due: date, finished: date | None, today: date) -> int:
    """Working days past `due`: of the finishing date, or of today while the step is open.

    0 means on time. Counting working days, not calendar days, means a step due before a
    holiday is not "late by a week" after the holiday.
    """
    end = finished if finished is not None else today
    if end <= due:
        return 0
    # Finishing on a rest day after the due date still counts as late.
    return max(calendar.workdays_between(due, end), 1)


# Keys a repair rule set may use for its procedure time limits (`creditcore.repair` rule data),
# per step, first match wins: 22号 says "feedback"/"decide", Order 58 practice "accept"/"decide"/
# "stop_publicity".
RULE_SET_KEYS: dict[RepairStep, tuple[str, ...]] = {
    RepairStep.ACCEPTANCE: ("feedback", "accept"),
    RepairStep.REVIEW: ("decide",),
    RepairStep.DECISION: ("stop_publicity",),
}


def repair_limits(deadlines: Mapping[str, int] | None = None, rule_set: str = "") -> dict[RepairStep, Limit]:
    """The step limits of the rule set in force: its own numbers where it has them (citing the
    set), the defaults of `REPAIR_LIMITS` for the steps it is silent on."""
    table = dict(deadlines or {})
    limits: dict[RepairStep, Limit] = {}
    for step, default in REPAIR_LIMITS.items():
        key = next((k for k in RULE_SET_KEYS[step] if k in table), None)
        if key is None or table[key] == default.workdays:
            limits[step] = default
        else:
            limits[step] = Limit(int(table[key]), f"{rule_set or '修复规则集'}:{table[key]}个工作日")
    return limits
