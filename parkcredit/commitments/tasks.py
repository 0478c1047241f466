"""Background task of the commitments app: the fulfilment check as a job with a progress bar."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from parkcredit.jobs.services import run_as_job


@task
def check_task(job_id: str) -> dict[str, Any]:
    """Run `commitments_check` for today; the job's result is its summary."""
    from parkcredit.commitments.checking import commitments_check

    with run_as_job(job_id) as run:
        run.result = commitments_check(progress=run.progress)
    return run.result
