"""The jobs framework's own task: a self-check that proves a worker is picking up work."""

from __future__ import annotations

from typing import Any

from django.tasks import task
from django.utils.translation import gettext as _

from parkcredit.jobs.services import JobError, run_as_job

SELFCHECK_KIND = "jobs.selfcheck"


@task
def jobs_selfcheck_task(job_id: str, steps: int = 10, fail_at: int | None = None) -> dict[str, Any]:
    """Walk `steps` trivial steps reporting progress; `fail_at` makes it fail there on purpose.

    An administrator starts it to see that the worker runs and the progress bar moves; the
    deliberate failure exercises the failure path end to end.
    """
    with run_as_job(job_id) as run:
        for step in range(1, steps + 1):
            if fail_at is not None and step == fail_at:
                raise JobError(_("自检按要求在第 %(step)d 步失败") % {"step": step})
            run.progress(step, steps, _("第 %(step)d/%(steps)d 步") % {"step": step, "steps": steps})
        run.result = {"steps": steps}
    return run.result
