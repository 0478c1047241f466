"""The job lifecycle with the immediate backend: queued → running → succeeded or failed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from parkcredit.audit.models import AuditEntry
from parkcredit.jobs import services
from parkcredit.jobs.models import Job, JobState
from parkcredit.jobs.services import (
    JobAlreadyFinished,
    JobError,
    job_fail,
    job_mark_running,
    job_progress,
    job_start,
    job_succeed,
    run_as_job,
)
from parkcredit.jobs.tasks import SELFCHECK_KIND, jobs_selfcheck_task
from tests.parkcredit.jobs import tasks_for_tests

pytestmark = pytest.mark.django_db


def queued(**fields: Any) -> Job:
    return Job.objects.create(kind="test.kind", title="测试任务", **fields)


def test_lifecycle_queued_running_succeeded(park_admin: Any) -> None:
    tasks_for_tests.SEEN.clear()
    job = job_start(
        actor=park_admin, kind="test.observe", title="观察", task=tasks_for_tests.observe_task, total=4
    )
    assert tasks_for_tests.SEEN == [("before", "queued"), ("inside", "running"), ("percent", "50")]
    assert job.state == JobState.SUCCEEDED
    assert job.result == {"total": 4}
    assert job.percent == 100
    assert job.progress_done == job.progress_total == 4
    assert job.created_by == park_admin
    assert job.started_at is not None and job.finished_at is not None
    assert job.started_at <= job.finished_at
    started = AuditEntry.objects.get(action="job.started")
    assert started.actor == park_admin and started.object_id == str(job.pk)
    assert started.detail == {"kind": "test.observe", "title": "观察"}
    finished = AuditEntry.objects.get(action="job.finished")
    assert finished.outcome == "success" and finished.object_id == str(job.pk)
    assert finished.seq > started.seq


def test_selfcheck_task_succeeds(system_admin: Any) -> None:
    job = job_start(actor=system_admin, kind=SELFCHECK_KIND, title="自检", task=jobs_selfcheck_task, steps=3)
    assert job.state == JobState.SUCCEEDED
    assert job.result == {"steps": 3}


def test_a_job_error_fails_the_job_with_its_message(dept_staff: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "PROGRESS_MIN_INTERVAL", 0)
    job = job_start(
        actor=dept_staff, kind=SELFCHECK_KIND, title="自检", task=jobs_selfcheck_task, steps=4, fail_at=3
    )
    assert job.state == JobState.FAILED
    assert job.error == "自检按要求在第 3 步失败"
    assert job.progress_done == 2 and job.progress_total == 4
    assert job.percent == 50
    assert job.finished_at is not None
    finished = AuditEntry.objects.get(action="job.finished")
    assert finished.outcome == "failure"
    assert finished.detail["error"] == job.error


def test_an_unexpected_error_is_named_without_its_details(dept_staff: Any) -> None:
    job = job_start(
        actor=dept_staff,
        kind="test.crash",
        title="崩溃",
        task=tasks_for_tests.crash_task,
        secret="410100199001011234",
    )
    assert job.state == JobState.FAILED
    assert "ValueError" in job.error
    assert "意外错误" in job.error
    assert "410100199001011234" not in job.error


def test_a_system_job_has_no_creator() -> None:
    job = job_start(actor=None, kind=SELFCHECK_KIND, title="自检", task=jobs_selfcheck_task, steps=1)
    assert job.created_by is None
    assert AuditEntry.objects.get(action="job.started").actor_label == "system"


class _BrokenTask:
    def enqueue(self, **kwargs: Any) -> None:
        raise ConnectionError("queue unavailable")


def test_a_job_that_cannot_be_enqueued_is_failed(park_admin: Any) -> None:
    returned = job_start(actor=park_admin, kind="test.broken", title="入队失败", task=_BrokenTask())  # type: ignore[arg-type]
    job = Job.objects.get(kind="test.broken")
    assert returned.pk == job.pk and returned.state == JobState.FAILED
    assert job.state == JobState.FAILED
    assert "未能加入队列" in job.error


def test_run_as_job_reraises_and_records() -> None:
    job = queued()
    with pytest.raises(JobError), run_as_job(str(job.pk)):
        raise JobError("数据源不可用")
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == "数据源不可用"


def test_a_finished_job_is_not_run_again() -> None:
    job = queued(state=JobState.SUCCEEDED)
    ran = []
    with pytest.raises(JobAlreadyFinished), run_as_job(str(job.pk)):
        ran.append(True)
    assert ran == []
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED


def test_a_missing_job_cannot_be_run() -> None:
    with pytest.raises(JobError, match="不存在"):
        job_mark_running(job_id=str(uuid.uuid4()))


def test_a_running_job_can_be_claimed_again_after_a_worker_restart() -> None:
    job = queued(state=JobState.RUNNING)
    job_mark_running(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.state == JobState.RUNNING


def test_finishing_twice_changes_nothing() -> None:
    job = queued(state=JobState.RUNNING)
    assert job_succeed(job_id=str(job.pk), result={"n": 1}) is True
    assert job_fail(job_id=str(job.pk), error="迟到的失败") is False
    assert job_succeed(job_id=str(job.pk), result={"n": 2}) is False
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.result == {"n": 1} and job.error == ""
    assert AuditEntry.objects.filter(action="job.finished").count() == 1


def test_finishing_a_missing_job_is_a_no_op() -> None:
    assert job_succeed(job_id=str(uuid.uuid4())) is False


def test_fail_without_message_gets_a_generic_one() -> None:
    job = queued()
    job_fail(job_id=str(job.pk), error="")
    job.refresh_from_db()
    assert job.error == "任务失败。"


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    fake = _Clock()
    monkeypatch.setattr(services, "_clock", fake)
    monkeypatch.setattr(services, "_last_progress_write", {})
    return fake


def test_progress_sets_percent_and_message(clock: _Clock) -> None:
    job = queued(state=JobState.RUNNING)
    assert job_progress(job_id=str(job.pk), done=1, total=4, message="读取中") is True
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.message, job.percent) == (1, 4, "读取中", 25)


def test_progress_writes_are_throttled(clock: _Clock) -> None:
    job = queued(state=JobState.RUNNING)
    pk = str(job.pk)
    assert job_progress(job_id=pk, done=1, total=10) is True
    clock.now += services.PROGRESS_MIN_INTERVAL / 2
    assert job_progress(job_id=pk, done=2, total=10) is False
    job.refresh_from_db()
    assert job.progress_done == 1
    assert job_progress(job_id=pk, done=3, total=10, force=True) is True
    assert job_progress(job_id=pk, done=10, total=10) is True  # the last step always lands
    clock.now += services.PROGRESS_MIN_INTERVAL
    assert job_progress(job_id=pk, done=4, total=10) is True
    job.refresh_from_db()
    assert job.progress_done == 4


def test_progress_does_not_touch_a_finished_job(clock: _Clock) -> None:
    job = queued(state=JobState.FAILED, progress_done=1, progress_total=5)
    job_progress(job_id=str(job.pk), done=5, total=5)
    job.refresh_from_db()
    assert job.progress_done == 1


def test_progress_message_is_truncated(clock: _Clock) -> None:
    job = queued(state=JobState.RUNNING)
    job_progress(job_id=str(job.pk), done=1, total=2, message="长" * 1000)
    job.refresh_from_db()
    assert len(job.message) == services.MESSAGE_MAX_LENGTH


def test_finishing_forgets_the_throttle(clock: _Clock) -> None:
    job = queued(state=JobState.RUNNING)
    job_progress(job_id=str(job.pk), done=1, total=2)
    assert str(job.pk) in services._last_progress_write
    job_succeed(job_id=str(job.pk))
    assert str(job.pk) not in services._last_progress_write
