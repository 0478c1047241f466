"""Reads of the credit ledger: timelines, lists and a record's status as of a moment.

Every read starts from `CreditRecord.objects.visible_to(actor)`, so pages and the API share one
scope. Status is never stored: it is the fold (`creditcore.ledger.fold`) of a record's events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch
from django.http import Http404

from creditcore.ledger import Event, EventType, InvalidTransition, RecordState, apply_event, fold
from parkcredit.common.stamp import Part, StampSql
from parkcredit.records.models import CreditRecord, RecordEvent


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One record of an enterprise's timeline with its events and its folded state."""

    record: CreditRecord
    events: list[RecordEvent]
    state: RecordState


def _ordered_events() -> Prefetch[Any]:
    events = RecordEvent.objects.select_related("actor").order_by("at", "id")
    return Prefetch("events", queryset=events, to_attr="ordered_events")


def _events_of(record: CreditRecord) -> list[RecordEvent]:
    """The record's events in time order, from the prefetch cache when there is one."""
    cached = getattr(record, "ordered_events", None)
    if cached is not None:
        return list(cached)
    return list(RecordEvent.objects.filter(record=record).select_related("actor").order_by("at", "id"))


def events_fold(events: Iterable[RecordEvent], as_of: datetime | None = None) -> RecordState:
    """Fold `RecordEvent` rows; the row id breaks ties between events at the same moment."""
    return fold((Event(type=EventType(e.event_type), at=e.at, seq=e.pk or 0) for e in events), as_of=as_of)


# SQLite limits bound parameters; 900 ids keep every IN (...) well below the limit.
STATES_CHUNK = 900


def record_states(record_ids: Sequence[int], moment: datetime) -> dict[int, RecordState]:
    """The status of many records as of `moment`: one query per 900 records, not one per record.

    For set-based readers (scoring, alert rules). Ties at the same moment go by row id, as in
    `events_fold`. A record with no event up to `moment` is absent from the result (it had not
    entered the ledger yet). An event the fold refuses is skipped rather than raised: the write
    path refuses invalid histories, and one stray row must not stop a park-wide run.
    """
    states: dict[int, RecordState] = {}
    for start in range(0, len(record_ids), STATES_CHUNK):
        chunk = record_ids[start : start + STATES_CHUNK]
        _fold_into(states, RecordEvent.objects.filter(record_id__in=chunk, at__lte=moment))
    return states


def enterprise_record_states(
    enterprise_ids: Sequence[int], moment: datetime, *, decided_by: date | None = None
) -> dict[int, RecordState]:
    """`record_states` of every record of these enterprises (decided by `decided_by`, if given):
    one query per 900 enterprises, joined in the database, so a park-wide run does not send each
    record id to the database again."""
    states: dict[int, RecordState] = {}
    for start in range(0, len(enterprise_ids), STATES_CHUNK):
        chunk = enterprise_ids[start : start + STATES_CHUNK]
        events = RecordEvent.objects.filter(record__enterprise_id__in=chunk, at__lte=moment)
        if decided_by is not None:
            events = events.filter(record__decided_on__lte=decided_by)
        _fold_into(states, events)
    return states


def _fold_into(states: dict[int, RecordState], events: Any) -> None:
    rows = events.order_by("record_id", "at", "id").values_list("record_id", "event_type")
    for record_id, event_type in rows.iterator(chunk_size=5000):
        try:
            states[record_id] = apply_event(states.get(record_id, RecordState()), EventType(event_type))
        except InvalidTransition:
            continue


def record_state(record: CreditRecord, as_of: datetime | None = None) -> RecordState:
    """The record's status as of `as_of` (now when None): the fold of its events."""
    return events_fold(_events_of(record), as_of=as_of)


def _with_relations(queryset: Any) -> Any:
    related = queryset.select_related("kind", "source", "enterprise", "batch")
    return related.prefetch_related(_ordered_events())


def record_timeline(*, actor: Any, enterprise: Any, as_of: datetime | None = None) -> list[TimelineEntry]:
    """The enterprise's records the actor may see, newest first, each with events and state.

    With `as_of`, records whose CREATED event is later are left out and states are folded up to
    that moment, the same cut the fold makes. Three queries whatever the number of records.
    """
    queryset = CreditRecord.objects.visible_to(actor).filter(enterprise=enterprise)
    if as_of is not None:
        queryset = queryset.filter(events__event_type=EventType.CREATED.value, events__at__lte=as_of)
    entries: list[TimelineEntry] = []
    for record in _with_relations(queryset).order_by("-decided_on", "-id"):
        events = _events_of(record)
        entries.append(TimelineEntry(record=record, events=events, state=events_fold(events, as_of=as_of)))
    return entries


def record_get_for_actor(actor: Any, pk: int) -> CreditRecord:
    """The record `pk` if the actor may see it; Http404 for missing and forbidden alike."""
    record = _with_relations(CreditRecord.objects.visible_to(actor)).filter(pk=pk).first()
    if record is None:
        raise Http404("记录不存在")
    return record


def _parse_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def record_list(*, actor: Any, filters: Mapping[str, Any] | None = None) -> Any:
    """Visible records filtered by kind (code), category, polarity, severity, enterprise and
    decision date range (`since`, `until`, inclusive), newest first, events prefetched.

    Unknown filter values simply match nothing; unparsable dates are ignored (forms and the API
    validate them before calling here and report the error in Chinese).
    """
    filters = filters or {}
    queryset = CreditRecord.objects.visible_to(actor)
    kind = filters.get("kind")
    if kind:
        queryset = queryset.filter(kind__code=kind)
    category = filters.get("category")
    if category:
        queryset = queryset.filter(kind__category=category)
    polarity = filters.get("polarity")
    if polarity:
        queryset = queryset.filter(kind__polarity=polarity)
    severity = filters.get("severity")
    if severity:
        queryset = queryset.filter(severity=severity)
    enterprise = filters.get("enterprise")
    if enterprise:
        enterprise_pk = getattr(enterprise, "pk", enterprise)
        queryset = queryset.filter(enterprise_id=enterprise_pk)
    since = _parse_date(filters.get("since"))
    if since is not None:
        queryset = queryset.filter(decided_on__gte=since)
    until = _parse_date(filters.get("until"))
    if until is not None:
        queryset = queryset.filter(decided_on__lte=until)
    return _with_relations(queryset).order_by("-decided_on", "-id")


# --- stamp parts of cached public pages (see parkcredit.common.stamp) -----------------------------


def record_events_stamp(sql: StampSql, enterprise: str) -> Part:
    """The count and highest id of the events of the records of `enterprise` (an SQL expression of
    its id): changes with every record added, corrected (a new version and a `corrected` event),
    revoked, repaired, disputed, decided on or ended, through services and the bulk import alike.

    Records never change and events are only ever added, and a record is public only once its
    `created` event exists, so the events alone follow everything public pages show of records.
    Keep both append-only, or this part must read the records themselves.
    """
    events, records = sql.table(RecordEvent), sql.table(CreditRecord)
    return sql.tally(
        f"{events} rec_v JOIN {records} rec_r ON rec_r.id = rec_v.{sql.column(RecordEvent, 'record')} "
        f"WHERE rec_r.{sql.column(CreditRecord, 'enterprise')} = {enterprise}",
        "rec_v.id",
    )


def record_kinds_stamp(sql: StampSql) -> Part:
    """Park-wide: the audit entries about the catalogue (`RecordKind`: the kind names public pages
    show, and the polarity the publicity rules check). The admin and `catalogue_sync` audit every
    change of a kind; a change that skipped the audit would not be seen."""
    from parkcredit.audit.selectors import audit_stamp
    from parkcredit.records.models import RecordKind

    return audit_stamp(sql, RecordKind._meta.label_lower)
