"""Observations, relations and archive entries through the import, the queue for them, selectors, jobs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404

from parkcredit.jobs.models import Job, JobState
from parkcredit.records.importing.selectors import (
    batch_error_file,
    batch_get_for_actor,
    batch_list,
    record_volume_by_month,
    source_quality,
    unmatched_get_for_actor,
    unmatched_list,
    unmatched_suggestions,
)
from parkcredit.records.importing.services import import_batch_undo, import_run, import_start, unmatched_link
from parkcredit.records.models import (
    BatchStatus,
    DataSource,
    ImportBatch,
    Observation,
    Relation,
    UnmatchedRow,
)
from tests.factories import make_enterprise, make_uscc
from tests.parkcredit.records.importing.helpers import penalty_csv, penalty_line, unknown_uscc

pytestmark = pytest.mark.django_db

RENT_HEADER = "统一社会信用代码,企业名称,账单编号,费用类型,账期,应缴金额(元),到期日,缴清日期"
RELATION_HEADER = "统一社会信用代码,企业名称,对方统一社会信用代码,对方名称,关系类型,占比,起始日期,终止日期"


def csv(header: str, *lines: str) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def rent_line(e: Any, *, amount: str = "86400", paid: str = "", period: str = "2024-03") -> str:
    return f"{e.uscc},{e.name},ZJ-{period}-1,房租,{period},{amount},{period}-10,{paid}"


def test_bills_duplicates_settlement_and_conflicts(park_admin: Any, ent_a: Any) -> None:
    first = import_run(
        actor=park_admin, profile="rent", data=csv(RENT_HEADER, rent_line(ent_a)), file_name="r.csv"
    )
    assert first.new == 1
    bill = Observation.objects.get()
    assert (bill.metric, bill.period, bill.value, bill.settled_on) == (
        "rent_bill",
        date(2024, 3, 1),
        Decimal("86400.00"),
        None,
    )
    assert (
        import_run(actor=park_admin, profile="rent", data=csv(RENT_HEADER, rent_line(ent_a))).duplicate == 1
    )
    paid = import_run(
        actor=park_admin, profile="rent", data=csv(RENT_HEADER, rent_line(ent_a, paid="2024-03-20"))
    )
    assert paid.corrected == 1
    bill.refresh_from_db()
    assert bill.settled_on == date(2024, 3, 20) and bill.payload["_history"][0]["settled_on"] is None
    conflict = import_run(
        actor=park_admin, profile="rent", data=csv(RENT_HEADER, rent_line(ent_a, amount="90000"))
    )
    assert conflict.error == 1 and "数值与已入库数据不一致" in conflict.errors[0]["reason"]
    other_paid = import_run(
        actor=park_admin, profile="rent", data=csv(RENT_HEADER, rent_line(ent_a, paid="2024-03-25"))
    )
    assert other_paid.error == 1 and "结清日" in other_paid.errors[0]["reason"]
    future = import_run(
        actor=park_admin, profile="rent", data=csv(RENT_HEADER, rent_line(ent_a, period="2999-01"))
    )
    assert future.error == 1


def test_bill_file_with_the_same_bill_twice(park_admin: Any, ent_a: Any) -> None:
    report = import_run(
        actor=park_admin,
        profile="rent",
        data=csv(
            RENT_HEADER, rent_line(ent_a), rent_line(ent_a, paid="2024-03-09"), rent_line(ent_a, amount="1")
        ),
    )
    assert (report.new, report.duplicate, report.error) == (1, 1, 1)
    assert Observation.objects.get().settled_on == date(2024, 3, 9)


def test_undo_removes_observations_and_clears_settlements(park_admin: Any, ent_a: Any, ent_b: Any) -> None:
    import_run(actor=park_admin, profile="rent", data=csv(RENT_HEADER, rent_line(ent_a)))
    report = import_run(
        actor=park_admin,
        profile="rent",
        data=csv(RENT_HEADER, rent_line(ent_a, paid="2024-03-20"), rent_line(ent_b)),
    )
    import_batch_undo(actor=park_admin, batch=ImportBatch.objects.get(pk=report.batch_id))
    assert list(Observation.objects.values_list("enterprise", "settled_on")) == [(ent_a.pk, None)]


def test_relations_and_an_unknown_counterparty(park_admin: Any, ent_a: Any, ent_b: Any) -> None:
    outsider = unknown_uscc()
    data = csv(
        RELATION_HEADER,
        f"{ent_a.uscc},{ent_a.name},{ent_b.uscc},{ent_b.name},供应商,0.35,2021-01-01,",
        f"{ent_a.uscc},{ent_a.name},{outsider},园外客户有限公司,客户,0.2,2022-01-01,",
        f"{ent_a.uscc},{ent_a.name},{ent_a.uscc},{ent_a.name},客户,0.2,2022-01-01,",
    )
    report = import_run(actor=park_admin, profile="relation", data=data, file_name="rel.csv")
    assert (report.new, report.unmatched, report.error) == (1, 1, 1), report.as_dict()
    relation = Relation.objects.get()
    assert (relation.enterprise, relation.counterparty, relation.weight) == (ent_a, ent_b, Decimal("0.3500"))
    row = UnmatchedRow.objects.get()
    assert row.uscc == outsider and row.parsed["_missing"] == "counterparty"
    partner = make_enterprise("园外客户有限公司", uscc=outsider, in_park=False)
    unmatched_link(actor=park_admin, row=row, enterprise=partner)
    assert Relation.objects.filter(counterparty=partner, enterprise=ent_a).exists()
    changed = csv(
        RELATION_HEADER, f"{ent_a.uscc},{ent_a.name},{ent_b.uscc},{ent_b.name},供应商,0.5,2021-01-01,"
    )
    assert import_run(actor=park_admin, profile="relation", data=changed).error == 1
    undo_batch = ImportBatch.objects.get(pk=report.batch_id)
    import_batch_undo(actor=park_admin, batch=undo_batch)
    assert not Relation.objects.filter(counterparty=ent_b).exists()


def test_enterprise_profile_refuses_bad_status_and_keeps_other_rows(park_admin: Any) -> None:
    header = "统一社会信用代码,企业名称,登记状态"
    good, bad = make_uscc(31337), make_uscc(31338)
    report = import_run(
        actor=park_admin,
        profile="enterprise",
        data=csv(header, f"{good},新建企业有限公司,", f"{bad},另一企业,火星"),
    )
    assert report.new == 1 and report.error == 1


def test_selectors_are_for_park_roles_only(
    park_admin: Any, inspector: Any, ent_a_user: Any, ent_a: Any
) -> None:
    name = "未建档企业有限公司"
    report = import_run(
        actor=park_admin,
        profile="penalty",
        data=penalty_csv(
            penalty_line(ent_a.name, ent_a.uscc, "S-1"),
            penalty_line(name, unknown_uscc(), "S-2"),
            penalty_line(ent_a.name, ent_a.uscc, "S-3", day="x"),
        ),
        file_name="penalty.csv",
    )
    assert [b.pk for b in batch_list(actor=inspector)] == [report.batch_id]
    assert not batch_list(actor=ent_a_user).exists()
    assert batch_list(actor=park_admin, filters={"profile": "licence"}).count() == 0
    assert batch_list(actor=park_admin, filters={"status": "done", "source": "import-penalty"}).count() == 1
    assert batch_get_for_actor(actor=inspector, pk=report.batch_id).pk == report.batch_id
    with pytest.raises(Http404):
        batch_get_for_actor(actor=ent_a_user, pk=report.batch_id)
    content, file_name = batch_error_file(actor=park_admin, pk=report.batch_id)
    assert "S-3" in content.decode("utf-8-sig") and file_name.endswith(".csv")
    row = unmatched_list(actor=park_admin, filters={"q": "未建档"}).get()
    assert unmatched_list(actor=park_admin, filters={"state": "linked"}).count() == 0
    assert (
        unmatched_list(actor=park_admin, filters={"profile": "penalty", "batch": report.batch_id}).count()
        == 1
    )
    assert not unmatched_list(actor=ent_a_user).exists()
    assert unmatched_get_for_actor(actor=park_admin, pk=row.pk) == row
    with pytest.raises(Http404):
        unmatched_get_for_actor(actor=ent_a_user, pk=row.pk)
    similar = make_enterprise("未建档企业股份有限公司")
    suggestions = unmatched_suggestions(actor=park_admin, row=row)
    assert suggestions and suggestions[0].enterprise == similar and suggestions[0].score >= 0.5
    assert unmatched_suggestions(actor=ent_a_user, row=row) == []
    quality = source_quality(actor=park_admin)
    assert len(quality) == 1
    entry = quality[0]
    assert (entry.rows, entry.errors, entry.unmatched, entry.batches) == (3, 1, 1, 1)
    assert entry.error_rate == pytest.approx(1 / 3) and entry.unmatched_share == pytest.approx(1 / 3)
    assert 0 < entry.coverage <= 1 and entry.volume[0][1] == 3
    assert source_quality(actor=ent_a_user) == []
    source = DataSource.objects.get(code="import-penalty")
    assert sum(n for _, n in record_volume_by_month(actor=park_admin, source=source)) == 1
    assert record_volume_by_month(actor=ent_a_user, source=source) == []


def test_import_start_runs_as_a_job(park_admin: Any, ent_a: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    job = import_start(
        actor=park_admin,
        profile="penalty",
        data=penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "J-1")),
        file_name="penalty.csv",
    )
    job = Job.objects.get(pk=job.pk)
    assert job.state == JobState.SUCCEEDED and job.result["new"] == 1
    batch = ImportBatch.objects.get(pk=job.result["batch_id"])
    assert batch.job_id == job.pk and batch.status == BatchStatus.DONE
    assert not list((tmp_path / "imports").iterdir())


def test_import_start_with_an_unreadable_file_fails_the_job(
    park_admin: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    started = import_start(actor=park_admin, profile="penalty", data=b"PK\x03\x04broken", file_name="x.xlsx")
    job = Job.objects.get(pk=started.pk)
    assert job.state == JobState.FAILED and "Excel" in job.error
    assert ImportBatch.objects.get().status == BatchStatus.FAILED
