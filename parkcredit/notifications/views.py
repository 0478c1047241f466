"""Inbox pages: one's own notifications, marking them read, and one's delivery subscriptions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkcredit.common.forms import apply_service_errors
from parkcredit.common.htmx import is_htmx
from parkcredit.notifications.forms import SubscriptionForm
from parkcredit.notifications.selectors import (
    inbox,
    notification_get_for_actor,
    subscription_get_for_actor,
    subscriptions_of,
    unread_count,
)
from parkcredit.notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    subscription_create,
    subscription_delete,
)

PAGE_SIZE = 30


@login_required
@require_GET
def inbox_view(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(inbox(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "unread_only": unread_only, "unread_total": unread_count(request.user)}
    template = "notifications/inbox.html#rows" if is_htmx(request) else "notifications/inbox.html"
    return render(request, template, context)


@login_required
@require_POST
def read_view(request: HttpRequest, pk: int) -> HttpResponse:
    note = notification_get_for_actor(request.user, pk)
    notification_mark_read(actor=request.user, notification=note)
    if is_htmx(request):
        return render(request, "notifications/inbox.html#row", {"note": note})
    # "Open" follows the notification's own link when it stays on this site.
    if (
        request.POST.get("go")
        and note.link
        and url_has_allowed_host_and_scheme(note.link, allowed_hosts=None)
    ):
        return redirect(note.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all_view(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(actor=request.user)
    messages.success(request, _("已将 %(count)d 条通知标为已读") % {"count": count})
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def subscriptions_view(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription_create(
                actor=request.user,
                channel=form.cleaned_data["channel"],
                address=form.cleaned_data["address"],
                kinds=form.kind_list(),
                min_severity=form.cleaned_data["min_severity"],
                secret=form.cleaned_data.get("secret", ""),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已添加订阅"))
            return redirect("notifications:subscriptions")
    rows = subscriptions_of(request.user)
    return render(request, "notifications/subscriptions.html", {"form": form, "subscriptions": rows})


@login_required
@require_POST
def subscription_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    sub = subscription_get_for_actor(request.user, pk)
    subscription_delete(actor=request.user, subscription=sub)
    messages.success(request, _("已删除订阅"))
    return redirect("notifications:subscriptions")
