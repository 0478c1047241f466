"""Reads of the reports app: who read an enterprise's reports, report lists, verification."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from parkcredit.accounts.models import PARK_ROLES, Role, User
from parkcredit.common.crypto import sm3_hex
from parkcredit.enterprises.models import BankConsent, Enterprise
from parkcredit.reports import signing
from parkcredit.reports.models import CreditReport, ReportDownload

REPORT_NO = re.compile(r"^PCR-\d{4}-\d{6,}$")
HISTORY_LIMIT = 10


def report_readers(enterprise: Enterprise) -> QuerySet[User]:
    """Active users who downloaded a report of `enterprise` and may still see it.

    Used for notices about the enterprise (e.g. a repaired record): a bank whose consent has
    since been revoked or has expired read the report once, but must not hear about the
    enterprise any more; park staff and the enterprise's own users always may.
    """
    today = timezone.localdate()
    consenting_banks = BankConsent.objects.filter(enterprise=enterprise, revoked_at__isnull=True).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )
    may_see = (
        Q(role__in=PARK_ROLES)
        | Q(role=Role.ENTERPRISE, organisation__enterprise=enterprise)
        | Q(role=Role.BANK, organisation__in=consenting_banks.values("bank_id"))
    )
    readers = ReportDownload.objects.filter(report__enterprise=enterprise, user__isnull=False).values(
        "user_id"
    )
    return User.objects.filter(may_see, is_active=True, pk__in=readers).order_by("pk")


def report_get_for_actor(actor: Any, pk: int) -> CreditReport:
    """A stored report of an enterprise the actor may see; Http404 for missing and forbidden."""
    report = (
        CreditReport.objects.filter(pk=pk, enterprise__in=Enterprise.objects.visible_to(actor))
        .select_related("enterprise")
        .first()
    )
    if report is None:
        raise Http404(_("信用报告不存在"))
    return report


def report_history(
    *, actor: Any, enterprise: Enterprise, limit: int = HISTORY_LIMIT
) -> list[CreditReport] | None:
    """The latest reports of the enterprise with their downloads, for park staff; None for
    anyone else (who reads an enterprise's reports is the park's business)."""
    if getattr(actor, "role", None) not in PARK_ROLES:
        return None
    downloads = ReportDownload.objects.select_related("user").order_by("-at", "-id")
    return list(
        CreditReport.objects.filter(enterprise=enterprise)
        .defer("pdf")
        .select_related("generated_by")
        .annotate(download_count=Count("downloads"))
        .prefetch_related(Prefetch("downloads", queryset=downloads))
        .order_by("-generated_at", "-id")[:limit]
    )


# --- public verification -------------------------------------------------------------------------

VERIFIED = "verified"
UNKNOWN = "unknown"
TAMPERED = "tampered"  # the stored signature or file does not match
FOREIGN_KEY = "foreign_key"  # signed with a key that is not the park's current key


@dataclass(frozen=True, slots=True)
class Verification:
    """What the public verification page says about a report number."""

    state: str
    report: CreditReport | None
    message: str

    @property
    def verified(self) -> bool:
        return self.state == VERIFIED


def report_verification(report_no: str) -> Verification:
    """Look the number up and check the park's signature and the stored file's digest."""
    report = CreditReport.objects.filter(report_no=report_no).first() if REPORT_NO.match(report_no) else None
    if report is None:
        return Verification(
            UNKNOWN, None, _("查无此报告:园区没有签发过这个编号的信用报告,请谨慎对待该报告。")
        )
    outcome = signing.report_signature_check(
        report_no=report.report_no,
        uscc=report.uscc,
        grade=report.grade,
        digest=report.digest,
        signature=report.signature,
    )
    if outcome == signing.UNKNOWN_KEY:
        return Verification(
            FOREIGN_KEY, report, _("无法验证:该报告的签名不是用园区当前的签名密钥生成的,请向园区核实。")
        )
    if outcome != signing.VALID or sm3_hex(bytes(report.pdf)) != report.digest:
        return Verification(
            TAMPERED, report, _("验证失败:登记信息与园区签名不符,记录可能被篡改,请勿采信并向园区核实。")
        )
    return Verification(VERIFIED, report, _("已验证:园区签名有效,以下信息与园区登记一致。"))


def digest_matches(report: CreditReport, uploaded: bytes) -> bool:
    """Whether an uploaded file is byte for byte the registered report."""
    return sm3_hex(uploaded) == report.digest
