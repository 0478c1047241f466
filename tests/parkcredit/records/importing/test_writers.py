"""The ledger's own checks on parsed rows, beyond what the pure parser can know."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from parkcredit.records.importing.services import import_run
from parkcredit.records.importing.writers import (
    BatchContext,
    EnterpriseIndex,
    ObservationSink,
    RecordSink,
    RelationSink,
    RowRejected,
    jsonable,
)
from parkcredit.records.models import CreditRecord, DataSource, ImportBatch
from tests.parkcredit.records.importing.helpers import penalty_csv, penalty_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(park_admin: Any) -> BatchContext:
    source = DataSource.objects.create(code="t-src", name="测试来源", kind="department")
    batch = ImportBatch.objects.create(source=source, label="测试")
    return BatchContext(actor=park_admin, source=source, batch=batch, profile="penalty")


def record_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": "penalty",
        "source_ref": "文号-1",
        "decided_on": date(2024, 5, 1),
        "occurred_on": None,
        "severity": "general",
        "amount": Decimal("2000"),
        "authority": "某局",
        "summary": "摘要",
    }
    fields.update(overrides)
    return fields


TOMORROW = timezone.localdate() + timedelta(days=1)


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"kind": "no-such-kind"}, "记录类型"),
        ({"source_ref": ""}, "决定文书号"),
        ({"source_ref": "长" * 129}, "决定文书号"),
        ({"decided_on": None}, "决定日期"),
        ({"occurred_on": date(2024, 6, 1)}, "发生日期"),
        ({"decided_on": TOMORROW}, "决定日期"),
        ({"kind": "court-defaulter", "severity": "minor"}, "失信程度"),
        ({"amount": Decimal("-1")}, "金额"),
        ({"amount": Decimal("1e17")}, "金额"),
        ({"authority": "局" * 201}, "作出机关"),
        ({"summary": "事" * 501}, "摘要"),
    ],
)
def test_record_checks(ctx: BatchContext, overrides: dict[str, Any], column: str) -> None:
    sink = RecordSink(ctx, EnterpriseIndex())
    with pytest.raises(RowRejected) as caught:
        sink.check(record_fields(**overrides))
    assert caught.value.column == column and caught.value.reason


def test_record_check_normalises(ctx: BatchContext) -> None:
    sink = RecordSink(ctx, EnterpriseIndex())
    fields = record_fields(kind="licence", severity="general", amount=Decimal("12.345"))
    assert sink.check(fields).code == "licence"
    # A kind without severities drops one given by the file; amounts are kept to the cent.
    assert fields["severity"] == "" and fields["amount"] == Decimal("12.34")


@pytest.mark.parametrize(
    ("fields", "column"),
    [
        ({"metric": "nope", "period": date(2024, 1, 1), "value": Decimal(1)}, "指标"),
        ({"metric": "water", "period": date(2999, 1, 1), "value": Decimal(1)}, "期间"),
        ({"metric": "water", "period": date(2024, 1, 1), "value": "abc"}, "数值"),
        ({"metric": "water", "period": date(2024, 1, 1), "value": Decimal(-1)}, "数值"),
    ],
)
def test_observation_checks(ctx: BatchContext, fields: dict[str, Any], column: str) -> None:
    with pytest.raises(RowRejected) as caught:
        ObservationSink(ctx, EnterpriseIndex()).check({"due_on": None, "settled_on": None, **fields})
    assert caught.value.column == column


def test_readings_drop_bill_dates(ctx: BatchContext) -> None:
    fields = {
        "metric": "water",
        "period": date(2024, 1, 15),
        "value": Decimal("3.5"),
        "due_on": date(2024, 2, 1),
        "settled_on": date(2024, 2, 2),
    }
    assert ObservationSink(ctx, EnterpriseIndex()).check(fields) == (
        "water",
        date(2024, 1, 1),
        Decimal("3.50"),
    )
    assert fields["due_on"] is None and fields["settled_on"] is None


@pytest.mark.parametrize(
    ("fields", "column"),
    [
        ({"relation_type": "enemy", "weight": Decimal("0.1")}, "关系类型"),
        ({"weight": Decimal("2")}, "依赖度"),
    ],
)
def test_relation_checks(ctx: BatchContext, fields: dict[str, Any], column: str) -> None:
    from creditcore.collection.rows import ParsedRow

    values = {"relation_type": "supplier", "uscc": "", "counterparty_uscc": "", **fields}
    with pytest.raises(RowRejected) as caught:
        RelationSink(ctx, EnterpriseIndex())._one(ParsedRow(2, "relation", None, values, {}), values)
    assert caught.value.column == column


def test_jsonable() -> None:
    assert jsonable({"d": date(2024, 1, 2), "n": [Decimal("1.50")], "t": (1,)}) == {
        "d": "2024-01-02",
        "n": ["1.50"],
        "t": [1],
    }


def test_a_revoked_record_cannot_be_corrected(park_admin: Any, ent_a: Any) -> None:
    import_run(
        actor=park_admin, profile="penalty", data=penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "R-1"))
    )
    withdrawn = penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "R-1", status="撤销"))
    assert import_run(actor=park_admin, profile="penalty", data=withdrawn).revoked == 1
    changed = penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "R-1", amount="9"))
    report = import_run(actor=park_admin, profile="penalty", data=changed)
    assert report.error == 1 and "已撤销" in report.errors[0]["reason"]
    assert CreditRecord.objects.filter(source_ref="R-1").count() == 1


def test_changed_and_withdrawn_at_once(park_admin: Any, ent_a: Any) -> None:
    import_run(
        actor=park_admin, profile="penalty", data=penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "R-2"))
    )
    both = penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "R-2", amount="3", status="撤销"))
    report = import_run(actor=park_admin, profile="penalty", data=both)
    assert report.revoked == 1 and report.corrected == 0
    latest = CreditRecord.objects.filter(source_ref="R-2").order_by("-version").first()
    assert latest is not None and latest.version == 2 and latest.amount == Decimal("30000.00")
