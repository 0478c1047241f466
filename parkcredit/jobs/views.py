"""Job pages: the list of one's jobs and a job's page whose status fragment htmx polls."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parkcredit.accounts.models import Role
from parkcredit.common.htmx import is_htmx
from parkcredit.jobs.models import Job, JobState
from parkcredit.jobs.selectors import job_get_for_actor, job_list
from parkcredit.jobs.services import job_start
from parkcredit.jobs.tasks import SELFCHECK_KIND, jobs_selfcheck_task

PAGE_SIZE = 50
PROGRESS_COLORS = {JobState.SUCCEEDED: "green", JobState.FAILED: "red"}
SELFCHECK_ROLES = frozenset({Role.PARK_ADMIN, Role.SYSTEM_ADMIN})


def result_templates(job: Job) -> list[str]:
    """`<app>/job_results/<name>.html` for a job of kind `<app>.<name>`, else the generic key: value list."""
    app, _sep, name = job.kind.partition(".")
    names = [f"{app}/job_results/{name}.html"] if name else []
    return [*names, "jobs/_result.html"]


@login_required
@require_GET
def job_list_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(job_list(actor=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    can_selfcheck = getattr(request.user, "role", None) in SELFCHECK_ROLES
    return render(request, "jobs/list.html", {"page": page, "can_selfcheck": can_selfcheck})


@login_required
@require_GET
def job_detail_view(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = job_get_for_actor(request.user, pk)
    context = {
        "job": job,
        "progress_color": PROGRESS_COLORS.get(JobState(job.state), "primary"),
        "result_templates": result_templates(job),
    }
    template = "jobs/detail.html#status" if is_htmx(request) else "jobs/detail.html"
    return render(request, template, context)


@login_required
@require_POST
def job_selfcheck_view(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", None) not in SELFCHECK_ROLES:
        raise PermissionDenied
    job = job_start(
        actor=request.user, kind=SELFCHECK_KIND, title=_("后台任务自检"), task=jobs_selfcheck_task
    )
    return redirect("jobs:detail", pk=job.pk)
