"""Objection pages: the enterprise's form and detail, the department's action, evidence downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from creditcore.deadlines import OBJECTION_LIMITS, ObjectionTrack
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, Role
from parkcredit.accounts.permissions import role_required
from parkcredit.common.forms import apply_service_errors
from parkcredit.objections import routing, services
from parkcredit.objections.files import file_response
from parkcredit.objections.forms import ObjectionActionForm, ObjectionForm, read_uploads
from parkcredit.objections.models import Objection, ObjectionEvidence
from parkcredit.objections.selectors import (
    objection_get_for_actor,
    objection_open_for,
    objection_submitted_with,
)
from parkcredit.records.selectors import record_get_for_actor, record_state


def _already_submitted(request: HttpRequest, objection: Objection) -> HttpResponse:
    """An objection page sent again lands on what its first submission created, not on an error."""
    messages.info(request, services.already_submitted_message(objection))
    return redirect("objections:detail", pk=objection.pk)


@role_required(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def objection_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The objection form. The page carries a one-time token: sent twice (a double click, a
    re-sent form), it submits one objection and lands on it."""
    record = record_get_for_actor(request.user, pk)
    if request.method == "POST":
        # Before anything else: the first submission has opened an objection on the record, which
        # would refuse the page (one open objection per record) instead of showing it.
        submitted = objection_submitted_with(actor=request.user, token=request.POST.get("token", ""))
        if submitted is not None:
            return _already_submitted(request, submitted)
    form = ObjectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            objection = services.objection_submit(
                actor=request.user,
                record=record,
                reasons=form.cleaned_data["reasons"],
                files=read_uploads(form.cleaned_data["evidence"]),
                submit_token=form.cleaned_data["token"],
            )
        except services.ObjectionAlreadySubmitted as replay:
            return _already_submitted(request, replay.existing)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("异议已提交,记录已标注为“异议中”,评价暂不计入该记录"))
            return redirect("objections:detail", pk=objection.pk)
    # A page that failed for another reason keeps its unused token; a page without a valid one
    # (expired, forged) gets a fresh token, so the enterprise can submit from it.
    token = getattr(form, "cleaned_data", {}).get("token") or services.submit_token_issue()
    context = {
        "record": record,
        "state": record_state(record),
        "open_objection": objection_open_for(actor=request.user, record=record),
        "form": form,
        "token": token,
        "limits": OBJECTION_LIMITS,
        "ordinary": OBJECTION_LIMITS[ObjectionTrack.ORDINARY],
        "verify": OBJECTION_LIMITS[ObjectionTrack.VERIFY],
    }
    return render(request, "objections/form.html", context)


@login_required
@require_GET
def objection_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    objection = objection_get_for_actor(request.user, pk)
    can_act = objection.is_open and routing.acts_for(request.user, objection.responsible)
    context = {
        "objection": objection,
        "evidence": list(objection.evidence.only("pk", "name", "size", "content_type", "uploaded_at")),
        "late": services.objection_late_workdays(objection),
        "can_act": can_act,
        "action_form": ObjectionActionForm(track=objection.track) if can_act else None,
        "is_park": getattr(request.user, "is_park_user", False),
    }
    return render(request, "objections/detail.html", context)


@role_required(*ARCHIVE_EDITOR_ROLES)
@require_POST
def objection_action_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Act on the objection as the page showed it. Sent twice, the action is done once: the repeat
    lands on the objection saying what was done, and writes nothing."""
    objection = objection_get_for_actor(request.user, pk)
    form = ObjectionActionForm(request.POST)
    if not form.is_valid():
        if form.has_error("track"):
            messages.error(request, services.page_stale_message())
        else:
            messages.error(request, _("请选择处理方式"))
        return redirect("objections:detail", pk=objection.pk)
    action, note = form.cleaned_data["action"], form.cleaned_data["note"]
    seen = form.cleaned_data["track"]
    try:
        if action == "extend":
            services.objection_extend(actor=request.user, objection=objection, note=note, seen_track=seen)
            messages.success(request, _("已转信息提供单位核实,办理期限已延长"))
        elif action == "corrected":
            services.objection_close_corrected(
                actor=request.user, objection=objection, note=note, seen_track=seen
            )
            messages.success(request, _("异议已办结(记录已更正)"))
        else:
            services.objection_decide(
                actor=request.user, objection=objection, upheld=action == "uphold", note=note, seen_track=seen
            )
            messages.success(request, _("异议已办结"))
    except services.ObjectionAlreadyHandled as repeat:
        messages.info(request, services.already_handled_message(repeat.objection))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("objections:detail", pk=objection.pk)


@login_required
@require_GET
def evidence_download_view(request: HttpRequest, pk: int) -> HttpResponse:
    row = ObjectionEvidence.objects.filter(pk=pk).only("objection_id").first()
    if row is None:
        raise Http404(_("文件不存在"))
    objection_get_for_actor(request.user, row.objection_id)
    return file_response(ObjectionEvidence.objects.get(pk=pk))
