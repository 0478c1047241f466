"""The reference evaluator: scores one enterprise in plain Python, exactly as spec.py defines.

It is the oracle the compiled SQL is tested against, and the incremental path for one
enterprise. Written for reading, not speed.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from creditcore.catalogue import METRICS_BY_CODE
from creditcore.scoring.inputs import EnterpriseInput, ObservationInput, RecordInput
from creditcore.scoring.results import (
    IndicatorResult,
    Reason,
    ScoreResult,
    assemble_result,
    round_score,
)
from creditcore.scoring.spec import SEVERITY_RANK, Cap, Indicator, ModelSpec, Veto

__all__ = [
    "IndicatorResult",
    "Reason",
    "ScoreResult",
    "evaluate_indicator",
    "percentile_ranks",
    "round_score",
    "score_many",
    "score_one",
]

LN2 = math.log(2.0)
DAYS_PER_YEAR = 365.25


def in_window(day: date, as_of: date, window_days: int) -> bool:
    """(as_of - window_days, as_of]."""
    return as_of - timedelta(days=window_days) < day <= as_of


def decay(day: date, as_of: date, half_life_days: int) -> float:
    return math.exp(-LN2 * (as_of - day).days / half_life_days)


def days_beyond_terms(obs: ObservationInput, as_of: date) -> int:
    assert obs.due_on is not None
    if obs.settled_on is not None and obs.settled_on <= as_of:
        return max(0, (obs.settled_on - obs.due_on).days)
    return max(0, (as_of - obs.due_on).days)


def seen_records(records: Iterable[RecordInput], as_of: date) -> list[RecordInput]:
    """Records that exist and weigh on the grade as of the date."""
    return [r for r in records if r.decided_on <= as_of and r.counts_for_scoring]


def kept_records(ind: Indicator, records: Sequence[RecordInput], as_of: date) -> list[RecordInput]:
    return [
        r
        for r in records
        if r.kind in ind.kinds
        and (not ind.severities or r.severity in ind.severities)
        and (ind.polarity is None or r.polarity == ind.polarity)
        and in_window(r.decided_on, as_of, ind.window_days)
    ]


def _obs_date(obs: ObservationInput) -> date | None:
    return obs.due_on if METRICS_BY_CODE[obs.metric].is_bill else obs.period


def kept_observations(
    metric: str, observations: Sequence[ObservationInput], as_of: date, window_days: int
) -> list[ObservationInput]:
    kept = []
    for obs in observations:
        if obs.metric != metric:
            continue
        day = _obs_date(obs)
        if day is not None and in_window(day, as_of, window_days):
            kept.append(obs)
    return kept


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _records_value(ind: Indicator, kept: Sequence[RecordInput], as_of: date) -> float | None:
    agg = ind.aggregate
    if agg == "count":
        return float(len(kept))
    if agg == "sum_amount":
        return float(sum(r.amount or 0.0 for r in kept))
    if agg == "max_severity":
        return float(max((SEVERITY_RANK.get(r.severity, 0) for r in kept), default=0))
    if agg in ("decayed_count", "decayed_sum"):
        assert ind.half_life_days is not None
        half_life = ind.half_life_days
        if agg == "decayed_count":
            return float(sum(decay(r.decided_on, as_of, half_life) for r in kept))
        return float(sum((r.amount or 0.0) * decay(r.decided_on, as_of, half_life) for r in kept))
    if agg == "latest_mapped":
        if not kept:
            return None
        latest = max(kept, key=lambda r: (r.decided_on, r.id))
        return dict(ind.value_map).get(latest.result)
    raise ValueError(f"未知的聚合方式 {agg}")  # pragma: no cover - schema rejects it


def _observations_value(
    ind: Indicator, observations: Sequence[ObservationInput], as_of: date
) -> float | None:
    agg = ind.aggregate
    kept = kept_observations(ind.metric, observations, as_of, ind.window_days)
    if agg == "trend":
        assert ind.recent_days is not None
        recent_start = as_of - timedelta(days=ind.recent_days)
        recent = [o.value for o in kept if _obs_date(o) > recent_start]  # type: ignore[operator]
        prior = [o.value for o in kept if _obs_date(o) <= recent_start]  # type: ignore[operator]
        recent_mean, prior_mean = _mean(recent), _mean(prior)
        if recent_mean is None or prior_mean is None or prior_mean <= 0:
            return None
        return recent_mean / prior_mean
    if agg == "ratio":
        den = kept_observations(ind.denominator_metric, observations, as_of, ind.window_days)
        num_mean, den_mean = _mean([o.value for o in kept]), _mean([o.value for o in den])
        if num_mean is None or den_mean is None or den_mean <= 0:
            return None
        return num_mean / den_mean
    if not kept:
        return None
    values = [o.value for o in kept]
    if agg == "sum":
        return float(sum(values))
    if agg == "mean":
        return _mean(values)
    if agg == "latest":
        return max(kept, key=lambda o: (_obs_date(o), o.value)).value
    if agg == "share":
        return sum(1 for v in values if v <= ind.threshold) / len(values)
    beyond = [days_beyond_terms(o, as_of) for o in kept]
    if agg == "days_beyond_terms":
        return sum(beyond) / len(beyond)
    if agg == "max_days_beyond":
        return float(max(beyond))
    if agg == "late_share":
        return sum(1 for d in beyond if d > ind.threshold) / len(beyond)
    raise ValueError(f"未知的聚合方式 {agg}")  # pragma: no cover - schema rejects it


def _enterprise_value(ind: Indicator, enterprise: EnterpriseInput, as_of: date) -> float | None:
    agg = ind.aggregate
    if agg == "age_years":
        if enterprise.founded_on is None or enterprise.founded_on > as_of:
            return None
        return (as_of - enterprise.founded_on).days / DAYS_PER_YEAR
    if agg == "park_years":
        entry = enterprise.park_entry_on
        if not enterprise.in_park or entry is None or entry > as_of:
            return None
        return (as_of - entry).days / DAYS_PER_YEAR
    if agg == "registered_capital":
        return None if enterprise.registered_capital is None else enterprise.registered_capital / 10_000
    if agg == "has_tag":
        held = any(
            t.tag == ind.tag and t.since <= as_of and (t.until is None or as_of <= t.until)
            for t in enterprise.tags
        )
        return 1.0 if held else 0.0
    raise ValueError(f"未知的聚合方式 {agg}")  # pragma: no cover - schema rejects it


def evaluate_indicator(
    ind: Indicator,
    enterprise: EnterpriseInput,
    records: Sequence[RecordInput],
    observations: Sequence[ObservationInput],
    as_of: date,
) -> IndicatorResult:
    """Value, points and evidence of one indicator; `records` must already be `seen_records`."""
    evidence: tuple[int, ...] = ()
    if ind.source == "records":
        kept = kept_records(ind, records, as_of)
        value = _records_value(ind, kept, as_of)
        evidence = tuple(sorted(r.id for r in kept))
    elif ind.source == "observations":
        value = _observations_value(ind, observations, as_of)
    else:
        value = _enterprise_value(ind, enterprise, as_of)
    if value is None:
        return IndicatorResult(ind.code, None, ind.missing_points(), ind.max_points, True, evidence)
    return IndicatorResult(ind.code, value, float(ind.points.apply(value)), ind.max_points, False, evidence)


def veto_fires(veto: Veto, records: Sequence[RecordInput]) -> bool:
    return any(r.kind in veto.kinds and (not veto.severity or r.severity == veto.severity) for r in records)


def cap_fires(cap: Cap, records: Sequence[RecordInput], as_of: date) -> bool:
    hits = [
        r
        for r in records
        if r.kind in cap.kinds
        and (not cap.severities or r.severity in cap.severities)
        and in_window(r.decided_on, as_of, cap.window_days)
    ]
    return len(hits) >= cap.min_count


def score_one(
    spec: ModelSpec,
    enterprise: EnterpriseInput,
    records: Iterable[RecordInput],
    observations: Iterable[ObservationInput],
    as_of: date,
) -> ScoreResult:
    """Score one enterprise as of a date from its own records and observations."""
    seen = seen_records((r for r in records if r.enterprise_id == enterprise.id), as_of)
    obs = [o for o in observations if o.enterprise_id == enterprise.id]
    indicators = [evaluate_indicator(ind, enterprise, seen, obs, as_of) for ind in spec.indicators]
    vetoes = [v.code for v in spec.vetoes if veto_fires(v, seen)]
    caps = [c.code for c in spec.caps if cap_fires(c, seen, as_of)]
    return assemble_result(spec, enterprise.id, indicators, vetoes, caps)


def score_many(
    spec: ModelSpec,
    enterprises: Iterable[EnterpriseInput],
    records: Iterable[RecordInput],
    observations: Iterable[ObservationInput],
    as_of: date,
) -> list[ScoreResult]:
    """Score every enterprise (grouping the rows by enterprise once)."""
    by_records: dict[int, list[RecordInput]] = {}
    for record in records:
        by_records.setdefault(record.enterprise_id, []).append(record)
    by_obs: dict[int, list[ObservationInput]] = {}
    for row in observations:
        by_obs.setdefault(row.enterprise_id, []).append(row)
    return [
        score_one(spec, ent, by_records.get(ent.id, []), by_obs.get(ent.id, []), as_of) for ent in enterprises
    ]


def percentile_ranks(scores: Mapping[int, int]) -> dict[int, float]:
    """Percentile of each score in the park: 100 * (below + equal / 2) / n (mid-rank, 0..100)."""
    values = sorted(scores.values())
    n = len(values)
    out: dict[int, float] = {}
    for key, score in scores.items():
        below = bisect.bisect_left(values, score)
        equal = bisect.bisect_right(values, score) - below
        out[key] = 100.0 * (below + equal / 2) / n
    return out
