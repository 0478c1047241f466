"""Undoing a batch also takes back the revocations it made."""

from __future__ import annotations

from typing import Any

import pytest

from parkcredit.records.importing.services import import_batch_undo, import_run
from parkcredit.records.models import CreditRecord, ImportBatch
from parkcredit.records.selectors import record_state
from tests.parkcredit.records.importing.helpers import penalty_csv, penalty_line

pytestmark = pytest.mark.django_db


def _run(actor: Any, *lines: str) -> ImportBatch:
    report = import_run(actor=actor, profile="penalty", data=penalty_csv(*lines), file_name="p.csv")
    return ImportBatch.objects.get(pk=report.batch_id)


def _current(ref: str) -> CreditRecord:
    return CreditRecord.objects.filter(source_ref=ref).order_by("-version").first()  # type: ignore[return-value]


def test_undo_restores_an_earlier_record_the_batch_revoked(park_admin: Any, ent_a: Any) -> None:
    _run(park_admin, penalty_line(ent_a.name, ent_a.uscc, "R-1"))
    revoking = _run(park_admin, penalty_line(ent_a.name, ent_a.uscc, "R-1", status="撤销"))
    assert record_state(_current("R-1")).status.value == "revoked"

    import_batch_undo(actor=park_admin, batch=revoking)

    current = _current("R-1")
    assert current.version == 2 and record_state(current).status.value == "active"
    assert current.amount == CreditRecord.objects.get(source_ref="R-1", version=1).amount


def test_undo_restores_the_version_before_a_correction_that_also_revoked(park_admin: Any, ent_a: Any) -> None:
    _run(park_admin, penalty_line(ent_a.name, ent_a.uscc, "R-2", amount="0.2"))
    both = _run(park_admin, penalty_line(ent_a.name, ent_a.uscc, "R-2", amount="0.5", status="撤销"))
    assert record_state(_current("R-2")).status.value == "revoked"

    import_batch_undo(actor=park_admin, batch=both)

    current = _current("R-2")
    assert record_state(current).status.value == "active"
    assert str(current.amount) == "2000.00"
