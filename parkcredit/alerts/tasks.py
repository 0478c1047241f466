"""The alert run as a background job (the 'run now' button) and the weekly digest."""

from __future__ import annotations

from typing import Any

from django.tasks import task
from django.utils.translation import gettext as _

from parkcredit.jobs.services import run_as_job

RUN_KIND = "alerts.run"


@task
def alerts_run_task(job_id: str) -> dict[str, Any]:
    """Evaluate every enabled rule (subject, chain and region) over the park; the job result says
    what changed."""
    from parkcredit.alerts.services import alerts_run

    with run_as_job(job_id) as run:
        run.progress(0, 1, _("正在评估预警规则……"))
        result = alerts_run(actor=None)
        run.progress(1, 1, _("完成"))
        run.result = {
            "as_of": result.as_of.isoformat(),
            "hits": result.hits,
            "opened": result.opened,
            "grouped": result.grouped,
            "notified": result.notified,
            "cleared": result.cleared,
            "seconds": result.seconds,
        }
    return run.result
