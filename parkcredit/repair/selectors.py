"""Reads for credit repair: a record's publicity and repair window, the records the public may see,
the repair notice (信用修复告知书) and the rule set versions.

Windows come from `creditcore.repair.explain` with the park rule book (built-in sets plus
approved versions). Status is never stored: it is folded from the prefetched events, so a list of
records costs the same few queries whatever its length.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from creditcore.collection.profiles import PROFILES
from creditcore.ledger import Status
from creditcore.repair import SEVERITY_LABELS, RepairExplanation, RuleBook, RuleError, explain
from parkcredit.common.stamp import Part, StampSql
from parkcredit.records.models import CreditRecord, RecordEvent
from parkcredit.records.selectors import events_fold
from parkcredit.repair.models import CalendarDay, RepairRuleSet, RuleSetState
from parkcredit.repair.rules import park_rulebook


def _penalty_type_headers() -> tuple[str, ...]:
    """Payload headers that carry a penalty's type or field (处罚类别, 违法行为类型 and their codes)."""
    profile = PROFILES["penalty"]
    headers: list[str] = []
    for name in ("category", "category2", "violation_type"):
        column = profile.column(name)
        headers += [column.label, *column.aliases]
    return tuple(headers)


PENALTY_TYPE_HEADERS = _penalty_type_headers()


def record_penalty_type(record: CreditRecord) -> str | None:
    """The penalty types and field named in the record's source fields, joined by ";" (or None)."""
    payload = record.payload or {}
    parts = [str(payload[h]).strip() for h in PENALTY_TYPE_HEADERS if str(payload.get(h) or "").strip()]
    return ";".join(dict.fromkeys(parts)) or None


def record_severity(record: CreditRecord) -> str:
    """The record's severity; a kind with a single level implies it when the row left it blank."""
    if record.severity:
        return record.severity
    levels = list(record.kind.severities or [])
    return levels[0] if len(levels) == 1 else "general"


def today_local() -> date:
    return timezone.localdate()


def record_window(
    record: CreditRecord, *, on: date | None = None, rules: RuleBook | None = None
) -> RepairExplanation | None:
    """The record's publicity and repair window under the rule set in force on `on` (default today).

    None for records that are not dishonesty information (positive and neutral kinds) or whose
    kind has no rule. Pass `rules` when computing many windows (see `record_windows`).
    """
    if record.kind.polarity != "negative":
        return None
    day = max(on or today_local(), record.decided_on)
    try:
        return explain(
            record.kind.code,
            record_severity(record),
            record.decided_on,
            penalty_type=record_penalty_type(record),
            on=day,
            rules=rules or park_rulebook(),
        )
    except RuleError:
        return None


def record_windows(
    records: Iterable[CreditRecord], *, on: date | None = None
) -> dict[int, RepairExplanation | None]:
    """Windows of many records with one read of the rule book (records need `kind` loaded)."""
    rules = park_rulebook()
    return {record.pk: record_window(record, on=on, rules=rules) for record in records}


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)) - timedelta(
        microseconds=1
    )


def _events_prefetch() -> Prefetch[Any]:
    return Prefetch("events", queryset=RecordEvent.objects.order_by("at", "id"), to_attr="ordered_events")


def public_records(enterprise: Any, *, on: date | None = None) -> list[CreditRecord]:
    """Records of `enterprise` the public may see on `on` (default today), newest first.

    Published under the rule in force, active and not disputed as of the end of that day, decided
    by then and still within the publicity period. Each record carries `.window`. Three queries
    (records with kinds, their events, the approved rule sets; a fourth for the kind codes when
    approved versions exist) whatever the number of records.
    Public pages show kind name, decided_on, authority, source_ref, summary, amount and
    window.publicity_end, never the payload.
    """
    day = on or today_local()
    as_of = _end_of_day(day)
    queryset = (
        CreditRecord.objects.filter(enterprise=enterprise, kind__polarity="negative", decided_on__lte=day)
        .select_related("kind")
        .prefetch_related(_events_prefetch())
        .order_by("-decided_on", "-id")
    )
    rules = park_rulebook()
    shown: list[CreditRecord] = []
    for record in queryset:
        state = events_fold(record.ordered_events, as_of=as_of)
        if not state.exists or state.status is not Status.ACTIVE or state.disputed:
            continue
        window = record_window(record, on=day, rules=rules)
        if window is None or not window.published or window.ended(day):
            continue
        record.window = window
        shown.append(record)
    return shown


# --- the repair notice ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RepairNotice:
    """The content of a 信用修复告知书 for one record: when and how it can be repaired, and why."""

    record: CreditRecord
    window: RepairExplanation
    status: Status
    disputed: bool
    on: date

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.window.severity, self.window.severity)

    @property
    def repairable_now(self) -> bool:
        return self.status is Status.ACTIVE and not self.disputed and self.window.repairable_on(self.on)

    @property
    def ended(self) -> bool:
        return self.window.ended(self.on)

    @property
    def days_until_repair(self) -> int | None:
        if self.window.earliest_repair is None:
            return None
        return max(0, (self.window.earliest_repair - self.on).days)


def repair_notice(record: CreditRecord, *, on: date | None = None) -> RepairNotice | None:
    """The repair notice data for a negative record (None for other records).

    Uses the record's prefetched events (`ordered_events`) when present.
    """
    day = on or today_local()
    window = record_window(record, on=day)
    if window is None:
        return None
    events = getattr(record, "ordered_events", None)
    if events is None:
        events = list(RecordEvent.objects.filter(record=record).order_by("at", "id"))
    state = events_fold(events, as_of=_end_of_day(day))
    return RepairNotice(record=record, window=window, status=state.status, disputed=state.disputed, on=day)


# --- rule sets and the calendar ---------------------------------------------------------------


def rule_set_versions() -> Any:
    """Every stored rule set version, newest effective date and version first."""
    return RepairRuleSet.objects.select_related("created_by", "decided_by", "supersedes").order_by(
        "-effective_from", "-version"
    )


def rule_set_get(pk: int) -> RepairRuleSet:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(rule_set_versions(), pk=pk)


def calendar_days(*, year: int | None = None) -> Any:
    """Staff-maintained calendar days, optionally of one year."""
    queryset = CalendarDay.objects.select_related("created_by").order_by("day")
    if year is not None:
        queryset = queryset.filter(day__year=year)
    return queryset


# --- stamp parts of cached public pages (see parkcredit.common.stamp) -----------------------------


def rule_sets_stamp(sql: StampSql) -> Part:
    """Park-wide: the ids of the approved rule set versions, which give the publicity windows
    (public records and their publicity end) on public pages. Changes when a version is approved
    (or, were it ever possible, leaves the approved state). The built-in national sets are code."""
    table, state = sql.table(RepairRuleSet), sql.column(RepairRuleSet, "state")
    approved = sql.literal(RuleSetState.APPROVED.value)
    return sql.rows(f"{table} rep_s WHERE rep_s.{state} = {approved}", [sql.text("rep_s.id")], "rep_s.id")
