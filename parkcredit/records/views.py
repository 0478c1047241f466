"""Record pages: thin views over `parkcredit.records.selectors`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from creditcore.ledger import EVENT_LABELS, EventType
from parkcredit.common.masking import mask_personal_text
from parkcredit.records.models import CreditRecord, RecordEvent
from parkcredit.records.selectors import events_fold, record_get_for_actor


@dataclass(frozen=True, slots=True)
class EventRow:
    event: RecordEvent
    label: str


def payload_rows(record: CreditRecord) -> list[tuple[str, Any]]:
    """The record's raw fields in the kind's catalogue order, then any extra keys the source sent,
    with personal numbers masked."""
    payload = record.payload or {}
    order = [name for name in (record.kind.payload_fields or []) if name in payload]
    extra = [name for name in payload if name not in order]
    return [(name, mask_personal_text(payload[name])) for name in (*order, *extra)]


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = record_get_for_actor(request.user, pk)
    events = list(getattr(record, "ordered_events", []))
    context = {
        "record": record,
        "state": events_fold(events),
        "events": [EventRow(event=e, label=EVENT_LABELS[EventType(e.event_type)]) for e in events],
        "payload_rows": payload_rows(record),
        # Enterprise and bank users see what happened to a record, not which staff member did it.
        "show_actors": getattr(request.user, "is_park_user", False),
    }
    return render(request, "records/detail.html", context)
