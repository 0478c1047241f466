"""The background task of a full rescore: the runs page's button and model publishing start it."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from parkcredit.jobs.services import run_as_job
from parkcredit.scoring.models import ScoringRun


@task
def scoring_run_task(job_id: str, run_id: int) -> dict[str, Any]:
    """Execute scoring run `run_id` as job `job_id`, reporting progress on the job row."""
    from parkcredit.scoring.services import scoring_run_execute

    with run_as_job(job_id) as job:
        run = ScoringRun.objects.select_related("model").get(pk=run_id)
        run = scoring_run_execute(run=run, progress=job.progress)
        job.result = {"run": run.pk, "enterprises": run.enterprises, "counts": run.counts}
    return job.result
