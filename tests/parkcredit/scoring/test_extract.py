"""The ledger as of a date: folded statuses, hidden later payments, rating results, fingerprints."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from creditcore.ledger import Status
from parkcredit.enterprises.models import EnterpriseTag
from parkcredit.records.models import Observation
from parkcredit.scoring.extract import RESULT_FIELDS, enterprise_fingerprint, ledger_extract, run_fingerprint
from tests import factories as f
from tests.parkcredit.scoring.conftest import AS_OF, add_event, add_record

pytestmark = pytest.mark.django_db


def test_result_fields_match_the_synthetic_catalogue() -> None:
    from creditcore.synth.kinds import MODELS_BY_CODE

    from_synth = {
        code: field
        for code, model in MODELS_BY_CODE.items()
        for field, template in (model.payload or {}).items()
        if template == "{result}"
    }
    assert from_synth == RESULT_FIELDS


def test_status_as_of_follows_the_events(park: dict[str, Any]) -> None:
    ent = park["clean"]
    repaired = add_record(ent, decided_on=date(2026, 1, 10))
    add_event(repaired, "repaired", date(2026, 3, 1))
    disputed = add_record(ent, decided_on=date(2026, 2, 10))
    add_event(disputed, "disputed", date(2026, 2, 20))
    later = add_record(ent, decided_on=date(2026, 2, 1), entered=date(2026, 7, 1))
    future = add_record(ent, decided_on=date(2026, 7, 1))
    rows = {r.id: r for r in ledger_extract(as_of=date(2026, 2, 28)).records_of(ent.pk)}
    assert rows[repaired.pk].status_as_of == Status.ACTIVE.value
    assert rows[disputed.pk].disputed is True
    assert later.pk not in rows  # entered after the date
    assert future.pk not in rows  # decided after the date
    rows = {r.id: r for r in ledger_extract(as_of=AS_OF).records_of(ent.pk)}
    assert rows[repaired.pk].status_as_of == Status.REPAIRED.value
    assert rows[repaired.pk].counts_for_scoring is False
    assert later.pk not in rows


def test_invalid_history_does_not_abort(park: dict[str, Any]) -> None:
    record = add_record(park["clean"], decided_on=date(2026, 1, 10))
    add_event(record, "dispute_rejected", date(2026, 1, 20))  # no dispute to reject: skipped
    row = ledger_extract(as_of=AS_OF).records_of(park["clean"].pk)[0]
    assert row.status_as_of == Status.ACTIVE.value


def test_rating_result_and_amount(park: dict[str, Any]) -> None:
    add_record(
        park["clean"],
        "tax-credit-grade",
        decided_on=date(2026, 4, 20),
        severity="",
        payload={"评价年度": "2025", "纳税信用等级": "B"},
    )
    add_record(park["clean"], decided_on=date(2026, 4, 21), amount=Decimal("1234.50"))
    rows = ledger_extract(as_of=AS_OF).records_of(park["clean"].pk)
    assert [r.result for r in rows if r.kind == "tax-credit-grade"] == ["B"]
    assert [r.amount for r in rows if r.kind == "penalty"] == [1234.5]


def test_payment_after_the_date_is_hidden(park: dict[str, Any]) -> None:
    Observation.objects.create(
        enterprise=park["clean"],
        metric="rent_bill",
        period=date(2026, 7, 1),
        value=Decimal("100"),
        due_on=date(2026, 7, 10),
        settled_on=date(2026, 8, 1),
        source=f.data_source("test-park"),
    )
    bill = [
        o
        for o in ledger_extract(as_of=date(2026, 7, 20)).observations_of(park["clean"].pk)
        if o.period == date(2026, 7, 1)
    ]
    assert bill[0].settled_on is None
    bill = [
        o
        for o in ledger_extract(as_of=date(2026, 8, 5)).observations_of(park["clean"].pk)
        if o.period == date(2026, 7, 1)
    ]
    assert bill[0].settled_on == date(2026, 8, 1)


def test_tags_entry_and_subset(park: dict[str, Any]) -> None:
    ent = park["clean"]
    ent.park_entry_on = date(2026, 7, 1)
    ent.save()
    EnterpriseTag.objects.create(enterprise=ent, tag="high_tech", since=None, until=date(2027, 1, 1))
    EnterpriseTag.objects.create(enterprise=ent, tag="gazelle", since=date(2026, 9, 1))
    inputs = ledger_extract(as_of=AS_OF, enterprise_ids=[ent.pk])
    assert [e.id for e in inputs.enterprises] == [ent.pk]
    (row,) = inputs.enterprises
    assert row.park_entry_on is None  # not yet in the park on that date
    assert [t.tag for t in row.tags] == ["high_tech"]


def test_fingerprint_changes_with_inputs(park: dict[str, Any]) -> None:
    ent = park["penalised"]
    inputs = ledger_extract(as_of=AS_OF)
    (row,) = [e for e in inputs.enterprises if e.id == ent.pk]
    first = enterprise_fingerprint(inputs, row, "spec")
    assert first == enterprise_fingerprint(ledger_extract(as_of=AS_OF), row, "spec")
    assert first != enterprise_fingerprint(inputs, row, "other spec")
    add_record(ent, decided_on=date(2026, 6, 1))
    again = ledger_extract(as_of=AS_OF)
    (row2,) = [e for e in again.enterprises if e.id == ent.pk]
    assert enterprise_fingerprint(again, row2, "spec") != first
    assert run_fingerprint([(2, "b"), (1, "a")]) == run_fingerprint([(1, "a"), (2, "b")])
