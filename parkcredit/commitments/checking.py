"""The fulfilment check: every commitment in force against later ledger data and its deadlines.

The data are read set-wise — one query for the candidate records of all commitments, one for
their events, one for the late park findings, one for the confirmations — and each commitment
gets the pure verdict of `creditcore.commitments.evaluate`. Only a change of outcome writes:
a breach (negative record, rescore, notice) or the end of the period (fulfilled or expired).
`parkcredit commitments check` runs it from cron; staff start it as a job from the list page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from creditcore.commitments import (
    Condition,
    ConditionType,
    FindingFact,
    Outcome,
    RecordFact,
    Verdict,
    evaluate,
    parse_conditions,
)
from creditcore.ledger import RecordState, Status
from parkcredit.commitments.models import Commitment, CommitmentEvent, CommitmentStatus, EventKind
from parkcredit.commitments.services import BILL_METRICS, can_manage, commitment_breach, commitment_close
from parkcredit.jobs.models import Job
from parkcredit.jobs.services import job_start
from parkcredit.records.models import CreditRecord, Observation, RecordEvent, RecordKind
from parkcredit.records.selectors import events_fold

Progress = Callable[[int, int, str], Any]

CHECK_JOB_KIND = "commitments.check"


def _text_of(row: dict[str, Any]) -> str:
    """What area key words are matched against: summary, authority and every source field."""
    payload = row.get("payload") or {}
    values = [str(v) for v in payload.values() if isinstance(v, str | int | float)]
    return " ".join([row.get("summary") or "", row.get("authority") or "", *values])


def record_stands(state: RecordState) -> bool:
    """A record breaks a commitment unless it was revoked, replaced by a correction or is under
    objection; a record since repaired or out of publicity still shows the conduct happened."""
    return state.exists and not state.disputed and state.status not in (Status.REVOKED, Status.SUPERSEDED)


def _record_facts(pending: Any, kinds: set[str], since: date, on: date) -> dict[int, list[RecordFact]]:
    if not kinds:
        return {}
    candidates = CreditRecord.objects.filter(
        enterprise_id__in=pending.filter(enterprise__isnull=False).values("enterprise_id"),
        kind__code__in=kinds,
        decided_on__lte=on,
    ).filter(Q(occurred_on__gte=since) | Q(occurred_on__isnull=True, decided_on__gte=since))
    rows = list(
        candidates.values(
            "id",
            "enterprise_id",
            "kind__code",
            "occurred_on",
            "decided_on",
            "severity",
            "summary",
            "authority",
            "payload",
        )
    )
    if not rows:
        return {}
    events: dict[int, list[RecordEvent]] = defaultdict(list)
    for event in RecordEvent.objects.filter(record__in=candidates.values("id")).order_by("at", "id"):
        events[event.record_id].append(event)
    facts: dict[int, list[RecordFact]] = defaultdict(list)
    for row in rows:
        state = events_fold(events.get(row["id"], []))
        facts[row["enterprise_id"]].append(
            RecordFact(
                record_id=row["id"],
                kind=row["kind__code"],
                on=row["occurred_on"] or row["decided_on"],
                severity=row["severity"] or "",
                text=_text_of(row),
                counts=record_stands(state),
            )
        )
    return facts


def _finding_facts(pending: Any, metrics: set[str], since: date, until: date) -> dict[int, list[FindingFact]]:
    if not metrics:
        return {}
    late_or_open = Observation.objects.filter(
        enterprise_id__in=pending.filter(enterprise__isnull=False).values("enterprise_id"),
        metric__in=metrics,
        due_on__gte=since,
        due_on__lte=until,
        value__gt=0,
    ).filter(Q(settled_on__isnull=True) | Q(settled_on__gt=F("due_on")))
    facts: dict[int, list[FindingFact]] = defaultdict(list)
    for row in late_or_open.values("id", "enterprise_id", "metric", "due_on", "settled_on", "value"):
        if row["due_on"] is None:  # excluded by the filter; narrows the type
            continue
        facts[row["enterprise_id"]].append(
            FindingFact(
                observation_id=row["id"],
                metric=row["metric"],
                due_on=row["due_on"],
                settled_on=row["settled_on"],
                value=float(row["value"]),
            )
        )
    return facts


def _delivered(pending: Any) -> dict[int, dict[int, date]]:
    done: dict[int, dict[int, date]] = defaultdict(dict)
    rows = CommitmentEvent.objects.filter(kind=EventKind.DELIVERED, commitment__in=pending).values(
        "commitment_id", "detail", "on"
    )
    for row in rows:
        index = (row["detail"] or {}).get("condition")
        if isinstance(index, int):
            done[row["commitment_id"]][index] = row["on"]
    return done


def _check_day(on: date | None) -> date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError(
            {"on": gettext("核查日期「%(day)s」晚于今天,不能预先核查") % {"day": on.isoformat()}}
        )
    return on


def commitments_verdicts(*, on: date | None = None) -> list[tuple[Commitment, Verdict]]:
    """The verdict on every commitment in force as of `on`, read set-wise; writes nothing."""
    on = _check_day(on)
    pending = Commitment.objects.filter(status=CommitmentStatus.IN_FORCE, valid_from__lte=on)
    commitments = list(pending.select_related("enterprise", "organisation", "template").order_by("pk"))
    if not commitments:
        return []
    catalogue = set(RecordKind.objects.values_list("code", flat=True))
    parsed: dict[int, tuple[Condition, ...]] = {
        c.pk: parse_conditions(c.conditions, kinds=catalogue, metrics=BILL_METRICS) for c in commitments
    }
    kinds = {k for cs in parsed.values() for c in cs if c.type is ConditionType.NO_RECORD for k in c.kinds}
    metrics = {c.metric for cs in parsed.values() for c in cs if c.type is ConditionType.RECTIFY_ON_TIME}
    since = min(c.valid_from for c in commitments)
    until = max(c.valid_until for c in commitments)
    records = _record_facts(pending, kinds, since, on)
    findings = _finding_facts(pending, metrics, since, until)
    delivered = _delivered(pending)
    return [
        (
            commitment,
            evaluate(
                parsed[commitment.pk],
                start=commitment.valid_from,
                end=commitment.valid_until,
                on=on,
                records=records.get(commitment.enterprise_id or 0, ()),
                findings=findings.get(commitment.enterprise_id or 0, ()),
                deadlines={int(i): date.fromisoformat(d) for i, d in (commitment.deadlines or {}).items()},
                delivered=delivered.get(commitment.pk, {}),
            ),
        )
        for commitment in commitments
    ]


def commitments_check(
    *, on: date | None = None, progress: Progress | None = None, dry_run: bool = False
) -> dict[str, Any]:
    """Evaluate every commitment in force as of `on` (default today) and apply the outcomes.

    Returns a JSON-able summary. Each breach or closing is its own transaction (a failure leaves
    the others done; a re-run picks up the rest). `dry_run` reports what would happen, writing nothing.
    """
    on = _check_day(on)
    verdicts = commitments_verdicts(on=on)
    summary: dict[str, Any] = {
        "on": on.isoformat(),
        "checked": len(verdicts),
        "breached": 0,
        "fulfilled": 0,
        "expired": 0,
        "in_force": 0,
        "breached_numbers": [],
    }
    if dry_run:
        summary["dry_run"] = True
    total = len(verdicts)
    for done, (commitment, verdict) in enumerate(verdicts, start=1):
        summary[verdict.outcome.value] += 1
        if verdict.outcome is Outcome.BREACHED:
            summary["breached_numbers"].append(commitment.number)
        if not dry_run:
            _apply(commitment, verdict, on)
        if progress is not None:
            progress(done, total, commitment.number)
    if verdicts and not dry_run:
        Commitment.objects.filter(pk__in=[c.pk for c, _v in verdicts]).update(last_checked_on=on)
    return summary


def _apply(commitment: Commitment, verdict: Verdict, on: date) -> None:
    if verdict.outcome is Outcome.BREACHED:
        first = verdict.breaches[0]
        commitment_breach(
            actor=None,
            commitment=commitment,
            on=on,
            reason=first.reason,
            evidence={
                "condition": first.condition,
                "since": first.on.isoformat(),
                **first.evidence,
                "breaches": len(verdict.breaches),
            },
        )
    elif verdict.outcome in (Outcome.FULFILLED, Outcome.EXPIRED):
        commitment_close(commitment=commitment, on=on, fulfilled=verdict.outcome is Outcome.FULFILLED)


def commitments_check_start(*, actor: Any) -> Job:
    """Start the fulfilment check as a background job (park administrators and staff)."""
    from parkcredit.commitments.tasks import check_task

    if not can_manage(actor):
        raise PermissionDenied(gettext("只有园区管理员和部门工作人员可以发起承诺履约核查"))
    return job_start(actor=actor, kind=CHECK_JOB_KIND, title=gettext("信用承诺履约核查"), task=check_task)
