"""The database as alert inputs: one query per table, only the rows a rule can look at."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

import numpy as np
from django.apps import apps
from django.db.models import FloatField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from creditcore.alerts.inputs import (
    WATCHED_METRICS,
    AlertInputs,
    Frame,
    observation_window_months,
    record_window_days,
)
from creditcore.alerts.rules import RuleSpec
from creditcore.repair import add_months
from parkcredit.enterprises.models import Enterprise
from parkcredit.records.models import CreditRecord, Observation, Relation
from parkcredit.records.selectors import record_states


def _dates(values: Iterable[date | None]) -> np.ndarray:
    return np.array([v if v is not None else "NaT" for v in values], dtype="datetime64[D]")


def _end_of_day(as_of: date) -> datetime:
    return timezone.make_aware(datetime.combine(as_of, time.max), timezone.get_default_timezone())


def records_frame(as_of: date, rules: Sequence[RuleSpec]) -> Frame:
    start = as_of - timedelta(days=record_window_days(rules))
    rows = list(
        CreditRecord.objects.filter(kind__polarity="negative", decided_on__gt=start, decided_on__lte=as_of)
        .order_by("pk")
        .values_list("pk", "enterprise_id", "kind__code", "severity", "decided_on")
    )
    states = record_states([r[0] for r in rows], _end_of_day(as_of))
    kept = [(r, states[r[0]]) for r in rows if r[0] in states and states[r[0]].exists]
    return {
        "record_id": np.array([r[0] for r, _ in kept], dtype=np.int64),
        "enterprise_id": np.array([r[1] for r, _ in kept], dtype=np.int64),
        "kind": np.array([r[2] for r, _ in kept], dtype=object),
        "polarity": np.array(["negative"] * len(kept), dtype=object),
        "severity": np.array([r[3] or "" for r, _ in kept], dtype=object),
        "decided_on": _dates(r[4] for r, _ in kept),
        "status_as_of": np.array([s.status.value for _, s in kept], dtype=object),
        "disputed": np.array([s.disputed for _, s in kept], dtype=bool),
    }


def observations_frame(as_of: date, rules: Sequence[RuleSpec]) -> Frame:
    months = observation_window_months(rules)
    first = add_months(as_of.replace(day=1), -(months + 1))
    activity = sorted({m for r in rules if r.family == "activity_drop" for m in r.param("metrics")})
    watched = Q(metric__in=WATCHED_METRICS, due_on__lte=as_of) & (
        Q(settled_on__isnull=True) | Q(settled_on__gt=as_of) | Q(due_on__gte=first)
    )
    recent = Q(metric__in=activity, period__gte=first, period__lte=as_of)
    rows = list(
        Observation.objects.filter(watched | recent)
        .annotate(value_f=Cast("value", FloatField()))
        .order_by("pk")
        .values_list("enterprise_id", "metric", "period", "value_f", "due_on", "settled_on")
    )
    return {
        "enterprise_id": np.array([r[0] for r in rows], dtype=np.int64),
        "metric": np.array([r[1] for r in rows], dtype=object),
        "period": _dates(r[2] for r in rows),
        "value": np.array([float(r[3]) for r in rows], dtype=np.float64),
        "due_on": _dates(r[4] for r in rows),
        # Settled after the run date: not known then, so still unpaid.
        "settled_on": _dates(r[5] if r[5] is not None and r[5] <= as_of else None for r in rows),
    }


def grades_frame(enterprise_ids: Iterable[int] | None = None) -> Frame:
    """Each enterprise's current grade and the grade of its score before (by date, then id)."""
    from parkcredit.scoring.models import Score

    scores = Score.objects.all()
    if enterprise_ids is not None:
        scores = scores.filter(enterprise_id__in=list(enterprise_ids))
    current: dict[int, str] = {}
    previous: dict[int, str] = {}
    rows = scores.order_by("enterprise_id", "-as_of", "-id").values_list(
        "enterprise_id", "grade", "is_current"
    )
    # One pass, newest first per enterprise: the first non-current score after the current one is
    # the score before it (newer non-current rows, if any, come before the current one and are skipped).
    for ent, grade, is_current in rows.iterator(chunk_size=5000):
        if is_current:
            current[ent] = grade
        elif ent in current and ent not in previous:
            previous[ent] = grade
    ids = sorted(current)
    return {
        "enterprise_id": np.array(ids, dtype=np.int64),
        "grade": np.array([current[i] for i in ids], dtype=object),
        "previous_grade": np.array([previous.get(i, "") for i in ids], dtype=object),
    }


def commitments_frame(as_of: date, rules: Sequence[RuleSpec]) -> Frame | None:
    """Credit commitments found breached (the commitments app), when it is installed."""
    if not apps.is_installed("parkcredit.commitments"):
        return None
    from parkcredit.commitments.models import Commitment

    start = as_of - timedelta(days=record_window_days(rules))
    rows = list(
        Commitment.objects.filter(status="breached", status_on__gt=start, status_on__lte=as_of).values_list(
            "enterprise_id", "pk", "status_on"
        )
    )
    return {
        "enterprise_id": np.array([r[0] for r in rows], dtype=np.int64),
        "commitment_id": np.array([r[1] for r in rows], dtype=np.int64),
        "broken_on": _dates(r[2] for r in rows),
    }


def relations_frame(as_of: date) -> Frame:
    rows = list(
        Relation.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=as_of))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=as_of))
        .annotate(weight_f=Cast("weight", FloatField()))
        .values_list("enterprise_id", "counterparty_id", "relation_type", "weight_f")
    )
    return {
        "enterprise_id": np.array([r[0] for r in rows], dtype=np.int64),
        "counterparty_id": np.array([r[1] for r in rows], dtype=np.int64),
        "relation_type": np.array([r[2] for r in rows], dtype=object),
        "weight": np.array([float(r[3]) for r in rows], dtype=np.float64),
    }


def alert_inputs(as_of: date, rules: Sequence[RuleSpec]) -> AlertInputs:
    """Everything the rules read about the park as of `as_of` (in-park enterprises are monitored)."""
    monitored = np.array(
        sorted(Enterprise.objects.filter(in_park=True).values_list("pk", flat=True)), dtype=np.int64
    )
    families = {r.family for r in rules}
    return AlertInputs(
        enterprise_ids=monitored,
        records=records_frame(as_of, rules),
        observations=observations_frame(as_of, rules),
        grades=grades_frame() if "grade_downgrade" in families else None,
        commitments=commitments_frame(as_of, rules) if "commitment_breach" in families else None,
        relations=relations_frame(as_of) if "chain" in families else None,
    )
