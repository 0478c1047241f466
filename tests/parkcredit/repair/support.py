"""Shared helpers of the repair tests: records with a backdated CREATED event."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count
from typing import Any

from parkcredit.enterprises.models import Enterprise
from parkcredit.records.models import CreditRecord, RecordEvent, RecordKind
from tests import factories as f

EARLY = datetime(2023, 1, 1, tzinfo=UTC)
_numbers = count(1)


def backdated_record(enterprise: Enterprise, kind: str = "penalty", **fields: Any) -> CreditRecord:
    """A record whose CREATED event is in early 2023, so any fold "as of" a later day sees it."""
    defaults: dict[str, Any] = {
        "enterprise": enterprise,
        "kind": RecordKind.objects.get(code=kind),
        "source": f.data_source(),
        "source_ref": f"测修字〔2025〕{next(_numbers)}号",
        "severity": "general",
        "decided_on": date(2025, 6, 1),
        "authority": "测试市市场监督管理局",
        "summary": "测试记录",
    }
    defaults.update(fields)
    record = CreditRecord.objects.create(**defaults)
    RecordEvent.objects.create(record=record, event_type="created", at=EARLY)
    return record


def add_event(record: CreditRecord, event_type: str, at: datetime) -> RecordEvent:
    return RecordEvent.objects.create(record=record, event_type=event_type, at=at)
