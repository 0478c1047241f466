"""Why an enterprise has its grade, and how it can improve it.

- `explain_reasons`: the indicators that cost most, in Chinese, with the records behind them.
- `improvement_path`: (1) repairs: for each negative record weighing on the grade, the score and
  grade if it were repaired now (credit repair rules come in a later issue; this is the effect);
  (2) obligations: the park bills still unpaid as of the date; (3) timeline: from which dates the
  grade rises if nothing new goes wrong: records leave their windows (a record decided on d
  leaves a window of W days on d + W days), decayed counts fade, and meeting obligations (unpaid
  bills settled now, later bills paid on their due dates) lets late bills age out of the windows.
  Indicators on other observations and on the enterprise itself are held at their as-of values,
  since the future of output or electricity is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from creditcore.catalogue import KINDS_BY_CODE, METRICS_BY_CODE
from creditcore.scoring.inputs import EnterpriseInput, ObservationInput, RecordInput
from creditcore.scoring.reference import (
    cap_fires,
    evaluate_indicator,
    kept_records,
    score_one,
    seen_records,
    veto_fires,
)
from creditcore.scoring.results import ScoreResult, assemble_result
from creditcore.scoring.spec import ModelSpec

MAX_TIMELINE_DATES = 60
DEFAULT_HORIZON_DAYS = 1095


@dataclass(frozen=True, slots=True)
class ReasonText:
    code: str
    name: str
    lost_points: float
    value: float | None
    text: str
    evidence: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RepairOption:
    record_id: int
    kind: str
    score: int
    grade: str
    gain: int


@dataclass(frozen=True, slots=True)
class Obligation:
    metric: str
    period: date
    due_on: date
    days_overdue: int
    value: float


@dataclass(frozen=True, slots=True)
class TimelineStep:
    on: date
    score: int
    grade: str
    leaving: tuple[int, ...]  # records that leave an indicator or cap window on this date
    text: str


@dataclass(frozen=True, slots=True)
class ImprovementPath:
    grade: str
    score: int
    repairs: tuple[RepairOption, ...]
    obligations: tuple[Obligation, ...]
    timeline: tuple[TimelineStep, ...]


def explain_reasons(spec: ModelSpec, result: ScoreResult) -> list[ReasonText]:
    """The reasons of a result as Chinese sentences, most points lost first."""
    by_code = {ind.code: ind for ind in spec.indicators}
    out = []
    for reason in result.reasons:
        ind = by_code[reason.code]
        item = result.indicator(reason.code)
        if item.missing:
            shown = "缺少数据"
        elif ind.source == "records" and ind.aggregate == "count":
            shown = f"{item.value:g} 条记录"
        else:
            shown = f"取值 {item.value:.2f}" if item.value is not None else ""
        text = (
            f"「{ind.name}」{shown},得 {item.points:.1f} 分(满分 {ind.max_points} 分),"
            f"失 {reason.lost_points:.1f} 分"
        )
        if reason.evidence:
            text += f",涉及 {len(reason.evidence)} 条信用记录"
        out.append(
            ReasonText(ind.code, ind.name, reason.lost_points, item.value, text + "。", reason.evidence)
        )
    return out


def _grade_rank(spec: ModelSpec, grade: str) -> int:
    return [b.grade for b in spec.bands_desc].index(grade)


def _negative_records_in_play(spec: ModelSpec, seen: Sequence[RecordInput], as_of: date) -> list[RecordInput]:
    ids: set[int] = set()
    for ind in spec.indicators:
        if ind.source == "records":
            ids.update(r.id for r in kept_records(ind, seen, as_of))
    for veto in spec.vetoes:
        ids.update(r.id for r in seen if r.kind in veto.kinds)
    for cap in spec.caps:
        ids.update(r.id for r in seen if r.kind in cap.kinds)
    return [r for r in seen if r.id in ids and KINDS_BY_CODE[r.kind].polarity.value == "negative"]


def _settle_now(observations: Sequence[ObservationInput], as_of: date) -> list[ObservationInput]:
    out = []
    for obs in observations:
        unpaid = obs.due_on is not None and (obs.settled_on is None or obs.settled_on > as_of)
        if METRICS_BY_CODE[obs.metric].is_bill and unpaid and obs.due_on is not None and obs.due_on <= as_of:
            obs = replace(obs, settled_on=max(as_of, obs.due_on))
        out.append(obs)
    return out


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def _future_bills(
    observations: Sequence[ObservationInput], as_of: date, until: date
) -> list[ObservationInput]:
    """Monthly bills after `as_of` up to `until`, paid on their due dates (obligations met)."""
    latest: dict[str, ObservationInput] = {}
    for obs in observations:
        if obs.metric not in ("rent_bill", "fee_bill") or obs.due_on is None:
            continue
        known = latest.get(obs.metric)
        if known is None or known.due_on is None or obs.due_on > known.due_on:
            latest[obs.metric] = obs
    out = []
    for last in latest.values():
        assert last.due_on is not None
        k = 1
        while (due := _add_months(last.due_on, k)) <= until:
            out.append(replace(last, period=_add_months(last.period, k), due_on=due, settled_on=due))
            k += 1
    return out


def project(
    spec: ModelSpec,
    enterprise: EnterpriseInput,
    records: Sequence[RecordInput],
    observations: Sequence[ObservationInput],
    as_of: date,
    on: date,
    current: ScoreResult,
) -> ScoreResult:
    """The result on a later date if no new negative record arrives and obligations are met."""
    seen = seen_records(records, as_of)  # nothing decided after as_of is known
    settled = _settle_now(observations, as_of)
    future = settled + _future_bills(settled, as_of, on)
    indicators = []
    for ind, now in zip(spec.indicators, current.indicators, strict=True):
        moves = ind.source == "records" or (
            ind.source == "observations" and ind.metric in ("rent_bill", "fee_bill")
        )
        indicators.append(evaluate_indicator(ind, enterprise, seen, future, on) if moves else now)
    vetoes = [v.code for v in spec.vetoes if veto_fires(v, seen)]
    caps = [c.code for c in spec.caps if cap_fires(c, seen, on)]
    return assemble_result(spec, enterprise.id, indicators, vetoes, caps)


def improvement_path(
    spec: ModelSpec,
    enterprise: EnterpriseInput,
    records: Sequence[RecordInput],
    observations: Sequence[ObservationInput],
    as_of: date,
    *,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> ImprovementPath:
    records = [r for r in records if r.enterprise_id == enterprise.id]
    observations = [o for o in observations if o.enterprise_id == enterprise.id]
    current = score_one(spec, enterprise, records, observations, as_of)
    seen = seen_records(records, as_of)

    repairs = []
    for record in _negative_records_in_play(spec, seen, as_of):
        repaired = [r if r.id != record.id else replace(r, status_as_of="repaired") for r in records]
        alt = score_one(spec, enterprise, repaired, observations, as_of)
        if alt.score > current.score or _grade_rank(spec, alt.grade) < _grade_rank(spec, current.grade):
            repairs.append(
                RepairOption(record.id, record.kind, alt.score, alt.grade, alt.score - current.score)
            )
    repairs.sort(key=lambda o: (-o.gain, o.record_id))

    obligations = []
    for obs in observations:
        due = obs.due_on
        unpaid = obs.settled_on is None or obs.settled_on > as_of
        if METRICS_BY_CODE[obs.metric].is_bill and due is not None and due <= as_of and unpaid:
            obligations.append(Obligation(obs.metric, obs.period, due, (as_of - due).days, obs.value))
    obligations.sort(key=lambda o: (o.due_on, o.metric))

    # Dates on which something leaves a window: records of indicators and caps, late bills.
    leaving: dict[date, set[int]] = {}
    horizon = as_of + timedelta(days=horizon_days)
    for ind in spec.indicators:
        if ind.source == "records":
            for r in kept_records(ind, seen, as_of):
                leaving.setdefault(r.decided_on + timedelta(days=ind.window_days), set()).add(r.id)
        elif ind.source == "observations" and ind.metric in ("rent_bill", "fee_bill"):
            for obs in observations:
                if obs.metric == ind.metric and obs.due_on is not None:
                    leaving.setdefault(obs.due_on + timedelta(days=ind.window_days), set())
    for cap in spec.caps:
        for r in seen:
            if r.kind in cap.kinds and as_of - timedelta(days=cap.window_days) < r.decided_on <= as_of:
                leaving.setdefault(r.decided_on + timedelta(days=cap.window_days), set()).add(r.id)
    dates = sorted(d for d in leaving if as_of < d <= horizon)
    if len(dates) > MAX_TIMELINE_DATES:  # keep the work bounded: sample evenly, keep the last
        step = len(dates) / MAX_TIMELINE_DATES
        dates = sorted({dates[int(i * step)] for i in range(MAX_TIMELINE_DATES)} | {dates[-1]})

    timeline = []
    best_rank = _grade_rank(spec, current.grade)
    for day in dates:
        projected = project(spec, enterprise, records, observations, as_of, day, current)
        rank = _grade_rank(spec, projected.grade)
        if rank < best_rank:
            best_rank = rank
            ids = tuple(sorted(i for d, s in leaving.items() if d <= day for i in s))
            text = f"自 {day.isoformat()} 起可升至 {projected.grade} 级({projected.score} 分)"
            if ids:
                text += f":{len(ids)} 条记录届时移出评价时间窗"
            timeline.append(TimelineStep(day, projected.score, projected.grade, ids, text + "。"))
    return ImprovementPath(current.grade, current.score, tuple(repairs), tuple(obligations), tuple(timeline))
