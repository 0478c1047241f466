"""Repair workflow pages: the enterprise's records page and application, the staff queue with
per-step actions, and the park figures. Thin views over the selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from creditcore.deadlines import OBJECTION_LIMITS, REPAIR_LIMITS, repair_limits
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, PARK_ROLES, Role
from parkcredit.accounts.permissions import role_required
from parkcredit.common.forms import apply_service_errors
from parkcredit.common.htmx import is_htmx
from parkcredit.enterprises.selectors import enterprise_get_for_actor
from parkcredit.objections.files import file_response
from parkcredit.objections.forms import read_uploads
from parkcredit.objections.models import Objection
from parkcredit.records.selectors import record_get_for_actor
from parkcredit.repair.workflow import selectors, services
from parkcredit.repair.workflow.forms import ActionForm, ApplicationForm, QueueFilterForm
from parkcredit.repair.workflow.models import RepairApplication, RepairMaterial


@role_required(Role.ENTERPRISE)
@require_GET
def my_records_view(request: HttpRequest) -> HttpResponse:
    """The enterprise's records with their windows, repair and objection buttons and progress."""
    enterprise_id = request.user.enterprise_id  # type: ignore[union-attr]
    if enterprise_id is None:
        raise Http404(_("当前账号未关联企业"))
    enterprise = enterprise_get_for_actor(request.user, enterprise_id)
    context = {
        "enterprise": enterprise,
        "rows": selectors.enterprise_records(actor=request.user, enterprise=enterprise),
        "applications": selectors.application_list(actor=request.user).filter(enterprise=enterprise)[:50],
        "objections": Objection.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .select_related("record", "record__kind")[:50],
    }
    return render(request, "repair_workflow/mine.html", context)


def _already_submitted(request: HttpRequest, application: RepairApplication) -> HttpResponse:
    """An application page sent again lands on what its first submission created, not on an error."""
    messages.info(request, services.already_submitted_message(application))
    return redirect("repair_workflow:detail", pk=application.pk)


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def apply_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The repair notice and the application form. The page carries a one-time token: sent twice
    (a double click, a re-sent form), it submits one application and lands on it."""
    record = record_get_for_actor(request.user, pk)
    if request.method == "POST":
        # Before anything else: the first submission has opened an application for the record,
        # which would refuse the page (one open application per record) instead of showing it.
        submitted = selectors.application_submitted_with(
            actor=request.user, token=request.POST.get("token", "")
        )
        if submitted is not None:
            return _already_submitted(request, submitted)
    window = services.record_window(record)
    blocker = services.repair_blocker(record, window)
    draft = None
    if blocker is None:
        try:
            draft = services.commitment_draft(actor=request.user, record=record)
        except ValidationError as error:
            # No current repair commitment template: the park must publish one before anyone applies.
            blocker = _("暂时无法签署信用承诺书:%(reason)s") % {"reason": ";".join(error.messages)}
    initial = {"commitment_digest": draft.rendered.digest} if draft is not None else {}
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                actor=request.user,
                record=record,
                statement=form.cleaned_data["statement"],
                commitment_digest=form.cleaned_data["commitment_digest"],
                files=read_uploads(form.cleaned_data["materials"]),
                submit_token=form.cleaned_data["token"],
            )
        except services.ApplicationAlreadySubmitted as replay:
            return _already_submitted(request, replay.existing)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            # The limit depends on the rule set in force, so quote the step's own due date.
            step = services.current_step(application)
            due = f"{step.due_on:%Y-%m-%d}" if step is not None else ""
            messages.success(request, _("修复申请已提交,受理窗口将于 %(due)s 前受理并反馈") % {"due": due})
            return redirect("repair_workflow:detail", pk=application.pk)
    limits = repair_limits(dict(window.deadlines), window.rule_set) if window is not None else REPAIR_LIMITS
    # A page that failed for another reason keeps its unused token; a page without a valid one
    # (expired, forged) gets a fresh token, so the enterprise can submit from it.
    token = getattr(form, "cleaned_data", {}).get("token") or services.submit_token_issue()
    context = {
        "record": record,
        "blocker": blocker,
        "open_application": selectors.application_open_for(actor=request.user, record=record)
        if blocker is not None
        else None,
        "commitment": draft.rendered.text if draft is not None else "",
        "form": form,
        "token": token,
        "limits": list(limits.items()),
    }
    return render(request, "repair_workflow/apply.html", context)


@login_required
@require_GET
def application_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_actor(request.user, pk)
    can_act = services.can_act(request.user, application)
    step = services.current_step(application) if can_act else None
    context = {
        "application": application,
        "steps": selectors.application_steps(application),
        "materials": list(application.materials.only("pk", "name", "size", "uploaded_at")),
        "can_act": can_act,
        "action_form": ActionForm(
            acceptance=step is not None and step.step == "acceptance",
            initial={"step": step.pk if step is not None else None},
        )
        if can_act
        else None,
        "is_park": getattr(request.user, "is_park_user", False),
    }
    return render(request, "repair_workflow/detail.html", context)


@role_required(*ARCHIVE_EDITOR_ROLES)
@require_POST
def application_action_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide the step the page showed. Sent twice, it decides that step once (the repeat lands on
    the application saying so) and never the next one."""
    application = selectors.application_get_for_actor(request.user, pk)
    step = services.current_step(application) if application.is_open else None
    form = ActionForm(request.POST, acceptance=step is not None and step.step == "acceptance")
    if not form.is_valid():
        if form.has_error("step"):
            messages.error(request, services.page_stale_message())
        else:
            messages.error(request, _("请选择办理结果"))
        return redirect("repair_workflow:detail", pk=application.pk)
    try:
        services.application_advance(
            actor=request.user,
            application=application,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
            review_org=form.cleaned_data.get("review_org"),
            step_id=form.cleaned_data["step"],
        )
    except services.StepAlreadyDecided as repeat:
        messages.info(request, services.step_decided_message(repeat.step))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("已办理"))
    return redirect("repair_workflow:detail", pk=application.pk)


@login_required
@require_GET
def material_download_view(request: HttpRequest, pk: int) -> HttpResponse:
    row = RepairMaterial.objects.filter(pk=pk).only("application_id").first()
    if row is None:
        raise Http404(_("文件不存在"))
    selectors.application_get_for_actor(request.user, row.application_id)
    return file_response(RepairMaterial.objects.get(pk=pk))


@role_required(*PARK_ROLES)
@require_GET
def queue_view(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    filters = form.filters()
    context = {
        "form": form,
        "items": selectors.staff_queue(actor=request.user, **filters),
        "filters": filters,
    }
    template = "repair_workflow/queue.html#table" if is_htmx(request) else "repair_workflow/queue.html"
    if not is_htmx(request):
        context["repair_limits"] = list(REPAIR_LIMITS.items())
        context["objection_limits"] = list(OBJECTION_LIMITS.items())
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@role_required(*PARK_ROLES)
@require_GET
def figures_view(request: HttpRequest) -> HttpResponse:
    return render(request, "repair_workflow/figures.html", {"figures": selectors.park_figures()})
