"""Background tasks of the records app: importing a large file as a job with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.tasks import task
from django.utils.translation import gettext

from parkcredit.jobs.services import JobError, run_as_job


@task
def import_task(job_id: str, batch_id: int, path: str) -> dict[str, Any]:
    """Import the uploaded file kept at `path` into the queued batch `batch_id`.

    The job's result is the import report (as JSON); the uploaded copy is removed afterwards.
    A file that cannot be read fails the job with the Chinese reason and marks the batch failed;
    any other error marks the batch failed too and is re-raised for the job and the task backend.
    """
    from parkcredit.records.importing.services import ImportFileError, import_run
    from parkcredit.records.models import BatchStatus, ImportBatch

    with run_as_job(job_id) as run:
        batch = ImportBatch.objects.select_related("created_by", "source").get(pk=batch_id)
        try:
            report = import_run(
                actor=batch.created_by,
                profile=batch.profile,
                path=path,
                file_name=batch.file_name,
                source=batch.source,
                strict=batch.strict,
                progress=run.progress,
                batch=batch,
            )
        except ImportFileError as exc:
            ImportBatch.objects.filter(pk=batch_id).update(
                status=BatchStatus.FAILED, message=exc.reason[:500]
            )
            raise JobError(exc.reason) from None
        except Exception:
            # The import's transaction rolled back; without this the batch would stay queued forever.
            ImportBatch.objects.filter(pk=batch_id).update(
                status=BatchStatus.FAILED,
                message=gettext("导入时发生内部错误,未写入任何数据;请联系系统管理员"),
            )
            raise
        finally:
            Path(path).unlink(missing_ok=True)
        run.result = report.as_dict()
    return run.result
