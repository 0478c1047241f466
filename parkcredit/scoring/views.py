"""Scoring pages: park overview, runs, model versions with their governance buttons, and what-if.

Views parse input, call one selector or service and render; the shaping of selector results
into tables and chart specs lives in `parkcredit.scoring.presentation`. Park roles see these
pages, archive editors act on them; everybody else gets 403 (enterprise and bank users see
scores only in the panel on the enterprise pages they may see).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from creditcore.scoring.spec import dump_spec
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, PARK_ROLES
from parkcredit.common.htmx import is_htmx
from parkcredit.scoring import presentation, selectors, services
from parkcredit.scoring.forms import WhatIfForm
from parkcredit.scoring.models import ScoringModel

PAGE_SIZE = 25


def _require_park(user: Any) -> None:
    if getattr(user, "role", None) not in PARK_ROLES:
        raise PermissionDenied(_("信用评价页面仅向园区工作人员开放"))


def _require_editor(user: Any) -> None:
    if getattr(user, "role", None) not in ARCHIVE_EDITOR_ROLES:
        raise PermissionDenied(_("只有园区管理员和部门工作人员可以操作信用评价"))


def _error_text(error: Exception) -> str:
    """A service's refusal as one Chinese sentence for a flash message."""
    if isinstance(error, ValidationError):
        return ";".join(str(message) for message in error.messages)
    return str(error) or _("操作未完成")


@login_required
@require_GET
def overview_view(request: HttpRequest) -> HttpResponse:
    _require_park(request.user)
    context = presentation.overview_context(actor=request.user)
    context["can_rescore"] = services.can_start_runs(request.user)
    return render(request, "scoring/overview.html", context)


@login_required
@require_GET
def run_list_view(request: HttpRequest) -> HttpResponse:
    _require_park(request.user)
    page = Paginator(selectors.run_list(actor=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "can_rescore": services.can_start_runs(request.user)}
    return render(request, "scoring/runs.html", context)


@login_required
@require_POST
def run_start_view(request: HttpRequest) -> HttpResponse:
    _require_editor(request.user)
    try:
        job = services.scoring_run_start(actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
        return redirect("scoring:overview")
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_GET
def model_list_view(request: HttpRequest) -> HttpResponse:
    _require_park(request.user)
    models = selectors.model_list(actor=request.user)
    return render(request, "scoring/models.html", {"models": models})


@login_required
@require_GET
def model_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_park(request.user)
    model = selectors.model_get_for_actor(request.user, pk)
    context = presentation.model_detail_context(actor=request.user, model=model)
    return render(request, "scoring/model_detail.html", context)


def _act(action: str, actor: Any, model: ScoringModel) -> tuple[ScoringModel, str]:
    """Run one governance step; returns the model to show next and the success message."""
    if action == "draft":
        draft = services.model_create_draft(actor=actor, spec_yaml=model.spec_yaml, base=model)
        return draft, _("已基于 v%(version)s 创建草稿 v%(new)s") % {
            "version": model.version,
            "new": draft.version,
        }
    if action == "simulate":
        services.model_simulate(actor=actor, model=model)
        return model, _("模拟完成,请查看等级迁移矩阵")
    if action == "approve":
        services.model_approve(actor=actor, model=model)
        return model, _("已审核通过")
    if action == "publish":
        services.model_publish(actor=actor, model=model)
        return model, _("已发布,新模型将用于此后的评分")
    raise ValidationError(_("未知操作:%(action)s") % {"action": action or "—"})


@login_required
@require_POST
def model_action_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_park(request.user)
    model = selectors.model_get_for_actor(request.user, pk)
    _require_editor(request.user)
    try:
        shown, message = _act(request.POST.get("action", ""), request.user, model)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
        return redirect("scoring:model_detail", pk=model.pk)
    messages.success(request, message)
    return redirect("scoring:model_detail", pk=shown.pk)


@login_required
@require_http_methods(["GET", "POST"])
def whatif_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft's weights and bands and see the grade migration at once; save only on request.

    htmx posts the form on every change and gets the migration fragment back; the "保存为草稿"
    button posts the whole form without htmx and saves the edited spec into the draft.
    """
    _require_park(request.user)
    model = selectors.model_get_for_actor(request.user, pk)
    _require_editor(request.user)
    if not model.is_editable:
        messages.error(request, _("只有草稿可以试算调整,请先基于已发布模型创建草稿"))
        return redirect("scoring:model_detail", pk=model.pk)
    spec = presentation.spec_of(model)
    form = WhatIfForm(request.POST or None, spec=spec)
    context: dict[str, Any] = {"model": model, "form": form}
    if request.method == "POST" and form.is_valid():
        edited = form.edited_spec()
        if "save" in request.POST and not is_htmx(request):
            # Versions are never edited in place: the edited spec becomes a new draft version.
            try:
                draft = services.model_create_draft(
                    actor=request.user, spec_yaml=dump_spec(edited), base=model.base or model
                )
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(
                    request, _("已保存为草稿 v%(version)s,请模拟后提交审核") % {"version": draft.version}
                )
                return redirect("scoring:model_detail", pk=draft.pk)
        context["whatif"] = presentation.whatif_result(actor=request.user, spec=edited)
    elif request.method == "GET":
        context["whatif"] = presentation.whatif_result(actor=request.user, spec=spec)
    template = "scoring/whatif.html#result" if is_htmx(request) else "scoring/whatif.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
