"""What the alert rules read: column frames (dicts of numpy arrays), as the scoring frames.

- ``records``: the ``ledger_records`` columns of `creditcore.scoring.frames` (status as of the
  run date already folded); only ``record_id, enterprise_id, kind, polarity, severity,
  decided_on, status_as_of, disputed`` are read.
- ``observations``: the ``ledger_observations`` columns (bills with ``due_on``/``settled_on``;
  a settlement after the run date must already be hidden, as the scoring extract does).
- ``grades``: ``enterprise_id, grade, previous_grade`` ("" when there is no earlier score).
- ``commitments``: ``enterprise_id, commitment_id, broken_on`` (broken credit commitments).
- ``relations``: ``enterprise_id, counterparty_id, relation_type, weight`` (`weight` is how much
  `enterprise_id` depends on `counterparty_id`).
- ``enterprise_ids``: the monitored enterprises; hits outside it are dropped.

Readers keep only the rows a rule can look at (`record_window_days`, `observation_window_months`,
`WATCHED_METRICS`): the app's extract (`parkcredit.alerts.extract`), the back-test's park slice
(`creditcore.alerts.evaluation.slice_park`) and the benchmark's DuckDB read, so a ledger of 10^7
rows is reduced to a few hundred thousand before the rules run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from creditcore.alerts.rules import FAMILIES, RuleSpec

Frame = dict[str, np.ndarray]

RECORD_COLUMNS = (
    "record_id",
    "enterprise_id",
    "kind",
    "polarity",
    "severity",
    "decided_on",
    "status_as_of",
    "disputed",
)
OBSERVATION_COLUMNS = ("enterprise_id", "metric", "period", "value", "due_on", "settled_on")
WATCHED_METRICS = ("rent_bill", "fee_bill", "safety_findings")


def empty_records() -> Frame:
    return {
        "record_id": np.empty(0, np.int64),
        "enterprise_id": np.empty(0, np.int64),
        "kind": np.empty(0, object),
        "polarity": np.empty(0, object),
        "severity": np.empty(0, object),
        "decided_on": np.empty(0, "datetime64[D]"),
        "status_as_of": np.empty(0, object),
        "disputed": np.empty(0, bool),
    }


def empty_observations() -> Frame:
    return {
        "enterprise_id": np.empty(0, np.int64),
        "metric": np.empty(0, object),
        "period": np.empty(0, "datetime64[D]"),
        "value": np.empty(0, np.float64),
        "due_on": np.empty(0, "datetime64[D]"),
        "settled_on": np.empty(0, "datetime64[D]"),
    }


@dataclass
class AlertInputs:
    enterprise_ids: np.ndarray
    records: Frame = field(default_factory=empty_records)
    observations: Frame = field(default_factory=empty_observations)
    grades: Frame | None = None
    commitments: Frame | None = None
    relations: Frame | None = None


def frame_rows(frame: Mapping[str, np.ndarray]) -> int:
    return len(next(iter(frame.values()))) if frame else 0


def take(frame: Mapping[str, np.ndarray], mask: np.ndarray) -> Frame:
    return {name: column[mask] for name, column in frame.items()}


def concat(frames: Iterable[Mapping[str, np.ndarray]], empty: Frame) -> Frame:
    parts = [f for f in frames if frame_rows(f)]
    if not parts:
        return empty
    return {name: np.concatenate([p[name] for p in parts]) for name in empty}


def record_window_days(rules: Iterable[RuleSpec]) -> int:
    """How far back any record rule looks (days)."""
    days = 0
    for rule in rules:
        family = FAMILIES[rule.family]
        for p in family.params:
            if p.name in {"lookback_days", "window_days"}:
                days = max(days, int(rule.param(p.name)))
    return days


def observation_window_months(rules: Iterable[RuleSpec]) -> int:
    """How many months of observations before the run any rule reads (activity or settled bills)."""
    months = 0
    for rule in rules:
        if rule.family == "activity_drop":
            months = max(months, 12 + int(rule.param("recent_months")))
        if rule.family in {"arrears", "overdue_rectification"}:
            months = max(months, int(rule.param("window_months")))
    return months
