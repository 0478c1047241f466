"""Fixtures of the scoring tests: a small published model and a tiny park with a known ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from parkcredit.enterprises.models import Enterprise
from parkcredit.records.models import CreditRecord, Observation, RecordEvent, RecordKind
from parkcredit.scoring.models import ModelState, ScoringModel
from tests import factories as f

SMALL_YAML = (Path(__file__).parent / "small_model.yaml").read_text(encoding="utf-8")
AS_OF = date(2026, 6, 30)


def moment(day: date, hour: int = 9) -> datetime:
    """09:00 in the park (01:00 UTC) of `day`."""
    return datetime(day.year, day.month, day.day, hour - 8, tzinfo=UTC)


def add_record(
    enterprise: Enterprise,
    kind: str = "penalty",
    *,
    decided_on: date,
    entered: date | None = None,
    severity: str = "general",
    **fields: Any,
) -> CreditRecord:
    """A record written straight to the ledger, entered (CREATED event) on `entered`."""
    record = CreditRecord.objects.create(
        enterprise=enterprise,
        kind=RecordKind.objects.get(code=kind),
        source=f.data_source(),
        source_ref=f"测字〔{decided_on.year}〕{CreditRecord.objects.count() + 1}号",
        severity=severity,
        decided_on=decided_on,
        **fields,
    )
    RecordEvent.objects.create(record=record, event_type="created", at=moment(entered or decided_on))
    return record


def add_event(record: CreditRecord, event_type: str, day: date) -> RecordEvent:
    return RecordEvent.objects.create(record=record, event_type=event_type, at=moment(day))


def add_rent_bills(enterprise: Enterprise, *, late: int, months: int = 12, end: date = AS_OF) -> None:
    """`months` monthly rent bills up to `end`; the last `late` of them paid 20 days late."""
    source = f.data_source("test-park")
    year, month = end.year, end.month
    periods = []
    for _ in range(months):
        periods.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    periods.reverse()
    for index, period in enumerate(periods):
        due = date(period.year, period.month, 10)
        is_late = index >= months - late
        settled = date(period.year, period.month, 30 if period.month != 2 else 28) if is_late else due
        Observation.objects.create(
            enterprise=enterprise,
            metric="rent_bill",
            period=period,
            value=Decimal("10000.00"),
            due_on=due,
            settled_on=settled,
            source=source,
        )


def publish(spec_yaml: str = SMALL_YAML, version: int = 1, code: str = "test_model") -> ScoringModel:
    return ScoringModel.objects.create(
        code=code,
        version=version,
        name="测试评价模型",
        spec_yaml=spec_yaml,
        state=ModelState.PUBLISHED,
        published_at=timezone.now(),
    )


@pytest.fixture
def small_yaml() -> str:
    return SMALL_YAML


@pytest.fixture
def published(db: Any) -> ScoringModel:
    return publish()


@pytest.fixture
def park(db: Any) -> dict[str, Enterprise]:
    """Three in-park enterprises (clean, one with penalties, one late payer) and one outside."""
    clean = f.make_enterprise("清白科技有限公司", founded_on=date(2010, 1, 1))
    penalised = f.make_enterprise("受罚机械有限公司", founded_on=date(2010, 1, 1))
    late = f.make_enterprise("拖欠材料有限公司", founded_on=date(2025, 1, 1))
    outside = f.make_enterprise("园区外供应商有限公司", in_park=False)
    add_record(penalised, decided_on=date(2026, 3, 1))
    add_record(penalised, decided_on=date(2026, 5, 1))
    add_rent_bills(clean, late=0)
    add_rent_bills(late, late=8)
    return {"clean": clean, "penalised": penalised, "late": late, "outside": outside}
