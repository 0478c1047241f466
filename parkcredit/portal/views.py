"""Pages of the portal: the public side (no sign-in), red/black list editing for park staff and
the enterprise self-service dashboard. Views parse input, call one selector or service, render;
the public enterprise page is served from a cache keyed by a database stamp (`pagecache`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkcredit.accounts.models import Role
from parkcredit.accounts.permissions import role_required
from parkcredit.common import pagecache as common_pagecache
from parkcredit.common.forms import apply_service_errors
from parkcredit.portal import pagecache, selectors, services
from parkcredit.portal.forms import EntryAddForm, ListCreateForm, SearchForm, WithdrawForm
from parkcredit.portal.models import ListEntry, ListKind, PublishedList

PAGE_SIZE = 20
DRAFTERS = (Role.PARK_ADMIN, Role.DEPT_STAFF)


# --- public ------------------------------------------------------------------------------------


@require_GET
def home_view(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    result = selectors.portal_search(query)
    if result.exact is not None:
        return redirect("portal:enterprise", uscc=result.exact.uscc)
    page = None
    if result.matches is not None:
        page = Paginator(result.matches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/home.html",
        {"form": form, "query": result.query, "page": page, "lists": selectors.public_lists()[:6]},
    )


@require_GET
def enterprise_view(request: HttpRequest, uscc: str) -> HttpResponse:
    """The public page of a park enterprise: grade, code link, lists, records and commitments.

    Every request reads the page's database stamp (one indexed query; no such park enterprise:
    404); the content of that state comes from the cache when it was rendered before, exactly as
    on the code page (`parkcredit.portal.pagecache`, `parkcredit.common.pagecache`): anonymous
    visitors get the whole page and may revalidate it (ETag), signed-in users get the cached
    content inside their own navigation, which browsers must not store.
    """
    now = timezone.now()
    stamp = selectors.public_page_stamp(uscc)
    if stamp is None:
        raise Http404(_("未找到该企业"))
    page = common_pagecache.CachedPage(
        key=pagecache.page_key(stamp=stamp, now=now, language=get_language()),
        cache=pagecache.page_cache(),
        frame="portal/enterprise.html",
        frame_context={"name": stamp.name},
        render_body=lambda: _enterprise_content(uscc, now),
        still_current=lambda: selectors.public_page_stamp(uscc) == stamp,
    )
    return common_pagecache.serve(request, page, whole=common_pagecache.whole_page_cacheable(request))


def _enterprise_content(uscc: str, now: datetime) -> str:
    """The enterprise page's content rendered from the database (portal/_enterprise_body.html), with
    the records in publicity on the local day of the page's key."""
    enterprise = selectors.public_enterprise_get(uscc)
    profile = selectors.public_profile(enterprise, on=timezone.localdate(now))
    return render_to_string("portal/_enterprise_body.html", {"profile": profile})


@require_GET
def grades_view(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/grades.html", {"guide": selectors.grade_guide()})


@require_GET
def lists_view(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    page = Paginator(selectors.public_lists(kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/lists.html",
        {"page": page, "kind": kind if kind in ListKind.values else "", "kinds": ListKind.choices},
    )


@require_GET
def list_view(request: HttpRequest, pk: int) -> HttpResponse:
    published_list = selectors.public_list_get(pk)
    return render(
        request,
        "portal/list.html",
        {"list": published_list, "entries": selectors.list_entries(published_list)},
    )


# --- park staff: drafting and publishing lists -------------------------------------------------


@role_required(*DRAFTERS)
@require_GET
def manage_view(request: HttpRequest) -> HttpResponse:
    lists = PublishedList.objects.visible_to(request.user).select_related("created_by", "published_by")
    page = Paginator(lists.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/manage.html", {"page": page})


@role_required(*DRAFTERS)
@require_http_methods(["GET", "POST"])
def create_view(request: HttpRequest) -> HttpResponse:
    form = ListCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.list_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("已起草名单:%(title)s") % {"title": created.title})
            return redirect("portal:manage_detail", pk=created.pk)
    return render(request, "portal/manage_create.html", {"form": form})


@role_required(*DRAFTERS)
@require_GET
def manage_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    published_list = selectors.list_get_for_actor(request.user, pk)
    context: dict[str, Any] = {
        "list": published_list,
        "entries": selectors.list_entries(published_list),
        "candidates": selectors.list_candidates(published_list) if published_list.is_draft else [],
        "add_form": EntryAddForm(),
        "withdraw_form": WithdrawForm(),
        "can_publish": services.can_publish_lists(request.user),
    }
    return render(request, "portal/manage_detail.html", context)


def _change_then_back(request: HttpRequest, pk: int, change: Callable[[], str]) -> HttpResponse:
    """Run one change to list `pk`: its success message, or the service's errors, go to the messages;
    either way the user lands back on the list."""
    try:
        done = change()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("portal:manage_detail", pk=pk)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}:{error}" if label else error)


@role_required(*DRAFTERS)
@require_POST
def entry_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    published_list = selectors.list_get_for_actor(request.user, pk)
    form = EntryAddForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("portal:manage_detail", pk=pk)

    def add() -> str:
        entry = services.list_entry_add(
            actor=request.user, published_list=published_list, **form.cleaned_data
        )
        return _("已加入名单:%(name)s") % {"name": entry.enterprise.name}

    return _change_then_back(request, pk, add)


@role_required(*DRAFTERS)
@require_POST
def entry_remove_view(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    published_list = selectors.list_get_for_actor(request.user, pk)
    entry = get_object_or_404(
        ListEntry.objects.select_related("enterprise"), pk=entry_pk, published_list=published_list
    )

    def remove() -> str:
        services.list_entry_remove(actor=request.user, entry=entry)
        return _("已移出名单:%(name)s") % {"name": entry.enterprise.name}

    return _change_then_back(request, pk, remove)


@role_required(*DRAFTERS)
@require_POST
def suggest_view(request: HttpRequest, pk: int) -> HttpResponse:
    published_list = selectors.list_get_for_actor(request.user, pk)
    chosen = request.POST.getlist("enterprise")
    try:
        ids = [int(value) for value in chosen] if chosen else None
    except ValueError:
        messages.error(request, _("所选企业编号「%(value)s」无效") % {"value": ",".join(chosen)})
        return redirect("portal:manage_detail", pk=pk)

    def fill() -> str:
        added = services.list_fill_suggested(
            actor=request.user, published_list=published_list, enterprise_ids=ids
        )
        return _("已按信用等级加入 %(count)s 家企业,请逐一核对列入理由") % {"count": added}

    return _change_then_back(request, pk, fill)


@role_required(Role.PARK_ADMIN)
@require_POST
def publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    published_list = selectors.list_get_for_actor(request.user, pk)

    def publish() -> str:
        services.list_publish(actor=request.user, published_list=published_list)
        return _("名单已发布到信用信息公示平台")

    return _change_then_back(request, pk, publish)


@role_required(Role.PARK_ADMIN)
@require_POST
def withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    published_list = selectors.list_get_for_actor(request.user, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("portal:manage_detail", pk=pk)

    def withdraw() -> str:
        services.list_withdraw(
            actor=request.user, published_list=published_list, reason=form.cleaned_data["reason"]
        )
        return _("名单已撤回,公众不再可见")

    return _change_then_back(request, pk, withdraw)


# --- enterprise self-service -------------------------------------------------------------------


@role_required(Role.ENTERPRISE)
@require_GET
def mine_view(request: HttpRequest) -> HttpResponse:
    """The enterprise user's own dashboard: grade, reasons, path, records, inbox, report, code."""
    return render(request, "portal/mine.html", {"me": selectors.self_service(actor=request.user)})
