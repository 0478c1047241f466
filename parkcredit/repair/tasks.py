"""Background task of the repair app: the publicity sweep as a job with a progress bar."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from parkcredit.jobs.services import run_as_job


@task
def publicity_sweep_task(job_id: str, actor_id: int | None = None) -> dict[str, Any]:
    """Run `publicity_sweep` as job `job_id` on behalf of user `actor_id` (None: the system)."""
    from parkcredit.accounts.models import User
    from parkcredit.repair.services import publicity_sweep

    with run_as_job(job_id) as run:
        actor = User.objects.get(pk=actor_id) if actor_id is not None else None
        result = publicity_sweep(actor=actor, progress=run.progress)
        run.result = result.as_dict()
    return run.result
