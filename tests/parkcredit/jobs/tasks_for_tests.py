"""Tasks that only the tests enqueue: they record what the job row looked like as they ran."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from parkcredit.jobs.models import Job
from parkcredit.jobs.services import run_as_job

SEEN: list[tuple[str, str]] = []


@task
def observe_task(job_id: str, total: int = 4) -> dict[str, Any]:
    SEEN.append(("before", Job.objects.get(pk=job_id).state))
    with run_as_job(job_id) as run:
        SEEN.append(("inside", Job.objects.get(pk=job_id).state))
        run.progress(total // 2, total, "一半")
        job = Job.objects.get(pk=job_id)
        SEEN.append(("percent", str(job.percent)))
        run.result = {"total": total}
    return run.result


@task
def crash_task(job_id: str, secret: str) -> None:
    with run_as_job(job_id) as run:
        run.progress(1, 3, "第一步")
        raise ValueError(f"unexpected failure near {secret}")
