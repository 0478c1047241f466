"""Reads for background jobs: who may see which job."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from parkcredit.accounts.models import Role
from parkcredit.jobs.models import Job


def job_list(*, actor: Any) -> QuerySet[Job]:
    """Jobs the actor may see: all of them for the park admin, otherwise the ones they started."""
    if not getattr(actor, "is_authenticated", False):
        return Job.objects.none()
    jobs = Job.objects.select_related("created_by")
    if actor.role == Role.PARK_ADMIN:
        return jobs
    return jobs.filter(created_by=actor)


def job_get_for_actor(actor: Any, pk: Any) -> Job:
    """One job, or Http404 when it is missing or not the actor's to see."""
    try:
        job = job_list(actor=actor).filter(pk=pk).first()
    except (ValueError, ValidationError):  # not a UUID: as missing as any other
        job = None
    if job is None:
        raise Http404("任务不存在")
    return job
