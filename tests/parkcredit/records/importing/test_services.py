"""The import service: outcomes per row, idempotency, corrections, revocations, queue, undo."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from creditcore.collection.readers import open_table
from parkcredit.audit.models import AuditEntry
from parkcredit.enterprises.models import Enterprise
from parkcredit.records.importing.services import (
    ImportFileError,
    import_batch_undo,
    import_run,
    unmatched_create_subject,
    unmatched_link,
)
from parkcredit.records.models import (
    BatchStatus,
    CreditRecord,
    ImportBatch,
    RecordEvent,
    UnmatchedRow,
    UnmatchedState,
)
from parkcredit.records.selectors import record_state
from tests.parkcredit.records.importing.helpers import penalty_csv, penalty_line, unknown_uscc

pytestmark = pytest.mark.django_db


def run(actor: Any, data: bytes, **kwargs: Any) -> Any:
    kwargs.setdefault("profile", "penalty")
    kwargs.setdefault("file_name", "penalty.csv")
    return import_run(actor=actor, data=data, **kwargs)


def test_new_rows_are_written_with_created_events_and_one_audit_entry(
    park_admin: Any, ent_a: Any, ent_b: Any
) -> None:
    data = penalty_csv(
        penalty_line(ent_a.name, ent_a.uscc, "豫市监罚〔2024〕1号"),
        penalty_line(ent_b.name, ent_b.uscc.lower(), "豫市监罚〔2024〕2号", amount="1.5"),
    )
    audits = AuditEntry.objects.count()
    report = run(park_admin, data)
    assert report.as_dict()["new"] == 2 and report.error == 0 and report.status == BatchStatus.DONE
    record = CreditRecord.objects.get(source_ref="豫市监罚〔2024〕2号")
    assert record.enterprise == ent_b
    assert record.amount == Decimal("15000.00")
    assert record.batch_id == report.batch_id and record.version == 1
    assert record.payload["违法事实"] == "未按规定公示年度报告"
    assert list(record.events.values_list("event_type", flat=True)) == ["created"]
    assert AuditEntry.objects.count() == audits + 1
    assert AuditEntry.objects.latest("seq").action == "import.completed"
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.rows_written == 2 and batch.counts["new"] == 2 and len(batch.file_sha256) == 64


def test_reimport_adds_nothing_and_counts_duplicates(park_admin: Any, ent_a: Any) -> None:
    data = penalty_csv(
        penalty_line(ent_a.name, ent_a.uscc, "文号-1"), penalty_line(ent_a.name, ent_a.uscc, "文号-2")
    )
    run(park_admin, data)
    again = run(park_admin, data)
    assert again.counts() == {
        "new": 0,
        "duplicate": 2,
        "corrected": 0,
        "revoked": 0,
        "error": 0,
        "unmatched": 0,
    }
    assert CreditRecord.objects.count() == 2
    assert RecordEvent.objects.count() == 2


def test_changed_content_is_a_correction_with_a_new_version(park_admin: Any, ent_a: Any) -> None:
    run(park_admin, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-1", amount="0.2")))
    report = run(park_admin, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-1", amount="0.3")))
    assert report.corrected == 1 and report.new == 0
    first, second = CreditRecord.objects.filter(source_ref="文号-1").order_by("version")
    assert (first.version, second.version) == (1, 2)
    assert second.supersedes == first and second.amount == Decimal("3000.00")
    assert record_state(first).status.value == "superseded"
    assert record_state(second).status.value == "active"
    # The corrected content again is now a duplicate of the current version.
    assert (
        run(park_admin, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-1", amount="0.3"))).duplicate
        == 1
    )


def test_withdrawn_decision_is_recorded_as_revoked(park_admin: Any, ent_a: Any) -> None:
    run(park_admin, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-9")))
    report = run(park_admin, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-9", status="已撤销")))
    assert report.revoked == 1
    record = CreditRecord.objects.get(source_ref="文号-9")
    assert record_state(record).status.value == "revoked"
    again = run(park_admin, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-9", status="已撤销")))
    assert (
        again.duplicate == 1 and RecordEvent.objects.filter(record=record, event_type="revoked").count() == 1
    )


def test_new_withdrawn_row_is_written_and_revoked(park_admin: Any, ent_a: Any) -> None:
    report = run(park_admin, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-7", status="撤销")))
    assert report.revoked == 1 and report.new == 0
    record = CreditRecord.objects.get(source_ref="文号-7")
    assert [e.event_type for e in record.events.order_by("at", "id")] == ["created", "revoked"]


def test_same_reference_twice_in_one_file(park_admin: Any, ent_a: Any) -> None:
    data = penalty_csv(
        penalty_line(ent_a.name, ent_a.uscc, "文号-3", amount="0.1"),
        penalty_line(ent_a.name, ent_a.uscc, "文号-3", amount="0.1"),
        penalty_line(ent_a.name, ent_a.uscc, "文号-3", amount="0.4"),
    )
    report = run(park_admin, data)
    assert (report.new, report.duplicate, report.corrected) == (1, 1, 1)
    assert CreditRecord.objects.filter(source_ref="文号-3").count() == 2


def test_unknown_uscc_goes_to_the_queue_then_link_writes_it(park_admin: Any, ent_a: Any) -> None:
    other = unknown_uscc()
    report = run(park_admin, penalty_csv(penalty_line("未建档企业有限公司", other, "文号-5")))
    assert report.unmatched == 1 and CreditRecord.objects.count() == 0
    row = UnmatchedRow.objects.get()
    assert row.uscc == other and row.state == UnmatchedState.PENDING and row.parsed["source_ref"] == "文号-5"
    assert row.payload["行政相对人名称"] == "未建档企业有限公司"
    # Re-importing the same file does not queue it twice.
    assert run(park_admin, penalty_csv(penalty_line("未建档企业有限公司", other, "文号-5"))).duplicate == 1
    assert UnmatchedRow.objects.count() == 1
    unmatched_link(actor=park_admin, row=row, enterprise=ent_a)
    row.refresh_from_db()
    assert row.state == UnmatchedState.LINKED and row.result["outcome"] == "new"
    record = CreditRecord.objects.get(source_ref="文号-5")
    assert record.enterprise == ent_a and record.decided_on.isoformat() == "2024-05-01"
    assert record.amount == Decimal("2000.00")
    with pytest.raises(ValidationError):
        unmatched_link(actor=park_admin, row=row, enterprise=ent_a)


def test_name_only_match_is_never_automatic(park_admin: Any, ent_a: Any) -> None:
    report = run(park_admin, penalty_csv(penalty_line(ent_a.name, "", "文号-6")))
    assert report.unmatched == 1 and CreditRecord.objects.count() == 0
    row = UnmatchedRow.objects.get()
    with pytest.raises(ValidationError):
        unmatched_create_subject(actor=park_admin, row=row, in_park=True)


def test_create_subject_resolves_the_row(dept_staff: Any) -> None:
    other = unknown_uscc()
    run(dept_staff, penalty_csv(penalty_line("园外供应商有限公司", other, "文号-8")))
    row = UnmatchedRow.objects.get()
    unmatched_create_subject(actor=dept_staff, row=row, in_park=False)
    enterprise = Enterprise.objects.get(uscc=other)
    assert enterprise.name == "园外供应商有限公司" and enterprise.in_park is False
    row.refresh_from_db()
    assert row.state == UnmatchedState.CREATED and row.enterprise == enterprise
    assert CreditRecord.objects.get(source_ref="文号-8").enterprise == enterprise


def test_errors_are_reported_and_returned_in_the_original_layout(park_admin: Any, ent_a: Any) -> None:
    data = penalty_csv(
        penalty_line(ent_a.name, ent_a.uscc, "文号-10"),
        penalty_line(ent_a.name, ent_a.uscc, "文号-11", day="2024-13-45"),
        penalty_line(ent_a.name, "91410000ABCDEFGHIJ", "文号-12"),
    )
    report = run(park_admin, data)
    assert (report.new, report.error) == (1, 2)
    assert {e["row"] for e in report.errors} == {3, 4}
    date_error = next(e for e in report.errors if e["row"] == 3)
    assert (
        date_error["column"] == "处罚决定日期"
        and date_error["value"] == "2024-13-45"
        and date_error["reason"]
    )
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert batch.error_file_name.endswith(".csv")
    table = open_table(bytes(batch.error_file))
    assert table.headers[-1] == "错误原因"
    rows = list(table.rows())
    assert [r.values["行政处罚决定书文号"] for r in rows] == ["文号-11", "文号-12"]
    assert "处罚决定日期" in rows[0].values["错误原因"]


def test_strict_mode_writes_nothing_when_a_row_is_bad(park_admin: Any, ent_a: Any) -> None:
    data = penalty_csv(
        penalty_line(ent_a.name, ent_a.uscc, "文号-20"),
        penalty_line(ent_a.name, ent_a.uscc, "文号-21", day="坏日期"),
    )
    report = run(park_admin, data, strict=True)
    assert report.status == BatchStatus.REFUSED and report.error == 1 and report.new == 0
    assert CreditRecord.objects.count() == 0
    assert AuditEntry.objects.latest("seq").action == "import.refused"
    assert ImportBatch.objects.get(pk=report.batch_id).error_file_name
    good = run(park_admin, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-20")), strict=True)
    assert good.status == BatchStatus.DONE and good.new == 1


def test_gb18030_file_is_read(park_admin: Any, ent_a: Any) -> None:
    report = run(park_admin, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-30"), encoding="gb18030"))
    assert report.new == 1
    assert ImportBatch.objects.get(pk=report.batch_id).encoding == "gb18030"


def test_unreadable_file_and_unknown_profile(park_admin: Any) -> None:
    with pytest.raises(ImportFileError):
        run(park_admin, b"PK\x03\x04not really a zip")
    with pytest.raises(ImportFileError, match="导入模板"):
        run(park_admin, penalty_csv(), profile="nope")
    with pytest.raises(ImportFileError, match="数据来源"):
        run(park_admin, penalty_csv(), source="no-such-source")


@pytest.mark.parametrize("member", ["inspector", "ent_a_user", "bank_user", "system_admin", "auditor"])
def test_only_archive_editors_import(member: str, request: pytest.FixtureRequest, ent_a: Any) -> None:
    actor = request.getfixturevalue(member)
    with pytest.raises(PermissionDenied):
        run(actor, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-40")))
    assert CreditRecord.objects.count() == 0


def test_idempotency_key_replays_the_report(dept_staff: Any, ent_a: Any) -> None:
    first = run(
        dept_staff, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-50")), idempotency_key="k-1"
    )
    replay = run(
        dept_staff, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-51")), idempotency_key="k-1"
    )
    assert replay.batch_id == first.batch_id and replay.new == 1
    assert not CreditRecord.objects.filter(source_ref="文号-51").exists()


def test_undo_revokes_new_records_and_restores_corrections(
    park_admin: Any, dept_staff: Any, ent_a: Any
) -> None:
    run(park_admin, penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "文号-60", amount="0.2")))
    report = run(
        park_admin,
        penalty_csv(
            penalty_line(ent_a.name, ent_a.uscc, "文号-60", amount="0.5"),
            penalty_line(ent_a.name, ent_a.uscc, "文号-61"),
            penalty_line("未建档企业有限公司", unknown_uscc(), "文号-62"),
        ),
    )
    assert (report.corrected, report.new, report.unmatched) == (1, 1, 1)
    batch = ImportBatch.objects.get(pk=report.batch_id)
    with pytest.raises(PermissionDenied):
        import_batch_undo(actor=dept_staff, batch=batch)
    import_batch_undo(actor=park_admin, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.UNDONE and batch.undone_by == park_admin
    assert record_state(CreditRecord.objects.get(source_ref="文号-61")).status.value == "revoked"
    versions = list(CreditRecord.objects.filter(source_ref="文号-60").order_by("version"))
    assert [v.version for v in versions] == [1, 2, 3]
    assert versions[2].amount == Decimal("2000.00") and record_state(versions[2]).status.value == "active"
    assert record_state(versions[1]).status.value == "superseded"
    assert not UnmatchedRow.objects.filter(batch=batch).exists()
    assert AuditEntry.objects.latest("seq").action == "import.undone"
    with pytest.raises(ValidationError):
        import_batch_undo(actor=park_admin, batch=batch)
