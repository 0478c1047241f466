"""Pages of the commitments app: public lists, "my commitments" and the sign flow, the staff list,
commitment details with staff actions, and template maintenance.

Views parse input, call one selector or service and render; scope lives in the selectors
(`visible_to`, `commitment_get_for_actor`) and permissions in the services and role gates.
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
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkcredit.accounts.models import PARK_ROLES, Role
from parkcredit.accounts.permissions import role_required
from parkcredit.commitments import selectors, services
from parkcredit.commitments.checking import commitments_check_start
from parkcredit.commitments.forms import (
    BreachForm,
    ConfirmForm,
    DeliverForm,
    FilterForm,
    SignForm,
    TemplateForm,
)
from parkcredit.commitments.models import Commitment, CommitmentStatus, EventKind, Scenario
from parkcredit.common.forms import apply_service_errors
from parkcredit.common.htmx import is_htmx

PAGE_SIZE = 20
EDITORS = (Role.PARK_ADMIN, Role.DEPT_STAFF)
SIGNERS = (Role.ENTERPRISE, Role.PARK_ADMIN, Role.DEPT_STAFF)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return ";".join(str(message) for message in error.messages)
    return str(error) or _("操作未完成")


# --- public --------------------------------------------------------------------------------------


@require_GET
def public_list_view(request: HttpRequest) -> HttpResponse:
    """Every public commitment, enterprises' and the park's own (政务诚信); no login needed."""
    party = request.GET.get("party", "")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "")
    page = Paginator(selectors.public_list(party=party, q=q, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "party": party,
        "status": status,
        "q": q[:100],
        "statuses": CommitmentStatus.choices,
    }
    template = "commitments/public_list.html#results" if is_htmx(request) else "commitments/public_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
def public_detail_view(request: HttpRequest, number: str) -> HttpResponse:
    commitment = selectors.public_get(number)
    return render(
        request,
        "commitments/public_detail.html",
        {"commitment": commitment, "events": selectors.events_of(commitment)},
    )


# --- signing -------------------------------------------------------------------------------------


@login_required
@role_required(*SIGNERS)
@require_GET
def mine_view(request: HttpRequest) -> HttpResponse:
    """An enterprise's own commitments, or a park department's government commitments."""
    user: Any = request.user
    if user.enterprise_id is not None:
        commitments = selectors.enterprise_commitments(actor=user, enterprise=user.enterprise_id)
    else:
        commitments = selectors.commitment_list(actor=user).filter(organisation_id=user.organisation_id)
    return render(
        request,
        "commitments/mine.html",
        {
            "commitments": commitments,
            "templates": selectors.templates_signable(actor=user),
            "is_enterprise": user.enterprise_id is not None,
        },
    )


def _already_signed(request: HttpRequest, commitment: Commitment) -> HttpResponse:
    """A confirmation page sent again lands on what its first submission signed, not on an error."""
    messages.info(request, services.already_signed_message(commitment))
    return redirect("commitments:detail", pk=commitment.pk)


@login_required
@role_required(*SIGNERS)
@require_http_methods(["GET", "POST"])
def sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1: the scope; step 2 ("preview"): the exact text to confirm, with a one-time signing
    token; step 3 ("sign"): signed, once per token however often the page is sent."""
    user: Any = request.user
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "sign":
        # Before anything else: the template may have been revised or the day changed since the
        # first submission, which would refuse the page instead of showing what it signed.
        signed = selectors.commitment_signed_with(actor=user, token=request.POST.get("token", ""))
        if signed is not None:
            return _already_signed(request, signed)
    template = selectors.templates_signable(actor=user).filter(pk=pk).first()
    if template is None:
        raise Http404(_("模板不存在或不能由当前账号签署"))
    enterprise = None
    if user.enterprise_id is not None:
        enterprise = user.organisation.enterprise
    form: SignForm = SignForm(request.POST or None, initial={"is_public": template.public_default})
    context: dict[str, Any] = {"template": template, "form": form, "enterprise": enterprise}
    if action in ("preview", "sign") and form.is_valid():
        try:
            draft = services.commitment_prepare(
                actor=user, template=template, enterprise=enterprise, scope=form.cleaned_data["scope"]
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
            return render(request, "commitments/sign.html", context)
        confirm = ConfirmForm(
            request.POST if action == "sign" else None,
            initial={
                **form.cleaned_data,
                "digest": draft.rendered.digest,
                "token": services.sign_token_issue(),
            },
        )
        if action == "sign" and confirm.is_valid():
            try:
                commitment = services.commitment_sign(
                    actor=user,
                    template=template,
                    enterprise=enterprise,
                    scope=confirm.cleaned_data["scope"],
                    is_public=confirm.cleaned_data["is_public"],
                    expected_digest=confirm.cleaned_data["digest"],
                    sign_token=confirm.cleaned_data["token"],
                )
            except services.CommitmentAlreadySigned as replay:
                return _already_signed(request, replay.existing)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, _error_text(error))
            else:
                messages.success(
                    request,
                    _("已签署承诺 %(number)s;承诺书全文及其 SM3 摘要已固定,见本页。")
                    % {"number": commitment.number},
                )
                return redirect("commitments:detail", pk=commitment.pk)
        context.update({"draft": draft, "confirm": confirm})
        return render(request, "commitments/confirm.html", context)
    return render(request, "commitments/sign.html", context)


# --- details and staff actions -------------------------------------------------------------------


@login_required
@require_GET
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.commitment_get_for_actor(request.user, pk)
    can_manage = services.can_manage(request.user)
    events = selectors.events_of(commitment)
    delivered = {e.detail.get("condition"): e for e in events if e.kind == EventKind.DELIVERED}
    conditions = [
        {
            "index": index,
            "data": data,
            "deadline": (commitment.deadlines or {}).get(str(index)),
            "delivered": delivered.get(index),
        }
        for index, data in enumerate(commitment.conditions or [])
    ]
    return render(
        request,
        "commitments/detail.html",
        {
            "commitment": commitment,
            "events": events,
            "conditions": conditions,
            "can_manage": can_manage and commitment.status == CommitmentStatus.IN_FORCE,
            "can_declare": can_manage
            and commitment.status in (CommitmentStatus.IN_FORCE, CommitmentStatus.EXPIRED),
            "breach_form": BreachForm(),
        },
    )


@login_required
@role_required(*EDITORS)
@require_POST
def deliver_view(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.commitment_get_for_actor(request.user, pk)
    form = DeliverForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写完成日期"))
        return redirect("commitments:detail", pk=commitment.pk)
    try:
        services.commitment_confirm_delivery(
            actor=request.user,
            commitment=commitment,
            condition=form.cleaned_data["condition"],
            on=form.cleaned_data["on"],
            note=form.cleaned_data["note"],
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已确认承诺事项完成"))
    return redirect("commitments:detail", pk=commitment.pk)


@login_required
@role_required(*EDITORS)
@require_POST
def breach_view(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = selectors.commitment_get_for_actor(request.user, pk)
    form = BreachForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("认定违诺必须写明违诺情形"))
        return redirect("commitments:detail", pk=commitment.pk)
    try:
        services.commitment_breach_declare(
            actor=request.user,
            commitment=commitment,
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data["on"],
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("已认定违诺,企业承诺已记入信用记录并通知承诺主体"))
    return redirect("commitments:detail", pk=commitment.pk)


@login_required
@role_required(*PARK_ROLES)
@require_GET
def list_view(request: HttpRequest) -> HttpResponse:
    """Staff list with status filters, the status counts and the monthly chart."""
    filter_form = FilterForm(request.GET)
    filters = filter_form.filters()
    page = Paginator(selectors.commitment_list(actor=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context: dict[str, Any] = {"filter_form": filter_form, "page": page}
    if is_htmx(request):
        response = render(request, "commitments/list.html#table", context)
    else:
        context.update(
            {
                "counts": selectors.status_counts(actor=request.user),
                "statuses": CommitmentStatus.choices,
                "chart": selectors.commitments_month_chart(selectors.commitments_by_month()),
                "can_check": services.can_manage(request.user),
            }
        )
        response = render(request, "commitments/list.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@role_required(*EDITORS)
@require_POST
def check_view(request: HttpRequest) -> HttpResponse:
    try:
        job = commitments_check_start(actor=request.user)
    except PermissionDenied as error:
        messages.error(request, _error_text(error))
        return redirect("commitments:list")
    return redirect("jobs:detail", pk=job.pk)


# --- templates -----------------------------------------------------------------------------------


@login_required
@role_required(*PARK_ROLES)
@require_GET
def template_list_view(request: HttpRequest) -> HttpResponse:
    include_old = request.GET.get("all") == "1"
    return render(
        request,
        "commitments/templates.html",
        {
            "templates": selectors.template_list(actor=request.user, include_old=include_old),
            "include_old": include_old,
            "can_edit": services.can_manage(request.user),
            "scenarios": Scenario.choices,
        },
    )


@login_required
@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def template_create_view(request: HttpRequest) -> HttpResponse:
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_create(actor=request.user, data=form.service_data())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已新建模板:%(title)s") % {"title": template.title})
            return redirect("commitments:templates")
    return render(request, "commitments/template_form.html", {"form": form, "template": None})


@login_required
@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def template_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.template_get(pk)
    if not template.is_current:
        raise Http404(_("只能修订模板的当前版本"))
    form = TemplateForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            revised = services.template_revise(
                actor=request.user, template=template, data=form.service_data()
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("已保存为第 %(v)s 版;已签署的承诺仍按原版本文本") % {"v": revised.version}
            )
            return redirect("commitments:templates")
    return render(
        request,
        "commitments/template_form.html",
        {"form": form, "template": template, "versions": selectors.template_versions(template)},
    )
