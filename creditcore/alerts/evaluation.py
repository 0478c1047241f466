"""Back-test of the alert rules on a synthetic park with its held-apart future (docs/synth.md).

The rules run as a monthly job would: on the first day of each of the `months` months up to the
park's `as_of` (after one warm-up run a month earlier, so conditions already true before the
window do not count as new). At each run, every input is cut to what was known that day: records
decided by then with their status folded as of then, bills settled later shown as unpaid.

- alert volume: new (rule, enterprise) pairs per run, i.e. alerts opened per month; an alert stays
  open while its rule keeps firing, so a persisting condition is counted once;
- an enterprise counts as alerted when any rule fired for it in the window;
- recall: share of enterprises with a serious event in the `horizon_days` after `as_of` that
  were alerted; precision: share of alerted enterprises that had one.

Everything streams the park in chunks and keeps only the rows a rule can look at.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from creditcore.alerts.engine import evaluate
from creditcore.alerts.inputs import (
    RECORD_COLUMNS,
    WATCHED_METRICS,
    AlertInputs,
    Frame,
    concat,
    empty_observations,
    observation_window_months,
    record_window_days,
)
from creditcore.alerts.rules import RuleSpec
from creditcore.catalogue import KINDS_BY_CODE
from creditcore.repair import add_months
from creditcore.scoring.frames import resolve_status
from creditcore.synth import iter_event_chunks, iter_observation_chunks, iter_record_chunks
from creditcore.synth.enterprises import enterprise_table
from creditcore.synth.relations import RELATION_TYPES, outcome_arrays, relation_arrays
from creditcore.synth.spec import ParkSpec, day_number

NEGATIVE_KINDS = np.array(
    sorted(c for c, k in KINDS_BY_CODE.items() if k.polarity.value == "negative"), dtype=object
)


@dataclass
class ParkSlice:
    """The part of a synthetic ledger any rule can read in the evaluation window."""

    records: Frame  # negative records in the window, status not yet folded
    events: dict[str, np.ndarray]  # their later events
    observations: Frame
    relations: Frame
    relation_from: np.ndarray  # datetime64[D]
    relation_to: np.ndarray
    monitored: np.ndarray  # in-park enterprise ids
    rows_seen: dict[str, int]


def run_dates(as_of: date, months: int) -> list[date]:
    """The warm-up run and the `months` monthly runs ending on `as_of`."""
    return [add_months(as_of, -k) for k in range(months, -1, -1)]


def slice_park(
    spec: ParkSpec, rules: Sequence[RuleSpec], dates: Sequence[date], chunk_rows: int = 500_000
) -> ParkSlice:
    first, last = min(dates), max(dates)
    record_from = np.datetime64(first - timedelta(days=record_window_days(rules)), "D")
    last_day = np.datetime64(last, "D")
    seen = {"records": 0, "events": 0, "observations": 0}
    kept: list[Frame] = []
    for chunk in iter_record_chunks(spec, chunk_rows):
        seen["records"] += len(chunk["record_id"])
        mask = (
            np.isin(chunk["kind"], NEGATIVE_KINDS)
            & (chunk["decided_on"] > record_from)
            & (chunk["decided_on"] <= last_day)
        )
        part = {
            name: chunk[name][mask]
            for name in ("record_id", "enterprise_id", "kind", "severity", "decided_on")
        }
        part["polarity"] = np.full(int(mask.sum()), "negative", dtype=object)
        kept.append(part)
    records = {
        name: np.concatenate([k[name] for k in kept])
        for name in ("record_id", "enterprise_id", "kind", "polarity", "severity", "decided_on")
    }
    ids_sorted = np.sort(records["record_id"])
    ev_parts = []
    for chunk in iter_event_chunks(spec, chunk_rows):
        seen["events"] += len(chunk["record_id"])
        pos = np.minimum(np.searchsorted(ids_sorted, chunk["record_id"]), max(len(ids_sorted) - 1, 0))
        mask = (
            ids_sorted[pos] == chunk["record_id"]
            if len(ids_sorted)
            else np.zeros(len(chunk["record_id"]), bool)
        )
        ev_parts.append({name: chunk[name][mask] for name in ("record_id", "event_type", "at")})
    events = {name: np.concatenate([p[name] for p in ev_parts]) for name in ("record_id", "event_type", "at")}

    months = observation_window_months(rules)
    activity_from = (np.datetime64(first, "M") - np.timedelta64(months + 1, "M")).astype("datetime64[D]")
    activity = sorted({m for r in rules if r.family == "activity_drop" for m in r.param("metrics")})
    first_day = np.datetime64(first, "D")
    obs_parts = []
    for chunk in iter_observation_chunks(spec, chunk_rows):
        seen["observations"] += len(chunk["enterprise_id"])
        watched = (
            np.isin(chunk["metric"], WATCHED_METRICS)
            & (chunk["due_on"] <= last_day)
            & (
                np.isnat(chunk["settled_on"])
                | (chunk["settled_on"] > first_day)
                | (chunk["due_on"] >= activity_from)
            )
        )
        act = (
            np.isin(chunk["metric"], activity)
            & (chunk["period"] >= activity_from)
            & (chunk["period"] <= last_day)
        )
        keep = watched | act
        obs_parts.append({name: chunk[name][keep] for name in empty_observations()})
    observations = concat(obs_parts, empty_observations())

    rel = relation_arrays(spec)
    type_names = np.array([str(t) for t in RELATION_TYPES], dtype=object)
    relations = {
        "enterprise_id": rel.enterprise + 1,
        "counterparty_id": rel.counterparty + 1,
        "relation_type": type_names[rel.relation_type],
        "weight": rel.weight,
    }
    seen["relations"] = len(rel.weight)
    table = enterprise_table(spec)
    return ParkSlice(
        records=records,
        events=events,
        observations=observations,
        relations=relations,
        relation_from=rel.valid_from.astype("datetime64[D]"),
        relation_to=rel.valid_to.astype("datetime64[D]"),
        monitored=np.flatnonzero(table.in_park).astype(np.int64) + 1,
        rows_seen=seen,
    )


def inputs_on(park: ParkSlice, day: date) -> AlertInputs:
    """What was known on `day`: records decided by then (status folded), open bills, live relations."""
    d = np.datetime64(day, "D")
    rec = park.records
    mask = rec["decided_on"] <= d
    records = {name: rec[name][mask] for name in rec}
    status, disputed = resolve_status(
        records["record_id"], park.events["record_id"], park.events["event_type"], park.events["at"], day
    )
    records["status_as_of"] = status
    records["disputed"] = disputed
    records = {name: records[name] for name in RECORD_COLUMNS}
    obs = park.observations
    keep = (obs["period"] <= d) & ((obs["due_on"] <= d) | np.isnat(obs["due_on"]))
    observations = {name: obs[name][keep] for name in obs}
    settled = observations["settled_on"]
    observations["settled_on"] = np.where(settled > d, np.datetime64("NaT", "D"), settled).astype(
        "datetime64[D]"
    )
    live = (park.relation_from <= d) & (np.isnat(park.relation_to) | (park.relation_to > d))
    relations = {name: col[live] for name, col in park.relations.items()}
    return AlertInputs(
        enterprise_ids=park.monitored, records=records, observations=observations, relations=relations
    )


def backtest(
    spec: ParkSpec,
    rules: Sequence[RuleSpec],
    *,
    months: int = 3,
    horizon_days: int = 91,
    park: ParkSlice | None = None,
) -> dict[str, Any]:
    """Alert volume, precision and recall of `rules` on `spec`'s park (see the module docstring)."""
    dates = run_dates(spec.as_of, months)
    park = park or slice_park(spec, rules, dates)
    previous: set[tuple[str, int]] = set()
    new_per_run: list[int] = []
    alerted: set[int] = set()
    by_rule: dict[str, int] = {}
    for k, day in enumerate(dates):
        hits = evaluate(inputs_on(park, day), rules, day)
        current = {(h.rule_code, h.enterprise_id) for h in hits}
        if k > 0:
            new = current - previous
            new_per_run.append(len(new))
            for code, _ in new:
                by_rule[code] = by_rule.get(code, 0) + 1
            alerted |= {ent for _, ent in current}
        previous = current
    table = enterprise_table(spec)
    out = outcome_arrays(spec)
    as_of = day_number(spec.as_of)
    happened = out.event & (out.on > as_of) & (out.on <= as_of + horizon_days) & table.in_park
    event_ids = set((np.flatnonzero(happened) + 1).tolist())
    population = int(table.in_park.sum())
    caught = len(alerted & event_ids)
    return {
        "enterprises": population,
        "events": len(event_ids),
        "alerted": len(alerted),
        "caught": caught,
        "recall": caught / len(event_ids) if event_ids else 0.0,
        "precision": caught / len(alerted) if alerted else 0.0,
        "alerts_per_100_per_month": 100.0 * float(np.mean(new_per_run)) / population if population else 0.0,
        "new_alerts_by_rule": dict(sorted(by_rule.items())),
        "rows_seen": park.rows_seen,
    }
