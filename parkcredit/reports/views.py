"""Pages of the reports app: generate a fresh report (POST), download a stored one (GET), and the
public verification page a report's QR code leads to. Scope lives in the selectors and services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parkcredit.common.client import client_ip
from parkcredit.enterprises.selectors import enterprise_get_for_actor
from parkcredit.reports.forms import DigestCheckForm
from parkcredit.reports.models import CreditReport
from parkcredit.reports.selectors import digest_matches, report_get_for_actor, report_verification
from parkcredit.reports.services import report_download_log, report_generate


def _pdf_response(report: CreditReport) -> HttpResponse:
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}"'
    # A report holds an enterprise's credit file: never keep it in shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def generate_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Generate, sign and store a new report of enterprise `pk` (own enterprise, park staff,
    consented bank), then send the browser to its stored PDF.

    A POST (with the CSRF token): generating takes a report number and writes the report and its
    audit entry, which a link prefetch or a crawler following a GET must never do. The PDF itself
    is fetched with a GET of the stored report, which logs the download like any other.
    """
    enterprise = enterprise_get_for_actor(request.user, pk)
    report = report_generate(
        actor=request.user, enterprise=enterprise, request=request, ip=client_ip(request)
    )
    return redirect("reports:pdf", pk=report.pk)


@login_required
@require_GET
def report_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored PDF of an earlier report, byte for byte the signed document."""
    report = report_get_for_actor(request.user, pk)
    report_download_log(actor=request.user, report=report, ip=client_ip(request))
    return _pdf_response(report)


@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest, report_no: str) -> HttpResponse:
    """Public (no sign-in): is this report number genuine, and is this file that report?"""
    verification = report_verification(report_no)
    form = None
    upload_matches = None
    if verification.report is not None:
        form = DigestCheckForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload_matches = digest_matches(verification.report, form.cleaned_data["file"].read())
    return render(
        request,
        "reports/verify.html",
        {
            "report_no": report_no,
            "verification": verification,
            "form": form,
            "upload_matches": upload_matches,
        },
        status=404 if verification.report is None else 200,
    )
