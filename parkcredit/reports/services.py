"""Writes of the reports app: generating a signed credit report and logging its downloads."""

from __future__ import annotations

import time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parkcredit.audit.services import audit_log
from parkcredit.common.crypto import sm3_hex
from parkcredit.common.links import public_url
from parkcredit.enterprises.models import Enterprise
from parkcredit.reports.content import report_content
from parkcredit.reports.models import CreditReport, ReportDownload, ReportSequence
from parkcredit.reports.pdf import render_pdf
from parkcredit.reports.signing import report_sign

REPORT_PREFIX = "PCR"


def report_number_take(*, year: int) -> str:
    """The next report number of `year`, e.g. PCR-2026-000123.

    Taken in a short transaction of its own, so the sequence row is locked only for the
    increment and not while the PDF is drawn. A generation that fails later leaves its number
    unused; numbers are unique, not gap-free.
    """
    with transaction.atomic():
        ReportSequence.objects.get_or_create(year=year)
        ReportSequence.objects.filter(year=year).update(last=F("last") + 1)
        last = ReportSequence.objects.select_for_update().get(year=year).last
    return f"{REPORT_PREFIX}-{year}-{last:06d}"


def verify_path(report_no: str) -> str:
    """The platform path of a report's public verification page (printed and QR-coded in the PDF)."""
    return reverse("reports:verify", kwargs={"report_no": report_no})


def report_generate(
    *,
    actor: Any,
    enterprise: Enterprise,
    request: HttpRequest | None = None,
    ip: str | None = None,
    downloaded: bool = False,
) -> CreditReport:
    """Generate, sign and store a new credit report of `enterprise` as of now.

    The actor must be allowed to see the enterprise (PermissionDenied otherwise). The report
    row, its audit entry and (with `downloaded=True`, when the report is handed to the actor
    straight away) the download row are written in one transaction. The verification address
    printed in the report is `public_url`'s: the configured public address, else the address of
    `request` (the page that asked for the report), else, from commands and jobs, the bare path.
    """
    if not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists():
        raise PermissionDenied(_("无权生成该企业的信用报告"))
    started = time.perf_counter()
    now = timezone.now()
    report_no = report_number_take(year=timezone.localtime(now).year)
    content = report_content(
        actor=actor,
        enterprise=enterprise,
        report_no=report_no,
        generated_at=now,
        verify_url=public_url(verify_path(report_no), request),
    )
    pdf = render_pdf(content)
    digest = sm3_hex(pdf)
    score = content.score
    grade = score.grade if score else ""
    signature = report_sign(report_no=report_no, uscc=enterprise.uscc, grade=grade, digest=digest)
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    with transaction.atomic():
        report = CreditReport.objects.create(
            report_no=report_no,
            enterprise=enterprise,
            enterprise_name=enterprise.name,
            uscc=enterprise.uscc,
            generated_by=actor if getattr(actor, "is_authenticated", False) else None,
            generated_at=now,
            as_of=content.as_of,
            score_id=score.pk if score else None,
            grade=grade,
            colour=score.colour if score else "",
            score_value=score.score if score else None,
            score_as_of=score.as_of if score else None,
            digest=digest,
            signature=signature,
            pdf=pdf,
            size=len(pdf),
            generation_ms=elapsed_ms,
        )
        audit_log(
            actor=actor,
            action="reports.generate",
            obj=report,
            detail={"report_no": report_no, "enterprise": enterprise.pk, "grade": grade, "digest": digest},
            ip=ip,
        )
        if downloaded:
            report_download_log(actor=actor, report=report, ip=ip)
    return report


def report_download_log(*, actor: Any, report: CreditReport, ip: str | None = None) -> ReportDownload:
    """Record that `actor` received the PDF of `report` (a download row and an audit entry)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        download = ReportDownload.objects.create(report=report, user=user, at=timezone.now(), ip=ip)
        audit_log(
            actor=actor,
            action="reports.download",
            obj=report,
            detail={
                "report_no": report.report_no,
                "enterprise": report.enterprise_id,
                "download": download.pk,
            },
            ip=ip,
        )
    return download
