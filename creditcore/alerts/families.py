"""The subject rule families: set-based checks over record and observation frames.

Every family is one pass of numpy masks and group-bys over the whole park, never a Python loop
per enterprise or per row; Python objects are built only for the enterprises that fire.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from creditcore.alerts.hits import Hit
from creditcore.alerts.inputs import AlertInputs, Frame, frame_rows, take
from creditcore.alerts.rules import GRADE_ORDER, RuleSpec
from creditcore.catalogue import KINDS_BY_CODE, METRICS_BY_CODE

FamilyFn = Callable[[AlertInputs, RuleSpec, date], list[Hit]]


def _day(as_of: date, minus_days: int = 0) -> np.datetime64:
    return np.datetime64(as_of - timedelta(days=minus_days), "D")


def _kind_name(code: str) -> str:
    spec = KINDS_BY_CODE.get(code)
    return spec.name if spec else code


def _group_ids(enterprise_ids: np.ndarray, values: np.ndarray) -> dict[int, list[int]]:
    """{enterprise id: its values} for the (few) rows that fired."""
    groups: dict[int, list[int]] = {}
    for ent, value in zip(enterprise_ids.tolist(), values.tolist(), strict=True):
        groups.setdefault(int(ent), []).append(value)
    return groups


def _one_of(column: np.ndarray, values: list[str] | tuple[str, ...] | frozenset[str]) -> np.ndarray:
    """`column` equals any of a few codes: element-wise comparisons, much cheaper than np.isin on
    object arrays of millions of strings (which sorts them)."""
    mask = np.zeros(len(column), bool)
    for value in values:
        mask |= column == value
    return mask


def _counts(enterprise_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.unique(enterprise_ids, return_counts=True)


def _valid_records(records: Frame) -> np.ndarray:
    n = frame_rows(records)
    if n == 0:
        return np.zeros(0, bool)
    return (
        (records["polarity"] == "negative")
        & (records["status_as_of"] == "active")
        & ~records["disputed"].astype(bool)
    )


def _recent(records: Frame, as_of: date, days: int) -> np.ndarray:
    decided = records["decided_on"]
    return (decided > _day(as_of, days)) & (decided <= _day(as_of))


def _record_hits(
    rule: RuleSpec, records: Frame, mask: np.ndarray, describe: Callable[[list[str]], str]
) -> list[Hit]:
    """One hit per enterprise with rows in `mask`, grouped over plain lists of the few rows that fired."""
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return []
    rows = rows[np.argsort(records["enterprise_id"][rows], kind="stable")]
    ents = records["enterprise_id"][rows].tolist()
    kinds = records["kind"][rows].tolist()
    ids = records["record_id"][rows].tolist()
    days = records["decided_on"][rows].astype(str).tolist()
    hits = []
    start = 0
    for end in range(1, len(rows) + 1):
        if end < len(rows) and ents[end] == ents[start]:
            continue
        group_kinds = sorted(set(kinds[start:end]))
        group_ids = tuple(sorted(ids[start:end]))
        hits.append(
            Hit(
                rule.code,
                rule.family,
                int(ents[start]),
                rule.severity,
                describe(group_kinds),
                {"records": len(group_ids), "kinds": group_kinds, "latest": max(days[start:end])},
                group_ids,
            )
        )
        start = end
    return hits


EXCLUDED_FROM_SERIOUS = frozenset({"court-defaulter", "commitment-breach"})


def serious_record(inputs: AlertInputs, rule: RuleSpec, as_of: date) -> list[Hit]:
    rec = inputs.records
    if frame_rows(rec) == 0:
        return []
    mask = (
        _valid_records(rec)
        & (rec["severity"] == "serious")
        & _recent(rec, as_of, int(rule.param("lookback_days")))
        & ~_one_of(rec["kind"], EXCLUDED_FROM_SERIOUS)
    )
    days = int(rule.param("lookback_days"))
    return _record_hits(
        rule,
        rec,
        mask,
        lambda kinds: f"近 {days} 天新增严重失信记录:{'、'.join(_kind_name(k) for k in kinds)}",
    )


def court_defaulter(inputs: AlertInputs, rule: RuleSpec, as_of: date) -> list[Hit]:
    rec = inputs.records
    if frame_rows(rec) == 0:
        return []
    days = int(rule.param("lookback_days"))
    mask = _valid_records(rec) & (rec["kind"] == "court-defaulter") & _recent(rec, as_of, days)
    return _record_hits(rule, rec, mask, lambda _kinds: f"近 {days} 天被列为失信被执行人")


def commitment_breach(inputs: AlertInputs, rule: RuleSpec, as_of: date) -> list[Hit]:
    rec = inputs.records
    days = int(rule.param("lookback_days"))
    hits: dict[int, Hit] = {}
    if frame_rows(rec):
        mask = _valid_records(rec) & (rec["kind"] == "commitment-breach") & _recent(rec, as_of, days)
        for hit in _record_hits(rule, rec, mask, lambda _kinds: f"近 {days} 天新增违反信用承诺记录"):
            hits[hit.enterprise_id] = hit
    com = inputs.commitments
    if com is not None and frame_rows(com):
        broken = com["broken_on"]
        mask = (broken > _day(as_of, days)) & (broken <= _day(as_of))
        for ent, rows in _group_ids(com["enterprise_id"][mask], np.flatnonzero(mask)).items():
            if ent in hits:
                continue
            ids = sorted(int(i) for i in com["commitment_id"][rows])
            hits[ent] = Hit(
                rule.code,
                rule.family,
                ent,
                rule.severity,
                f"近 {days} 天有 {len(ids)} 项信用承诺未履行",
                {"commitments": ids},
            )
    return list(hits.values())


def repeated_penalties(inputs: AlertInputs, rule: RuleSpec, as_of: date) -> list[Hit]:
    rec = inputs.records
    if frame_rows(rec) == 0:
        return []
    window, need = int(rule.param("window_days")), int(rule.param("min_count"))
    kinds = list(rule.param("kinds"))
    mask = _valid_records(rec) & _one_of(rec["kind"], kinds) & _recent(rec, as_of, window)
    ids, counts = _counts(rec["enterprise_id"][mask])
    firing = set(ids[counts >= need].tolist())
    mask &= np.isin(rec["enterprise_id"], list(firing))
    names = "、".join(_kind_name(k) for k in kinds)
    return _record_hits(rule, rec, mask, lambda _k: f"近 {window} 天内{names}累计达到 {need} 次以上")


def _window_start(as_of: date, months: int) -> np.datetime64:
    return (np.datetime64(as_of, "M") - np.timedelta64(months, "M")).astype("datetime64[D]")


def _late_days(obs: Frame, as_of: date) -> np.ndarray:
    """Days each bill was (or still is) past due: settlement or today minus due date."""
    end = np.where(np.isnat(obs["settled_on"]), _day(as_of), obs["settled_on"])
    return (end - obs["due_on"]).astype(np.int64)


def arrears(inputs: AlertInputs, rule: RuleSpec, as_of: date) -> list[Hit]:
    obs = inputs.observations
    if frame_rows(obs) == 0:
        return []
    days, need = int(rule.param("min_days")), int(rule.param("min_bills"))
    since = _window_start(as_of, int(rule.param("window_months")))
    bills = _one_of(obs["metric"], list(rule.param("metrics"))) & (obs["due_on"] <= _day(as_of))
    unpaid = np.isnat(obs["settled_on"])
    late = np.zeros(frame_rows(obs), np.int64)
    late[bills] = _late_days(take(obs, bills), as_of)
    mask = bills & (late > days) & (unpaid | (obs["due_on"] >= since))
    ent = obs["enterprise_id"][mask]
    ids, inverse, counts = np.unique(ent, return_inverse=True, return_counts=True)
    worst = np.zeros(len(ids), np.int64)
    np.maximum.at(worst, inverse, late[mask])
    open_count = np.bincount(inverse, weights=unpaid[mask].astype(np.float64), minlength=len(ids))
    owed = np.bincount(inverse, weights=np.where(unpaid[mask], obs["value"][mask], 0.0), minlength=len(ids))
    keep = counts >= need
    hits = []
    for ent, n, unpaid_n, amount, longest in zip(
        ids[keep].tolist(),
        counts[keep].tolist(),
        open_count[keep].tolist(),
        owed[keep].tolist(),
        worst[keep].tolist(),
        strict=True,
    ):
        hits.append(
            Hit(
                rule.code,
                rule.family,
                int(ent),
                rule.severity,
                f"{n} 笔房租物业费账单逾期超过 {days} 天(其中 {int(unpaid_n)} 笔至今未结清,"
                f"欠缴 {amount:,.0f} 元),最长逾期 {longest} 天",
                {"bills": n, "unpaid": int(unpaid_n), "max_days": longest, "amount": round(amount, 2)},
            )
        )
    return hits


def overdue_rectification(inputs: AlertInputs, rule: RuleSpec, as_of: date) -> list[Hit]:
    obs = inputs.observations
    if frame_rows(obs) == 0:
        return []
    grace, need = int(rule.param("grace_days")), int(rule.param("min_items"))
    since = _window_start(as_of, int(rule.param("window_months")))
    found = (obs["metric"] == "safety_findings") & (obs["value"] > 0) & (obs["due_on"] >= since)
    found &= obs["due_on"] < _day(as_of, grace)
    late = np.zeros(frame_rows(obs), np.int64)
    late[found] = _late_days(take(obs, found), as_of)
    mask = found & (late > grace)
    ent = obs["enterprise_id"][mask]
    ids, inverse = np.unique(ent, return_inverse=True)
    items = np.bincount(inverse, weights=obs["value"][mask], minlength=len(ids))
    still_open = np.bincount(
        inverse,
        weights=np.where(np.isnat(obs["settled_on"][mask]), obs["value"][mask], 0.0),
        minlength=len(ids),
    )
    oldest = np.full(len(ids), np.iinfo(np.int64).max, np.int64)
    np.minimum.at(oldest, inverse, obs["due_on"][mask].astype(np.int64))
    keep = items >= need
    dues = oldest[keep].astype("datetime64[D]").astype(str).tolist()
    hits = []
    for ent, n, open_n, due in zip(
        ids[keep].tolist(), items[keep].tolist(), still_open[keep].tolist(), dues, strict=True
    ):
        hits.append(
            Hit(
                rule.code,
                rule.family,
                int(ent),
                rule.severity,
                f"{int(n)} 项安全隐患超过整改期限(其中 {int(open_n)} 项至今未整改),最早期限 {due}",
                {"items": int(n), "open": int(open_n), "earliest_due": due},
            )
        )
    return hits


def activity_drop(inputs: AlertInputs, rule: RuleSpec, as_of: date) -> list[Hit]:
    """Year-on-year: the last `recent_months` complete months against the same months a year before."""
    obs = inputs.observations
    if frame_rows(obs) == 0:
        return []
    months, drop = int(rule.param("recent_months")), float(rule.param("drop"))
    this_month = np.datetime64(as_of, "M")
    # A month counts once it is over, so the run on the 1st sees the month before completely.
    last = this_month - np.timedelta64(1, "M")
    recent_from = last - np.timedelta64(months - 1, "M")
    period = obs["period"].astype("datetime64[M]")
    best: dict[int, tuple[str, float, float, float]] = {}
    for metric in rule.param("metrics"):
        is_metric = obs["metric"] == metric
        recent = is_metric & (period >= recent_from) & (period <= last)
        before = (
            is_metric
            & (period >= recent_from - np.timedelta64(12, "M"))
            & (period <= last - np.timedelta64(12, "M"))
        )
        ent_now, now_sum, now_n = _sum_by(obs["enterprise_id"][recent], obs["value"][recent])
        ent_then, then_sum, then_n = _sum_by(obs["enterprise_id"][before], obs["value"][before])
        common, i, j = np.intersect1d(ent_now, ent_then, assume_unique=True, return_indices=True)
        full = (now_n[i] == months) & (then_n[j] == months) & (then_sum[j] > 0)
        now_i, then_j = now_sum[i], then_sum[j]
        ratio = np.where(full, now_i / np.where(then_j > 0, then_j, 1.0), 1.0)
        fired = np.flatnonzero(ratio < 1.0 - drop)
        for ent, r, now, then in zip(
            common[fired].tolist(),
            ratio[fired].tolist(),
            now_i[fired].tolist(),
            then_j[fired].tolist(),
            strict=True,
        ):
            fall = 1.0 - r
            if ent not in best or fall > best[ent][1]:
                best[ent] = (metric, fall, now, then)
    hits = []
    for ent, (metric, fall, now, then) in sorted(best.items()):
        name = METRICS_BY_CODE[metric].name if metric in METRICS_BY_CODE else metric
        hits.append(
            Hit(
                rule.code,
                rule.family,
                ent,
                rule.severity,
                f"近 {months} 个月{name}同比下降 {fall:.0%}",
                {
                    "metric": metric,
                    "drop": round(fall, 4),
                    "recent": round(now, 2),
                    "year_before": round(then, 2),
                },
            )
        )
    return hits


def _sum_by(ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    uniq, inverse, counts = np.unique(ids, return_inverse=True, return_counts=True)
    return uniq, np.bincount(inverse, weights=values, minlength=len(uniq)), counts


def grade_downgrade(inputs: AlertInputs, rule: RuleSpec, as_of: date) -> list[Hit]:
    grades = inputs.grades
    if grades is None or frame_rows(grades) == 0:
        return []
    steps, targets = int(rule.param("min_steps")), set(rule.param("to_grades"))
    rank = np.vectorize(lambda g: GRADE_ORDER.get(str(g), -1), otypes=[np.int64])
    now, before = rank(grades["grade"]), rank(grades["previous_grade"])
    mask = (before >= 0) & (now - before >= steps) & _one_of(grades["grade"], sorted(targets))
    hits = []
    for k in np.flatnonzero(mask):
        old, new = str(grades["previous_grade"][k]), str(grades["grade"][k])
        hits.append(
            Hit(
                rule.code,
                rule.family,
                int(grades["enterprise_id"][k]),
                rule.severity,
                f"信用等级由 {old} 级下调为 {new} 级",
                {"from": old, "to": new},
            )
        )
    return hits


SUBJECT_FAMILIES: dict[str, FamilyFn] = {
    "serious_record": serious_record,
    "court_defaulter": court_defaulter,
    "repeated_penalties": repeated_penalties,
    "arrears": arrears,
    "activity_drop": activity_drop,
    "overdue_rectification": overdue_rectification,
    "grade_downgrade": grade_downgrade,
    "commitment_breach": commitment_breach,
}
