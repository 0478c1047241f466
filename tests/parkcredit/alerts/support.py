"""Helpers for the alert app tests: literal ledger rows in the database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from parkcredit.records.models import Observation, Relation
from tests import factories as f


def today() -> date:
    return timezone.localdate()


def serious_penalty(enterprise: Any, days_ago: int = 5) -> Any:
    return f.make_record(
        enterprise, "penalty", severity="serious", decided_on=today() - timedelta(days=days_ago)
    )


def unpaid_rent(enterprise: Any, months: int = 4, value: str = "1000") -> list[Observation]:
    """`months` rent bills, the newest due a month ago, none paid."""
    rows = []
    start = today().replace(day=1)
    for k in range(1, months + 1):
        period = (start - timedelta(days=31 * k)).replace(day=1)
        rows.append(
            Observation.objects.create(
                enterprise=enterprise,
                metric="rent_bill",
                period=period,
                value=Decimal(value),
                due_on=period + timedelta(days=9),
                source=f.data_source(),
            )
        )
    return rows


def relation(enterprise: Any, counterparty: Any, kind: str, weight: str) -> Relation:
    return Relation.objects.create(
        enterprise=enterprise,
        counterparty=counterparty,
        relation_type=kind,
        weight=Decimal(weight),
        source=f.data_source(),
    )
