"""Regressions found in review: local dates, repeated profile changes, concurrency, undo of resolved rows."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from parkcredit.jobs import services as jobs_services
from parkcredit.jobs.models import Job, JobState
from parkcredit.records.importing import services
from parkcredit.records.importing.selectors import source_quality
from parkcredit.records.importing.services import import_run
from parkcredit.records.models import BatchStatus, CreditRecord, ImportBatch, Relation, UnmatchedRow
from tests.factories import make_enterprise
from tests.parkcredit.records.importing.helpers import penalty_csv, penalty_line, unknown_uscc
from tests.parkcredit.records.importing.test_api import URL, bearer

pytestmark = pytest.mark.django_db

# 01:00 in the park is still the previous day in UTC (2026-02-28 17:00).
EARLY_MORNING = datetime(2026, 3, 1, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_decision_dated_today_in_the_park_is_accepted(park_admin: Any, ent_a: Any) -> None:
    with time_machine.travel(EARLY_MORNING, tick=False):
        report = import_run(
            actor=park_admin,
            profile="penalty",
            file_name="penalty.csv",
            data=penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "T-1", day="2026-03-01")),
        )
    assert report.error == 0 and report.new == 1
    assert CreditRecord.objects.get(source_ref="T-1").decided_on == date(2026, 3, 1)


def test_quality_volume_buckets_by_the_local_month(park_admin: Any, ent_a: Any) -> None:
    with time_machine.travel(EARLY_MORNING, tick=False):
        import_run(
            actor=park_admin,
            profile="penalty",
            file_name="penalty.csv",
            data=penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "T-2")),
        )
    (entry,) = source_quality(actor=park_admin)
    assert [month for month, _ in entry.volume] == [date(2026, 3, 1)]


def test_profile_change_on_a_park_date_uses_the_local_day(park_admin: Any, ent_a: Any) -> None:
    header = "统一社会信用代码,企业名称"
    with time_machine.travel(EARLY_MORNING, tick=False):
        report = import_run(
            actor=park_admin,
            profile="enterprise",
            data=f"{header}\n{ent_a.uscc},改名后有限公司\n".encode(),
        )
    assert report.error == 0
    change = CreditRecord.objects.filter(enterprise=ent_a, batch_id=report.batch_id).get()
    assert change.decided_on == date(2026, 3, 1)


def test_same_field_changed_twice_in_one_file(park_admin: Any, ent_a: Any) -> None:
    header = "统一社会信用代码,企业名称"
    data = f"{header}\n{ent_a.uscc},第一次改名有限公司\n{ent_a.uscc},第二次改名有限公司\n".encode()
    report = import_run(actor=park_admin, profile="enterprise", data=data)
    assert report.error == 0
    ent_a.refresh_from_db()
    assert ent_a.name == "第二次改名有限公司"
    changes = CreditRecord.objects.filter(enterprise=ent_a, batch_id=report.batch_id)
    assert changes.count() == 2


def test_a_key_taken_by_a_concurrent_request_returns_the_earlier_report(
    park_admin: Any, ent_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "K-1"))
    first = import_run(actor=park_admin, profile="penalty", data=data, idempotency_key="same")
    real = services._batch_for_key
    calls: list[str] = []

    def racing(actor: Any, key: str) -> Any:
        # The first lookup runs before the other request committed: it sees nothing.
        calls.append(key)
        return None if len(calls) == 1 else real(actor, key)

    monkeypatch.setattr(services, "_batch_for_key", racing)
    again = import_run(actor=park_admin, profile="penalty", data=data, idempotency_key="same")
    assert len(calls) == 2
    assert again.batch_id == first.batch_id and again.new == 1
    assert ImportBatch.objects.filter(idempotency_key="same").count() == 1
    assert CreditRecord.objects.filter(source_ref="K-1").count() == 1


def test_a_key_whose_batch_is_still_running_is_409(client: Client, park_admin: Any, ent_a: Any) -> None:
    data = penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "K-2"))
    first = import_run(actor=park_admin, profile="penalty", data=data, idempotency_key="busy")
    ImportBatch.objects.filter(pk=first.batch_id).update(status=BatchStatus.RUNNING)
    upload = SimpleUploadedFile("penalty.csv", data, content_type="text/csv")
    response = client.post(
        URL, {"profile": "penalty", "file": upload}, HTTP_IDEMPOTENCY_KEY="busy", **bearer(park_admin)
    )
    assert response.status_code == 409, response.content
    assert response.json()["detail"] == "该幂等键的提交正在处理中"


def test_two_queued_uploads_of_the_same_file_keep_their_own_copy(
    park_admin: Any, ent_a: Any, settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    queued: list[str] = []

    def job_start(**kwargs: Any) -> Job:
        # Queue only: the jobs have not run yet, so both copies must still be there.
        queued.append(kwargs["path"])
        return Job.objects.create(kind=kwargs["kind"], title=kwargs["title"])

    monkeypatch.setattr(jobs_services, "job_start", job_start)
    data = penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "Q-1"))
    for _ in range(2):
        services.import_start(actor=park_admin, profile="penalty", data=data, file_name="penalty.csv")
    assert len(set(queued)) == 2
    assert all(Path(path).read_bytes() == data for path in queued)


def test_an_unexpected_error_in_the_job_fails_the_batch(
    park_admin: Any, ent_a: Any, settings: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "import_run", broken)
    started = services.import_start(
        actor=park_admin,
        profile="penalty",
        data=penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "Q-2")),
        file_name="penalty.csv",
    )
    assert Job.objects.get(pk=started.pk).state == JobState.FAILED
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED and "内部错误" in batch.message
    assert not list((tmp_path / "imports").iterdir())


def test_undo_removes_what_a_resolved_row_wrote(park_admin: Any, ent_a: Any, ent_b: Any) -> None:
    outsider = unknown_uscc()
    header = "统一社会信用代码,企业名称,对方统一社会信用代码,对方名称,关系类型,占比,起始日期,终止日期"
    data = (
        f"{header}\n{ent_a.uscc},{ent_a.name},{ent_b.uscc},{ent_b.name},供应商,0.35,2021-01-01,\n"
        f"{ent_a.uscc},{ent_a.name},{outsider},园外客户有限公司,客户,0.2,2022-01-01,\n"
    ).encode()
    report = import_run(actor=park_admin, profile="relation", data=data, file_name="rel.csv")
    assert (report.new, report.unmatched) == (1, 1)
    partner = make_enterprise("园外客户有限公司", uscc=outsider, in_park=False)
    services.unmatched_link(actor=park_admin, row=UnmatchedRow.objects.get(), enterprise=partner)
    assert Relation.objects.count() == 2
    services.import_batch_undo(actor=park_admin, batch=ImportBatch.objects.get(pk=report.batch_id))
    assert not Relation.objects.exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["nope"], "导入模板「nope」不存在"), (["--source", "missing"], "请先在数据来源目录中登记")],
)
def test_command_usage_errors_are_the_service_messages(tmp_path: Path, args: list[str], needle: str) -> None:
    source = tmp_path / "penalty.csv"
    source.write_bytes(penalty_csv())
    argv = ["penalty", str(source), *args] if args[0].startswith("--") else [args[0], str(source)]
    with pytest.raises(CommandError) as caught:
        call_command("import", *argv)
    assert caught.value.returncode == 2 and needle in str(caught.value)


def test_only_users_who_edit_the_archive_may_import(inspector: Any, dept_staff: Any, ent_a: Any) -> None:
    data = penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "P-1"))
    for refused in (None, AnonymousUser(), inspector):
        with pytest.raises(PermissionDenied):
            import_run(actor=refused, profile="penalty", data=data)
    assert import_run(actor=dept_staff, profile="penalty", data=data).new == 1


def test_a_background_import_the_queue_refuses_is_marked_failed(
    park_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parkcredit.records import tasks
    from parkcredit.records.importing.services import import_start
    from parkcredit.records.models import ImportBatch

    class RefusingQueue:
        def enqueue(self, **kwargs: Any) -> None:
            raise ConnectionError("queue unavailable")

    monkeypatch.setattr(tasks, "import_task", RefusingQueue())
    data = "统一社会信用代码,企业名称\n".encode()
    job = import_start(actor=park_admin, profile="penalty", data=data, file_name="p.csv", source=None)
    batch = ImportBatch.objects.get(job=job)
    assert job.state == "failed"
    assert batch.status == "failed" and "未能加入队列" in batch.message
