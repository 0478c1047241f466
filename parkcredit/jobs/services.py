"""Writes for background jobs: start one, report its progress, finish it.

A job is a `Job` row the user can watch plus a `django.tasks` task that does the work. The
task wraps its body in `run_as_job(job_id)`, which moves the row through
QUEUED → RUNNING → SUCCEEDED/FAILED and writes the audit entries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.translation import gettext as _

from parkcredit.audit.services import audit_log
from parkcredit.jobs.models import Job, JobState

logger = logging.getLogger(__name__)

# Progress is a hint for a human watching a bar that refreshes every second; a few writes per
# second are plenty and keep a tight loop from turning into a stream of UPDATEs.
PROGRESS_MIN_INTERVAL = 0.25
MESSAGE_MAX_LENGTH = Job._meta.get_field("message").max_length or 300
FINISHED_STATES = (JobState.SUCCEEDED, JobState.FAILED)

_clock = time.monotonic
_last_progress_write: dict[str, float] = {}
_throttle_lock = threading.Lock()


class JobError(Exception):
    """A failure whose message is meant for the user; `run_as_job` shows it as it is."""


class JobAlreadyFinished(JobError):
    """The task was delivered again for a job that has already finished."""


def job_start(*, actor: Any, kind: str, title: str, task: Task[..., Any], **task_kwargs: Any) -> Job:
    """Create a QUEUED job row, audit it, and enqueue `task(job_id=..., **task_kwargs)`.

    The row and its audit entry commit before the task is enqueued, so a worker never picks up
    a task whose row it cannot see. With the immediate backend (tests) the task runs here. If the
    queue refuses the task, the job comes back FAILED with a Chinese message instead of raising.
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, created_by=user)
        audit_log(actor=actor, action="job.started", obj=job, detail={"kind": kind, "title": title})
    try:
        task.enqueue(job_id=str(job.id), **task_kwargs)
    except Exception:
        logger.exception("could not enqueue job %s (%s)", job.id, kind)
        # The caller shows the job page, where this message tells the person what happened;
        # raising here would turn it into a bare server error page.
        job_fail(job_id=str(job.id), error=_("任务未能加入队列,请稍后重试或联系系统管理员。"))
    job.refresh_from_db()
    return job


def job_progress(*, job_id: str, done: int, total: int, message: str = "", force: bool = False) -> bool:
    """Record how far a running job has got; returns whether a write happened.

    One UPDATE, skipped when the previous write for this job was under `PROGRESS_MIN_INTERVAL`
    ago, unless the job has just reached its total (so the bar ends full) or `force` is set.
    """
    key = str(job_id)
    now = _clock()
    with _throttle_lock:
        last = _last_progress_write.get(key)
        if not force and done < total and last is not None and now - last < PROGRESS_MIN_INTERVAL:
            return False
        _last_progress_write[key] = now
    Job.objects.filter(pk=job_id).exclude(state__in=FINISHED_STATES).update(
        progress_done=max(0, done), progress_total=max(0, total), message=message[:MESSAGE_MAX_LENGTH]
    )
    return True


def job_mark_running(*, job_id: str) -> None:
    """Claim the job for this worker: QUEUED (or RUNNING again, after a worker restart) → RUNNING."""
    claimed = (
        Job.objects.filter(pk=job_id)
        .exclude(state__in=FINISHED_STATES)
        .update(state=JobState.RUNNING, started_at=timezone.now())
    )
    if claimed:
        return
    if Job.objects.filter(pk=job_id).exists():
        raise JobAlreadyFinished(_("任务 %(id)s 已经结束,不再重复执行。") % {"id": job_id})
    raise JobError(_("任务 %(id)s 不存在。") % {"id": job_id})


def _job_finish(*, job_id: str, state: JobState, result: dict[str, Any], error: str) -> bool:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.finished:
            return False
        job.state = state
        job.result = result
        job.error = error
        job.finished_at = timezone.now()
        if state == JobState.SUCCEEDED and job.progress_total:
            job.progress_done = job.progress_total
        job.save(update_fields=["state", "result", "error", "finished_at", "progress_done"])
        detail: dict[str, Any] = {"kind": job.kind, "state": state.value}
        if error:
            detail["error"] = error
        audit_log(
            actor=None,
            action="job.finished",
            obj=job,
            detail=detail,
            outcome="success" if state == JobState.SUCCEEDED else "failure",
        )
    _forget_throttle(job_id)
    return True


def job_succeed(*, job_id: str, result: dict[str, Any] | None = None) -> bool:
    """Mark the job SUCCEEDED with its (JSON) result; a job already finished is left alone."""
    return _job_finish(job_id=job_id, state=JobState.SUCCEEDED, result=result or {}, error="")


def job_fail(*, job_id: str, error: str) -> bool:
    """Mark the job FAILED with a message for the user; a job already finished is left alone."""
    return _job_finish(job_id=job_id, state=JobState.FAILED, result={}, error=error or _("任务失败。"))


def _forget_throttle(job_id: str) -> None:
    with _throttle_lock:
        _last_progress_write.pop(str(job_id), None)


def job_error_message(exc: BaseException) -> str:
    """What the user reads about a failure: our own messages as they are, others without details.

    Unexpected exceptions may carry personal data or internals, so only their type is shown; the
    traceback goes to the server log and the task backend.
    """
    if isinstance(exc, JobError):
        return str(exc)
    return _("任务执行时发生意外错误(%(kind)s),详情已记入服务器日志,请联系系统管理员。") % {
        "kind": type(exc).__name__
    }


class JobRun:
    """The handle a task body gets from `run_as_job`: report progress, set the result."""

    def __init__(self, job_id: str) -> None:
        self.job_id = str(job_id)
        self.result: dict[str, Any] = {}

    def progress(self, done: int, total: int, message: str = "") -> bool:
        return job_progress(job_id=self.job_id, done=done, total=total, message=message)


@contextmanager
def run_as_job(job_id: str) -> Iterator[JobRun]:
    """Run a task body as the job `job_id`.

    Marks the job RUNNING on entry; on a clean exit marks it SUCCEEDED with `run.result`; on an
    exception marks it FAILED with a readable message and re-raises, so the task backend also
    records the failure and its traceback.
    """
    job_mark_running(job_id=job_id)
    run = JobRun(job_id)
    try:
        yield run
    except Exception as exc:
        if not isinstance(exc, JobError):
            logger.exception("job %s failed", job_id)
        job_fail(job_id=job_id, error=job_error_message(exc))
        raise
    job_succeed(job_id=job_id, result=run.result)
