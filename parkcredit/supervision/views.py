"""Supervision pages: the staff workbench, the inspector's phone page, and public pages with replay.

Staff pages (item list, inspector directory, plans, yield charts) are for park administrators
and department staff; an inspector sees only "my tasks"; plans past draft, their draws and
published results are public and need no sign-in.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, Role
from parkcredit.accounts.permissions import role_required
from parkcredit.common.forms import apply_service_errors
from parkcredit.repair.workcalendar import park_calendar
from parkcredit.supervision import charts, selectors, services
from parkcredit.supervision.forms import ConflictForm, FindingsForm, PlanForm, RectifiedForm
from parkcredit.supervision.models import InspectionState
from parkcredit.supervision.workdays import workdays_left

EDITORS = tuple(ARCHIVE_EDITOR_ROLES)


def _exclusion_label(reason: str) -> str:
    labels = {"exempt": _("免检免扰"), "tolerance": _("包容期"), "cap": _("已达年度检查上限")}
    return labels.get(reason, reason)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return ";".join(str(m) for m in error.messages)
    return str(error) or _("操作未完成")


# --- staff -----------------------------------------------------------------------------------


@require_GET
@role_required(*EDITORS)
def item_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/items.html", {"items": selectors.item_list(request.user)})


@require_GET
@role_required(*EDITORS)
def inspector_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "supervision/inspectors.html",
        {"inspectors": selectors.inspector_list(request.user), "form": ConflictForm()},
    )


@require_POST
@role_required(*EDITORS)
def conflict_add_view(request: HttpRequest) -> HttpResponse:
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            services.conflict_add(
                actor=request.user,
                inspector=form.cleaned_data["inspector"],
                enterprise=form.cleaned_data["uscc"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                until=form.cleaned_data["until"],
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("已登记回避情形,今后的抽取不会再安排该人员检查这家企业"))
            return redirect("supervision:inspectors")
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = ";".join(str(e) for e in errors)
            messages.error(request, f"{label}:{text}" if label else text)
    return redirect("supervision:inspectors")


@require_GET
@role_required(*EDITORS)
def plan_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "supervision/plans.html",
        {
            "plans": selectors.plan_list(request.user),
            "rectifications": selectors.rectifications_open(request.user)[:20],
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(*EDITORS)
def plan_create_view(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=request.user,
                code=data["code"],
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                items=list(data["items"]),
                ratios={
                    "A": data["ratio_a"],
                    "B": data["ratio_b"],
                    "C": data["ratio_c"],
                    "D": data["ratio_d"],
                },
                control_share=data["control_share"],
                yearly_cap=data["yearly_cap"],
                tolerance_months=data["tolerance_months"],
                exempt_tags=data["exempt_tags"],
                inspectors_per_target=data["inspectors_per_target"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已创建抽查计划草稿"))
            return redirect("supervision:plan_detail", pk=plan.pk)
    return render(request, "supervision/plan_form.html", {"form": form})


def _draw_context(plan: Any) -> dict[str, Any]:
    record = getattr(plan, "draw", None)
    if record is None:
        return {"draw": None}
    result = json.loads(record.result_text) if record.result_text else None
    excluded: dict[str, int] = {}
    unstaffed = []
    if result:
        for row in result["excluded"]:
            label = _exclusion_label(row["reason"])
            excluded[label] = excluded.get(label, 0) + 1
        unstaffed = [v for v in result["visits"] if v["unstaffed"]]
    inputs = json.loads(record.inputs_text)
    return {
        "draw": record,
        "population": len(inputs["targets"]),
        "inspector_count": len(inputs["inspectors"]),
        "excluded": sorted(excluded.items()),
        "unstaffed": unstaffed,
        "quotas": result["quotas"] if result else {},
    }


@require_GET
@role_required(*EDITORS)
def plan_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get_for_actor(request.user, pk)
    today = timezone.localdate()
    inspections = list(selectors.plan_inspections(plan))
    work_calendar = park_calendar()  # one query for the page, not one per inspection
    for inspection in inspections:
        # Working days left to publish (negative once the 20 working days have passed).
        inspection.days_left = (  # type: ignore[attr-defined]
            workdays_left(inspection.publish_due, today, work_calendar) if inspection.publish_due else None
        )
    context = {
        "plan": plan,
        "inspections": inspections,
        "items": plan.items.select_related("department"),
        "submitted": sum(1 for i in inspections if i.state == InspectionState.SUBMITTED),
        "rectified_form": RectifiedForm(initial={"rectified_on": today}),
        **_draw_context(plan),
    }
    return render(request, "supervision/plan_detail.html", context)


def _plan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    plan = selectors.plan_get_for_actor(request.user, pk)
    try:
        if action == "commit":
            services.plan_commit(actor=request.user, plan=plan)
            messages.success(request, _("已冻结抽取输入并公布承诺值;抽取后公开随机种子"))
        elif action == "draw":
            result = services.plan_draw(actor=request.user, plan=plan)
            messages.success(
                request, _("抽取完成:%(n)d 户检查对象,随机种子已公开") % {"n": len(result.visits)}
            )
        else:
            count = services.plan_publish(actor=request.user, plan=plan)
            messages.success(request, _("已公示 %(n)d 户检查结果并登记信用记录") % {"n": count})
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    return redirect("supervision:plan_detail", pk=plan.pk)


@require_POST
@role_required(*EDITORS)
def plan_commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(request, pk, "commit")


@require_POST
@role_required(*EDITORS)
def plan_draw_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(request, pk, "draw")


@require_POST
@role_required(*EDITORS)
def plan_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_action(request, pk, "publish")


@require_POST
@role_required(*EDITORS)
def inspection_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.inspection_get_for_actor(request.user, pk)
    try:
        services.inspection_publish(actor=request.user, inspection=inspection)
        messages.success(request, _("已公示检查结果"))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    return redirect("supervision:plan_detail", pk=inspection.plan_id)


@require_POST
@role_required(*EDITORS)
def finding_rectified_view(request: HttpRequest, pk: int) -> HttpResponse:
    finding = selectors.finding_get_for_actor(request.user, pk)
    form = RectifiedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("整改完成日期无效"))
    else:
        try:
            services.finding_rectified(
                actor=request.user, finding=finding, on=form.cleaned_data["rectified_on"]
            )
            messages.success(request, _("已登记整改完成"))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
    return redirect("supervision:plan_detail", pk=finding.inspection.plan_id)


@require_GET
@role_required(*EDITORS)
def yield_view(request: HttpRequest) -> HttpResponse:
    stats = selectors.yield_stats(request.user)
    return render(request, "supervision/yield.html", {"stats": stats, **charts.yield_charts(stats)})


# --- inspector -------------------------------------------------------------------------------


@require_GET
@role_required(Role.INSPECTOR)
def task_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/tasks.html", {"tasks": selectors.my_tasks(request.user)})


@require_http_methods(["GET", "POST"])
@role_required(Role.INSPECTOR)
def task_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = selectors.inspection_get_for_actor(request.user, pk)
    form = FindingsForm(request.POST or None, inspection=inspection)
    if request.method == "POST":
        if inspection.state != InspectionState.ASSIGNED:
            messages.error(request, _("本次检查的结果已经提交"))
            return redirect("supervision:task", pk=pk)
        if form.is_valid():
            files = [(f.name or "", f.read()) for f in request.FILES.getlist("evidence")]
            try:
                services.inspection_submit(
                    actor=request.user,
                    inspection=inspection,
                    inspected_on=form.cleaned_data["inspected_on"],
                    findings=form.findings(),
                    files=files,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("检查结果已提交,等待审核公示"))
                return redirect("supervision:tasks")
    return render(request, "supervision/task.html", {"inspection": inspection, "form": form})


@require_GET
@login_required
def evidence_view(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.evidence_get_for_actor(request.user, pk)
    response = HttpResponse(bytes(evidence.content), content_type=evidence.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- public ----------------------------------------------------------------------------------


@require_GET
def public_plans_view(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/public_plans.html", {"plans": selectors.public_plans()})


@require_GET
def public_plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.public_plan_get(pk)
    context = {"plan": plan, "results": selectors.public_results(plan), **_draw_context(plan)}
    return render(request, "supervision/public_plan.html", context)


@require_GET
def public_inputs_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The frozen inputs exactly as hashed (the bytes of the commitment)."""
    plan = selectors.public_plan_get(pk)
    response = HttpResponse(
        plan.draw.inputs_text.encode("utf-8"), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{plan.code}-inputs.json"'
    return response


@require_GET
def public_result_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.public_plan_get(pk)
    record = plan.draw
    if not record.seed_revealed:
        raise Http404
    return JsonResponse(
        {
            "plan": plan.code,
            "seed": record.seed,
            "commitment": record.commitment_dict,
            "result": json.loads(record.result_text),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def public_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.public_plan_get(pk)
    differences = selectors.draw_verify(plan)
    return render(
        request,
        "supervision/public_verify.html",
        {"plan": plan, "differences": differences, "draw": plan.draw},
    )
