"""Pages of the codes app.

- `/c/<token>`: the public verification page a scanned QR code opens (no sign-in, phone first),
  served from a cache keyed by a per-request database stamp (`parkcredit.codes.pagecache`).
- `/codes/<pk>/…`: the code of enterprise `pk` for its own enterprise users and park staff (QR as
  SVG/PNG, printable plaque, history); staff revoke and re-issue by POST. Others get 404.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parkcredit.codes import pagecache, presentation
from parkcredit.codes.forms import RevokeForm
from parkcredit.codes.models import EnterpriseCode
from parkcredit.codes.selectors import (
    code_check,
    code_current,
    code_enterprise_for_download,
    code_history,
    code_page_stamp,
    public_commitments_of,
    public_records_of,
    token_check,
)
from parkcredit.codes.services import can_manage_codes, code_issue, code_revoke
from parkcredit.common import pagecache as common_pagecache
from parkcredit.common.links import public_url
from parkcredit.enterprises.models import Enterprise


@require_GET
def public_view(request: HttpRequest, token: str) -> HttpResponse:
    """What a scanned code says, checked now: verified, or an unmistakable warning and why.

    Every request checks the token's validity against the clock and reads the page's database
    stamp (one indexed query); the HTML of that state comes from the cache when it was rendered
    before (see `parkcredit.codes.pagecache` and `parkcredit.common.pagecache`). Anonymous
    visitors, who scan, get the whole page from the cache and may revalidate it (ETag); signed-in
    users get the cached content inside their own navigation, which browsers must not store.
    Forged tokens share one copy of their content per reason and never get the whole page cached.
    """
    now = timezone.now()
    check = token_check(token, now=now)
    stamp = None if check.forged else code_page_stamp(token)
    key = pagecache.page_key(token=token, check=check, stamp=stamp, now=now, language=get_language())
    page = common_pagecache.CachedPage(
        key=key,
        cache=pagecache.page_cache(),
        frame="codes/public.html",
        render_body=lambda: _render_content(token, now),
        # A forged token's content reads nothing from the database.
        still_current=lambda: key.forged or code_page_stamp(token) == stamp,
        shown_at=common_pagecache.shown_time(now),
    )
    whole = not key.forged and common_pagecache.whole_page_cacheable(request)
    response = common_pagecache.serve(request, page, whole=whole)
    # A verification page belongs to whoever holds the code, not to search engines.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _render_content(token: str, now: datetime) -> str:
    """The page's content rendered from the database (see codes/_public_body.html)."""
    view = code_check(token, now=now)
    records = commitments = None
    if view.enterprise is not None:
        records = public_records_of(view.enterprise, on=timezone.localdate(now))
        commitments = public_commitments_of(view.enterprise)
    reason = view.check.reason
    colour = presentation.GRADE_COLOURS.get(view.check.grade or "", "")
    return render_to_string(
        "codes/_public_body.html",
        {
            "view": view,
            "check": view.check,
            "reason_title": presentation.REASON_TITLES[reason],
            "reason_text": presentation.REASON_TEXTS[reason],
            "forged": view.check.forged,
            "grade_class": presentation.COLOUR_CLASSES.get(colour, "bg-secondary text-white"),
            "records": records,
            "commitments": commitments,
            "checked_at": pagecache.TIME_HOLE,
            "PARK_NAME": settings.PARK_NAME,
        },
    )


def _current_or_404(enterprise_pk: int) -> EnterpriseCode:
    code = code_current(enterprise_pk)
    if code is None or not code.token:
        raise Http404(_("该企业还没有有效的信用码"))
    return code


def _download_name(code: EnterpriseCode, extension: str) -> str:
    return f"enterprise-code-{code.enterprise.uscc}-{code.serial}.{extension}"


def _qr_download(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    """The current code's QR image as an attachment (`svg` or `png`), for the code's owners only."""
    code_enterprise_for_download(request.user, pk)
    code = _current_or_404(pk)
    url = public_url(code.url, request)
    if extension == "svg":
        response = HttpResponse(presentation.qr_svg(url), content_type="image/svg+xml")
    else:
        response = HttpResponse(presentation.qr_png(url), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(code, extension)}"'
    return response


@login_required
@require_GET
def qr_svg_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _qr_download(request, pk, "svg")


@login_required
@require_GET
def qr_png_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _qr_download(request, pk, "png")


@login_required
@require_GET
def plaque_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A printable A5 plaque coloured by grade: name, USCC, grade, validity and the QR code."""
    code_enterprise_for_download(request.user, pk)
    code = _current_or_404(pk)
    url = public_url(code.url, request)
    return render(
        request,
        "codes/plaque.html",
        {
            "code": code,
            "enterprise": code.enterprise,
            "qr": mark_safe(presentation.qr_svg_inline(url)),  # noqa: S308 - segno's own markup
            "colour": presentation.PLAQUE_COLOURS.get(code.colour, "#1d273b"),
            "url": url,
        },
    )


@login_required
@require_GET
def manage_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise's code: QR, downloads, history; revoke and re-issue for staff."""
    enterprise = code_enterprise_for_download(request.user, pk)
    code = code_current(enterprise)
    qr = None
    check = None
    if code is not None and code.token:
        qr = mark_safe(presentation.qr_svg_inline(public_url(code.url, request)))  # noqa: S308
        check = code_check(code.token).check
    return render(
        request,
        "codes/manage.html",
        {
            "enterprise": enterprise,
            "code": code,
            "check": check,
            # The translatable title, not creditcore's fixed Chinese message.
            "reason_title": presentation.REASON_TITLES[check.reason] if check is not None else "",
            "qr": qr,
            "history": code_history(enterprise)[:50],
            "can_manage": can_manage_codes(request.user),
            "revoke_form": RevokeForm(),
            "now": timezone.now(),
        },
    )


def _staff_enterprise(request: HttpRequest, pk: int) -> Enterprise:
    """The enterprise for a staff action: 404 outside the code scope, 403 for its own users."""
    enterprise = code_enterprise_for_download(request.user, pk)
    if not can_manage_codes(request.user):
        raise PermissionDenied
    return enterprise


@login_required
@require_POST
def issue_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff (re-)issue the enterprise's code for its current grade; the old code is superseded."""
    enterprise = _staff_enterprise(request, pk)
    try:
        code = code_issue(actor=request.user, enterprise=enterprise)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("已签发信用码 %(serial)s(%(grade)s 级)") % {"serial": code.serial, "grade": code.grade}
        )
    return redirect("codes:manage", pk=pk)


@login_required
@require_POST
def revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff revoke the enterprise's current code; a reason is required."""
    enterprise = _staff_enterprise(request, pk)
    code = code_current(enterprise)
    form = RevokeForm(request.POST)
    if code is None:
        messages.error(request, _("该企业没有可撤销的信用码"))
    elif not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    else:
        try:
            code_revoke(actor=request.user, code=code, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已撤销信用码 %(serial)s") % {"serial": code.serial})
    return redirect("codes:manage", pk=pk)
