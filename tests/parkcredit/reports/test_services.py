"""Generating reports: numbers, digest and signature, scope, download log, report readers."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import timezone

from parkcredit.accounts.models import OrganisationKind, Role
from parkcredit.audit.models import AuditEntry
from parkcredit.common.crypto import sm3_hex
from parkcredit.reports import signing
from parkcredit.reports.models import ReportDownload
from parkcredit.reports.selectors import report_readers, report_verification
from parkcredit.reports.services import (
    report_download_log,
    report_generate,
    report_number_take,
    verify_path,
)
from tests import factories as f
from tests.parkcredit.reports.support import pdf_text, scored

pytestmark = pytest.mark.django_db


def test_report_numbers_are_readable_unique_and_per_year() -> None:
    numbers = [report_number_take(year=2026) for _ in range(3)]
    assert numbers == ["PCR-2026-000001", "PCR-2026-000002", "PCR-2026-000003"]
    assert report_number_take(year=2027) == "PCR-2027-000001"


def test_generated_report_is_stored_digested_signed_and_audited(park_admin: Any, ent_a: Any) -> None:
    score = scored(ent_a, grade="C", colour="red", score=520)
    report = report_generate(actor=park_admin, enterprise=ent_a)
    assert re.fullmatch(r"PCR-\d{4}-\d{6}", report.report_no)
    pdf = bytes(report.pdf)
    assert pdf.startswith(b"%PDF") and report.size == len(pdf)
    assert report.digest == sm3_hex(pdf)
    assert (report.score_id, report.grade, report.colour, report.score_value) == (score.pk, "C", "red", 520)
    assert (report.enterprise_name, report.uscc, report.generated_by) == (ent_a.name, ent_a.uscc, park_admin)
    outcome = signing.report_signature_check(
        report_no=report.report_no,
        uscc=ent_a.uscc,
        grade="C",
        digest=report.digest,
        signature=report.signature,
    )
    assert outcome == signing.VALID
    # The signature binds every field: another grade or digest does not verify.
    for changed in ({"grade": "A"}, {"digest": "0" * 64}, {"uscc": f.make_uscc(99)}):
        fields = {"report_no": report.report_no, "uscc": ent_a.uscc, "grade": "C", "digest": report.digest}
        fields.update(changed)
        assert signing.report_signature_check(**fields, signature=report.signature) == signing.BAD_SIGNATURE
    entry = AuditEntry.objects.get(action="reports.generate")
    assert entry.object_id == str(report.pk) and entry.detail["digest"] == report.digest
    assert not ReportDownload.objects.exists()


def test_signature_uses_its_own_context() -> None:
    message = signing.signed_message(report_no="PCR-2026-000001", uscc="X", grade="A", digest="d")
    assert message.startswith(b"parkcredit/credit-report\x00")
    assert not message.startswith(b"parkcredit/enterprise-code")


def test_generation_refuses_who_may_not_see_the_enterprise(ent_b_user: Any, ent_a: Any, auditor: Any) -> None:
    for actor in (ent_b_user, auditor, None):
        with pytest.raises(PermissionDenied):
            report_generate(actor=actor, enterprise=ent_a)


def test_download_is_logged_and_audited(bank_user: Any, ent_a: Any) -> None:
    report = report_generate(actor=bank_user, enterprise=ent_a, ip="10.0.0.7", downloaded=True)
    download = ReportDownload.objects.get()
    assert (download.report, download.user, download.ip) == (report, bank_user, "10.0.0.7")
    report_download_log(actor=bank_user, report=report, ip="10.0.0.8")
    assert ReportDownload.objects.count() == 2
    entries = AuditEntry.objects.filter(action="reports.download").order_by("seq")
    assert [e.ip for e in entries] == ["10.0.0.7", "10.0.0.8"]
    assert all(e.detail["report_no"] == report.report_no for e in entries)


def test_verification_states(park_admin: Any, ent_a: Any) -> None:
    report = report_generate(actor=park_admin, enterprise=ent_a)
    assert report_verification(report.report_no).verified
    assert report_verification("PCR-2026-999999").state == "unknown"
    assert report_verification("not a number").state == "unknown"
    report.grade = "A"  # someone edits the stored grade behind the platform's back
    report.save(update_fields=["grade"])
    assert report_verification(report.report_no).state == "tampered"


def test_report_readers_are_downloaders_who_may_still_see(
    ent_a: Any, ent_b: Any, bank_user: Any, park_admin: Any, ent_a_user: Any, ent_b_user: Any
) -> None:
    other_bank = f.make_organisation(OrganisationKind.BANK, name="某村镇银行")
    consent = f.grant_consent(ent_a, other_bank)
    lapsed_bank_user = f.make_user(Role.BANK, other_bank, username="lapsed")
    for actor in (bank_user, park_admin, ent_a_user, lapsed_bank_user):
        report_generate(actor=actor, enterprise=ent_a, downloaded=True)
    report_generate(actor=ent_b_user, enterprise=ent_b, downloaded=True)
    # Generated but not downloaded does not make a reader.
    report_generate(actor=f.make_user(Role.DEPT_STAFF, f.department("czjrb")), enterprise=ent_a)

    consent.revoked_at = timezone.now()
    consent.save(update_fields=["revoked_at"])
    assert set(report_readers(ent_a)) == {bank_user, park_admin, ent_a_user}
    assert set(report_readers(ent_b)) == {ent_b_user}

    # An expired consent counts as gone; a deactivated user is no reader.
    bank_consent = bank_user.organisation.consents.get(enterprise=ent_a)
    bank_consent.expires_on = timezone.localdate() - timedelta(days=1)
    bank_consent.save(update_fields=["expires_on"])
    park_admin.is_active = False
    park_admin.save(update_fields=["is_active"])
    assert set(report_readers(ent_a)) == {ent_a_user}


def test_printed_address_follows_the_platform_public_address(
    settings: Any, rf: RequestFactory, park_admin: Any, ent_a: Any
) -> None:
    """The verification address is `public_url`'s: the configured public address, else the
    address the requester used, else (commands, jobs: no request) the bare path."""
    intranet = rf.get("/", HTTP_HOST="127.0.0.1:8000")

    def printed(**kwargs: Any) -> tuple[str, str]:
        report = report_generate(actor=park_admin, enterprise=ent_a, **kwargs)
        return pdf_text(bytes(report.pdf)), verify_path(report.report_no)

    settings.PUBLIC_BASE_URL = ""
    text, path = printed(request=intranet)
    assert f"http://127.0.0.1:8000{path}" in text
    text, path = printed()
    assert f"访问 {path}," in text and "://" not in text
    settings.PUBLIC_BASE_URL = "https://credit.example.gov.cn/"
    text, path = printed(request=intranet)
    assert f"https://credit.example.gov.cn{path}" in text and "127.0.0.1" not in text
