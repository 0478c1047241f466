"""Credit commitments (信用承诺): the promised conditions as data, and the fulfilment verdict.

A commitment template carries a list of conditions in plain JSON, maintained by park staff. Each
condition is one thing the checker can verify against later ledger data:

- ``no_record``: within the commitment period no credit record of the listed kinds (optionally
  only in the listed areas, matched as key words in the record's text, and only from a minimum
  severity) — e.g. "no safety or fire penalty within 12 months";
- ``rectify_on_time``: every finding of a bill-type park metric (safety inspection findings) that
  falls due in the period is rectified by its due date plus a grace of some days;
- ``deliver_by``: something promised by a deadline (materials supplied, investment made, a policy
  paid out) that park staff confirm; the deadline is a number of working days after signing,
  fixed as a date when the commitment is signed.

`parse_conditions` turns the JSON into `Condition` values with Chinese error messages naming the
condition and the field; `describe` gives the sentence that goes into the frozen commitment text,
so what the signer reads is what is checked; `evaluate` is the pure verdict for one commitment.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any


class ConditionType(StrEnum):
    NO_RECORD = "no_record"  # 承诺期内不发生特定领域的失信记录
    RECTIFY_ON_TIME = "rectify_on_time"  # 检查发现问题按期整改
    DELIVER_BY = "deliver_by"  # 在期限内完成承诺事项,由工作人员确认


CONDITION_LABELS: dict[ConditionType, str] = {
    ConditionType.NO_RECORD: "承诺期内不发生失信记录",
    ConditionType.RECTIFY_ON_TIME: "按期整改",
    ConditionType.DELIVER_BY: "限期完成承诺事项",
}

SEVERITY_ORDER: dict[str, int] = {"": 0, "minor": 1, "general": 2, "serious": 3}
SEVERITY_NAMES: dict[str, str] = {"minor": "轻微", "general": "一般", "serious": "严重"}

MAX_CONDITIONS = 20
MAX_WORKDAYS = 750  # about three years of working days
MAX_GRACE_DAYS = 90


class Outcome(StrEnum):
    IN_FORCE = "in_force"  # 履约中
    FULFILLED = "fulfilled"  # 已履约
    BREACHED = "breached"  # 已违诺
    EXPIRED = "expired"  # 已到期(无可核查条件)


class ConditionError(ValueError):
    """The conditions JSON is not valid; `problems` are Chinese messages, one per fault."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(";".join(self.problems))


@dataclass(frozen=True, slots=True)
class Condition:
    """One verifiable promise of a commitment (see the module docstring for the types)."""

    type: ConditionType
    label: str = ""
    kinds: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    min_severity: str = ""
    metric: str = ""
    grace_days: int = 0
    workdays: int = 0
    # Repair commitments: narrow `areas` to the area of the record being repaired at signing.
    same_as_record: bool = False

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type.value}
        if self.label:
            data["label"] = self.label
        if self.type is ConditionType.NO_RECORD:
            data["kinds"] = list(self.kinds)
            if self.areas:
                data["areas"] = list(self.areas)
            if self.min_severity:
                data["min_severity"] = self.min_severity
            if self.same_as_record:
                data["same_as_record"] = True
        elif self.type is ConditionType.RECTIFY_ON_TIME:
            data["metric"] = self.metric
            if self.grace_days:
                data["grace_days"] = self.grace_days
        else:
            data["workdays"] = self.workdays
        return data


def _strings(value: Any, where: str, name: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part for part in value.replace(",", ",").replace("、", ",").split(",")]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.append(f"{where}:「{name}」应为文字列表,收到「{value}」")
        return ()
    return tuple(item.strip() for item in value if item.strip())


def _integer(value: Any, where: str, name: str, low: int, high: int, problems: list[str]) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{where}:「{name}」应为整数,收到「{value}」")
        return 0
    if not low <= value <= high:
        problems.append(f"{where}:「{name}」应在 {low} 到 {high} 之间,收到「{value}」")
        return 0
    return value


_ALLOWED_KEYS: dict[ConditionType, frozenset[str]] = {
    ConditionType.NO_RECORD: frozenset({"type", "label", "kinds", "areas", "min_severity", "same_as_record"}),
    ConditionType.RECTIFY_ON_TIME: frozenset({"type", "label", "metric", "grace_days"}),
    ConditionType.DELIVER_BY: frozenset({"type", "label", "workdays"}),
}


def _parse_one(
    raw: Any, where: str, kinds: Collection[str], metrics: Collection[str], problems: list[str]
) -> Condition | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}:应为键值对,收到「{raw}」")
        return None
    try:
        kind = ConditionType(str(raw.get("type")))
    except ValueError:
        names = "、".join(t.value for t in ConditionType)
        problems.append(f"{where}:条件类型「{raw.get('type')}」无效,可选值为:{names}")
        return None
    unknown = sorted(set(raw) - _ALLOWED_KEYS[kind])
    if unknown:
        problems.append(f"{where}:「{kind.value}」类条件不认识字段「{'、'.join(unknown)}」")
    label = raw.get("label", "")
    if not isinstance(label, str) or len(label) > 200:
        problems.append(f"{where}:「label」应为不超过 200 字的文字")
        label = ""
    before = len(problems)
    if kind is ConditionType.NO_RECORD:
        codes = _strings(raw.get("kinds"), where, "kinds", problems)
        if not codes:
            problems.append(f"{where}:「kinds」至少填写一个记录类型")
        for code in codes:
            if code not in kinds:
                problems.append(f"{where}:记录类型「{code}」不在信息资源目录中")
        severity = raw.get("min_severity", "") or ""
        if severity not in SEVERITY_ORDER:
            problems.append(f"{where}:「min_severity」「{severity}」无效,可选值为 minor、general、serious")
        same = raw.get("same_as_record", False)
        if not isinstance(same, bool):
            problems.append(f"{where}:「same_as_record」应为 true 或 false,收到「{same}」")
        if len(problems) > before:
            return None
        return Condition(
            kind,
            label=label.strip(),
            kinds=codes,
            areas=_strings(raw.get("areas"), where, "areas", problems),
            min_severity=severity,
            same_as_record=bool(same),
        )
    if kind is ConditionType.RECTIFY_ON_TIME:
        metric = raw.get("metric")
        if metric not in metrics:
            problems.append(f"{where}:指标「{metric}」不是园区账单类指标(可选:{'、'.join(sorted(metrics))})")
        grace = _integer(raw.get("grace_days"), where, "grace_days", 0, MAX_GRACE_DAYS, problems)
        if len(problems) > before:
            return None
        return Condition(kind, label=label.strip(), metric=str(metric), grace_days=grace)
    workdays = _integer(raw.get("workdays"), where, "workdays", 1, MAX_WORKDAYS, problems)
    if raw.get("workdays") is None:
        problems.append(f"{where}:「workdays」(完成期限,工作日数)必须填写")
    if not label.strip():
        problems.append(f"{where}:限期完成的承诺事项必须在「label」中写明")
    if len(problems) > before:
        return None
    return Condition(kind, label=label.strip(), workdays=workdays)


def parse_conditions(raw: Any, *, kinds: Collection[str], metrics: Collection[str]) -> tuple[Condition, ...]:
    """Validate the conditions JSON of a template; raises `ConditionError` listing every fault.

    `kinds` are the record kind codes of the catalogue, `metrics` the bill-type metric codes.
    An empty list is allowed: a pure declaration (e.g. "the materials are true") whose breach
    can only be found by staff.
    """
    if raw is None or raw == "":
        return ()
    if not isinstance(raw, list):
        raise ConditionError([f"履约条件应为列表,收到「{type(raw).__name__}」"])
    if len(raw) > MAX_CONDITIONS:
        raise ConditionError([f"履约条件最多 {MAX_CONDITIONS} 条,收到 {len(raw)} 条"])
    problems: list[str] = []
    parsed = [
        _parse_one(item, f"第 {n} 条条件", kinds, metrics, problems) for n, item in enumerate(raw, start=1)
    ]
    if problems:
        raise ConditionError(problems)
    return tuple(c for c in parsed if c is not None)


def conditions_json(conditions: Iterable[Condition]) -> list[dict[str, Any]]:
    return [c.as_json() for c in conditions]


def describe(
    condition: Condition,
    *,
    kind_names: Mapping[str, str],
    metric_names: Mapping[str, str],
    deadline: date | None,
) -> str:
    """The sentence of the commitment text that states this condition (Chinese)."""
    if condition.type is ConditionType.NO_RECORD:
        names = "、".join(kind_names.get(k, k) for k in condition.kinds)
        text = f"承诺期内不发生{names}"
        if condition.areas:
            text = f"承诺期内不发生涉及{'、'.join(condition.areas)}领域的{names}"
        if condition.min_severity and condition.min_severity != "minor":
            text += f"({SEVERITY_NAMES[condition.min_severity]}及以上)"
    elif condition.type is ConditionType.RECTIFY_ON_TIME:
        name = metric_names.get(condition.metric, condition.metric)
        text = f"对承诺期内的{name}在整改期限内整改到位"
        if condition.grace_days:
            text += f"(最迟不超过期限后 {condition.grace_days} 日)"
    else:
        when = f"{deadline:%Y年%m月%d日}前" if deadline else f"签署后 {condition.workdays} 个工作日内"
        text = f"{when}完成:{condition.label}"
        return text
    if condition.label:
        text += f"({condition.label})"
    return text


def specialise(condition: Condition, *, kind: str, area: str) -> Condition:
    """A `same_as_record` condition narrowed to the record being repaired: its kind, and its area
    (violation type) when the record names one — "no repeat of the same dishonest conduct"."""
    if condition.type is not ConditionType.NO_RECORD or not condition.same_as_record:
        return condition
    return Condition(
        condition.type,
        label=condition.label,
        kinds=(kind,) if kind else condition.kinds,
        areas=(area.strip(),) if area.strip() else condition.areas,
        min_severity=condition.min_severity,
        same_as_record=False,
    )


# --- the verdict ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordFact:
    """A ledger record as the checker sees it.

    `on` is when the conduct happened (occurrence date, else decision date); `text` is what the
    area key words are matched against (summary, authority, source fields); `counts` is false for
    a record revoked, superseded or frozen by an objection.
    """

    record_id: int
    kind: str
    on: date
    severity: str = ""
    text: str = ""
    counts: bool = True


@dataclass(frozen=True, slots=True)
class FindingFact:
    """A bill-type park observation with a due date (a safety finding to rectify)."""

    observation_id: int
    metric: str
    due_on: date
    settled_on: date | None
    value: float = 1.0


@dataclass(frozen=True, slots=True)
class Breach:
    """One broken condition: which, since when, why (Chinese) and the evidence ids."""

    condition: int  # index into the conditions
    on: date
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    breaches: tuple[Breach, ...] = ()


def record_matches(condition: Condition, fact: RecordFact) -> bool:
    """Does this record fall under a no_record condition (kind, area and severity; not its date)?"""
    if fact.kind not in condition.kinds or not fact.counts:
        return False
    if (
        condition.min_severity
        and SEVERITY_ORDER.get(fact.severity, 0) < SEVERITY_ORDER[condition.min_severity]
    ):
        return False
    return not condition.areas or any(area in fact.text for area in condition.areas)


def evaluate(
    conditions: Sequence[Condition],
    *,
    start: date,
    end: date,
    on: date,
    records: Iterable[RecordFact] = (),
    findings: Iterable[FindingFact] = (),
    deadlines: Mapping[int, date] | None = None,
    delivered: Mapping[int, date] | None = None,
) -> Verdict:
    """The verdict on one commitment valid from `start` to `end` (inclusive), as of `on`.

    A breach anywhere makes the commitment breached (earliest breach first). Otherwise, once the
    period is over, it is fulfilled — or merely expired when it had no condition to verify.
    Facts after `on` are ignored, so a verdict as of a past day only uses what was known then.
    """
    deadlines = deadlines or {}
    delivered = delivered or {}
    last = min(end, on)
    records = list(records)
    findings = list(findings)
    breaches: list[Breach] = []
    for index, condition in enumerate(conditions):
        if condition.type is ConditionType.NO_RECORD:
            for fact in records:
                if start <= fact.on <= last and record_matches(condition, fact):
                    breaches.append(
                        Breach(
                            index,
                            fact.on,
                            f"{fact.on:%Y-%m-%d} 发生承诺范围内的失信记录",
                            {"record": fact.record_id},
                        )
                    )
        elif condition.type is ConditionType.RECTIFY_ON_TIME:
            for finding in findings:
                if finding.metric != condition.metric or finding.value <= 0:
                    continue
                if not start <= finding.due_on <= end:
                    continue
                limit = finding.due_on + timedelta(days=condition.grace_days)
                late = finding.settled_on > limit if finding.settled_on else limit < on
                if late:
                    breaches.append(
                        Breach(
                            index,
                            min(limit + timedelta(days=1), on),
                            f"整改期限 {limit:%Y-%m-%d} 前未整改到位",
                            {"observation": finding.observation_id},
                        )
                    )
        else:
            deadline = deadlines.get(index)
            if deadline is None:
                continue
            done = delivered.get(index)
            if (done is None and deadline < on) or (done is not None and done > deadline):
                breaches.append(
                    Breach(
                        index,
                        min(deadline + timedelta(days=1), on),
                        f"承诺事项「{condition.label}」未在 {deadline:%Y-%m-%d} 前完成",
                        {"deadline": deadline.isoformat()},
                    )
                )
    if breaches:
        breaches.sort(key=lambda b: (b.on, b.condition))
        return Verdict(Outcome.BREACHED, tuple(breaches))
    if on > end:
        return Verdict(Outcome.FULFILLED if conditions else Outcome.EXPIRED)
    return Verdict(Outcome.IN_FORCE)
