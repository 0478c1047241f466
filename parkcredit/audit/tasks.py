"""Background verification of the audit chain, watched on a job page."""

from __future__ import annotations

from typing import Any

from django.tasks import task
from django.utils.translation import gettext as _

from parkcredit.audit.services import audit_log
from parkcredit.audit.verify import audit_chain_verify
from parkcredit.jobs.services import run_as_job

VERIFY_KIND = "audit.verify"


@task
def audit_verify_task(job_id: str, chunk: int = 5000) -> dict[str, Any]:
    """Verify the chain inside job `job_id`, reporting progress per chunk of rows.

    A broken chain is a successful verification with `ok: false` in its result; the job fails
    only when the verification itself cannot run. The outcome is appended to the audit log.
    """
    with run_as_job(job_id) as run:

        def progress(done: int, total: int) -> None:
            run.progress(done, total, _("已校验 %(done)d / %(total)d 条") % {"done": done, "total": total})

        result = audit_chain_verify(progress=progress, chunk=chunk)
        run.result = result.as_dict()
        audit_log(
            actor=None,
            action="audit.verified",
            object_type="jobs.job",
            object_id=job_id,
            detail=run.result,
            outcome="success" if result.ok else "failure",
        )
    return run.result
