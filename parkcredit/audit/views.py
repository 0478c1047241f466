"""Audit pages: the filterable log and the button that starts a chain verification.

Read-only by design: nothing here changes an audit row (starting a verification appends the
job's own entries, as every state change does).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parkcredit.audit.forms import OUTCOME_LABELS, AuditFilterForm
from parkcredit.audit.selectors import audit_can_read, audit_entry_list
from parkcredit.audit.tasks import VERIFY_KIND, audit_verify_task
from parkcredit.common.htmx import is_htmx
from parkcredit.jobs.services import job_start

PAGE_SIZE = 50


@login_required
@require_GET
def audit_list_view(request: HttpRequest) -> HttpResponse:
    if not audit_can_read(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET)
    if form.is_valid():
        entries = audit_entry_list(actor=request.user, filters=form.filters())
    else:
        entries = audit_entry_list(actor=request.user).none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        # Shown as a badge; unknown outcomes keep their code rather than vanish.
        setattr(entry, "outcome_label", OUTCOME_LABELS.get(entry.outcome, entry.outcome))  # noqa: B010
    context = {"form": form, "page": page}
    template = "audit/list.html#table" if is_htmx(request) else "audit/list.html"
    return render(request, template, context)


@login_required
@require_POST
def audit_verify_view(request: HttpRequest) -> HttpResponse:
    if not audit_can_read(request.user):
        raise PermissionDenied
    job = job_start(actor=request.user, kind=VERIFY_KIND, title=_("校验审计链"), task=audit_verify_task)
    return redirect("jobs:detail", pk=job.pk)
