"""Pages of the enterprise archive: list, archive card, create, edit and "my enterprise".

Views parse input, call one selector or service and render. Scope and permissions live in the
selectors (`visible_to`, `enterprise_get_for_actor`) and services (archive editor roles).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from parkcredit.common.client import client_ip
from parkcredit.common.forms import apply_service_errors
from parkcredit.common.htmx import is_htmx
from parkcredit.enterprises.filters import EnterpriseFilterForm
from parkcredit.enterprises.forms import EnterpriseForm
from parkcredit.enterprises.models import Enterprise
from parkcredit.enterprises.selectors import (
    enterprise_archive,
    enterprise_filter_options,
    enterprise_get_for_actor,
    enterprise_list,
)
from parkcredit.enterprises.services import enterprise_create, enterprise_update
from parkcredit.scoring.presentation import enterprise_score_panel

PAGE_SIZE = 25


def _require_editor(user: Any) -> None:
    if not getattr(user, "can_edit_archive", False):
        raise PermissionDenied(_("只有园区管理员和部门工作人员可以修改企业档案"))


@login_required
@require_GET
def enterprise_list_view(request: HttpRequest) -> HttpResponse:
    filter_form = EnterpriseFilterForm(request.GET)
    filters = filter_form.filters()
    page = Paginator(enterprise_list(actor=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context: dict[str, Any] = {"filter_form": filter_form, "filters": filters, "page": page}
    if is_htmx(request):
        response = render(request, "enterprises/list.html#table", context)
    else:
        context["options"] = enterprise_filter_options(actor=request.user)
        context["can_edit"] = getattr(request.user, "can_edit_archive", False)
        response = render(request, "enterprises/list.html", context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def enterprise_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = enterprise_get_for_actor(request.user, pk)
    archive = enterprise_archive(actor=request.user, enterprise=enterprise)
    score_panel = enterprise_score_panel(actor=request.user, enterprise=enterprise)
    return render(
        request,
        "enterprises/detail.html",
        {"archive": archive, "enterprise": enterprise, "score_panel": score_panel},
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_create_view(request: HttpRequest) -> HttpResponse:
    _require_editor(request.user)
    form = EnterpriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        warnings: list[str] = []
        try:
            enterprise = enterprise_create(
                actor=request.user, data=form.service_data(), warnings=warnings, ip=client_ip(request)
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _saved(request, enterprise, warnings, _("已建档:%(name)s"))
    return render(request, "enterprises/form.html", {"form": form, "enterprise": None})


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Fetch first: someone who may not see the enterprise gets 404, not a hint that it exists.
    enterprise = enterprise_get_for_actor(request.user, pk)
    _require_editor(request.user)
    form = EnterpriseForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        warnings: list[str] = []
        try:
            enterprise = enterprise_update(
                actor=request.user,
                enterprise=enterprise,
                data=form.service_data(),
                warnings=warnings,
                ip=client_ip(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _saved(request, enterprise, warnings, _("已保存:%(name)s"))
    return render(request, "enterprises/form.html", {"form": form, "enterprise": enterprise})


def _saved(request: HttpRequest, enterprise: Enterprise, warnings: list[str], message: str) -> HttpResponse:
    messages.success(request, message % {"name": enterprise.name})
    for warning in warnings:
        messages.warning(request, _("统一社会信用代码提示:%(warning)s") % {"warning": warning})
    return redirect("enterprises:detail", pk=enterprise.pk)


@login_required
@require_GET
def enterprise_mine_view(request: HttpRequest) -> HttpResponse:
    """An enterprise user's own archive card; nobody else has one."""
    enterprise_id = getattr(request.user, "enterprise_id", None)
    if enterprise_id is None:
        raise Http404(_("当前账号未关联企业"))
    enterprise = enterprise_get_for_actor(request.user, enterprise_id)
    return redirect("enterprises:detail", pk=enterprise.pk)
