"""Report pages: generate (POST) then download, re-download, the public verification page and the
enterprise page card."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from parkcredit.audit.models import AuditEntry
from parkcredit.reports.models import CreditReport, ReportDownload
from tests.parkcredit.reports.support import pdf_text, scored

pytestmark = pytest.mark.django_db


def _download(client: Client, enterprise: Any, **extra: Any) -> Any:
    """Press the button: POST to generate, then follow the redirect to the stored PDF."""
    return client.post(reverse("reports:generate", kwargs={"pk": enterprise.pk}), follow=True, **extra)


def test_enterprise_user_downloads_own_report(login: Any, ent_a: Any, ent_a_user: Any) -> None:
    scored(ent_a)
    client = login("ent_a_user")
    response = _download(client, ent_a, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    report = CreditReport.objects.get()
    assert response.redirect_chain == [(reverse("reports:pdf", kwargs={"pk": report.pk}), 302)]
    assert response["Content-Disposition"] == f'attachment; filename="{report.report_no}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response.content == bytes(report.pdf)
    download = ReportDownload.objects.get()
    assert (download.user, download.ip, download.report) == (ent_a_user, "192.0.2.10", report)
    # The printed address (and the QR code) point at this server's verification page.
    assert f"http://testserver/r/{report.report_no}/" in pdf_text(response.content)
    assert report.generated_by == ent_a_user


def test_each_download_is_a_new_report_and_a_stored_one_downloads_unchanged(login: Any, ent_a: Any) -> None:
    client = login("park_admin")
    first = _download(client, ent_a).content
    second = _download(client, ent_a).content
    reports = list(CreditReport.objects.order_by("pk"))
    assert len(reports) == 2 and reports[0].report_no != reports[1].report_no
    again = client.get(reverse("reports:pdf", kwargs={"pk": reports[0].pk}))
    assert again.status_code == 200 and again.content == first != second
    assert ReportDownload.objects.filter(report=reports[0]).count() == 2


def test_bank_downloads_only_consented_enterprises(login: Any, ent_a: Any, ent_b: Any) -> None:
    client = login("bank_user")
    assert _download(client, ent_a).status_code == 200
    assert _download(client, ent_b).status_code == 404
    assert CreditReport.objects.filter(enterprise=ent_b).count() == 0


def test_a_get_never_generates_a_report(login: Any, ent_a: Any) -> None:
    # A prefetched link, a crawler or a replayed address must not take a number and store a report.
    client = login("park_admin")
    response = client.get(reverse("reports:generate", kwargs={"pk": ent_a.pk}))
    assert response.status_code == 405
    assert not CreditReport.objects.exists() and not ReportDownload.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="reports.").exists()


def test_generation_needs_the_csrf_token_of_the_page(ent_a: Any, park_admin: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(park_admin)
    url = reverse("reports:generate", kwargs={"pk": ent_a.pk})
    assert client.post(url).status_code == 403
    assert not CreditReport.objects.exists()
    # The button on the enterprise page is a form that carries the token.
    page = client.get(reverse("enterprises:detail", kwargs={"pk": ent_a.pk})).text
    forms = re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    [(action, body)] = [form for form in forms if 'data-testid="report-download"' in form[1]]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert action == url and token is not None
    response = client.post(url, {"csrfmiddlewaretoken": token.group(1)})
    report = CreditReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reports:pdf", kwargs={"pk": report.pk}
    )


# --- the public verification page ----------------------------------------------------------------


def _verify(client: Client, report_no: str, **kwargs: Any) -> Any:
    return client.get(reverse("reports:verify", kwargs={"report_no": report_no}), **kwargs)


def _report(login: Any, enterprise: Any) -> CreditReport:
    _download(login("park_admin"), enterprise)
    return CreditReport.objects.latest("pk")


def test_verification_page_shows_verified_report(login: Any, ent_a: Any) -> None:
    scored(ent_a, grade="A", colour="green", score=880)
    report = _report(login, ent_a)
    client = Client()  # no sign-in
    response = _verify(client, report.report_no)
    assert response.status_code == 200
    text = response.text
    assert 'data-state="verified"' in text and "已验证" in text
    for value in (report.report_no, ent_a.name, ent_a.uscc, report.digest, "A 级", "880"):
        assert value in text
    assert 'name="viewport"' in text  # phone-friendly base


def test_unknown_number_warns(client: Client) -> None:
    response = _verify(client, "PCR-2026-424242")
    assert response.status_code == 404
    assert 'data-state="unknown"' in response.text and "查无此报告" in response.text
    assert _verify(client, "<script>").status_code == 404


def test_tampered_signature_warns(login: Any, ent_a: Any) -> None:
    report = _report(login, ent_a)
    key_id, _sep, value = report.signature.partition(":")
    raw = bytearray(base64.b64decode(value))
    raw[10] ^= 0x01
    report.signature = f"{key_id}:{base64.b64encode(bytes(raw)).decode()}"
    report.save(update_fields=["signature"])
    response = _verify(Client(), report.report_no)
    assert response.status_code == 200
    assert 'data-state="tampered"' in response.text and "验证失败" in response.text
    assert "已验证" not in response.text


def test_foreign_key_signature_warns(login: Any, ent_a: Any) -> None:
    report = _report(login, ent_a)
    report.signature = "000000:" + report.signature.partition(":")[2]
    report.save(update_fields=["signature"])
    response = _verify(Client(), report.report_no)
    assert 'data-state="foreign_key"' in response.text and "已验证" not in response.text


def test_uploaded_file_is_compared_with_the_registered_digest(login: Any, ent_a: Any) -> None:
    report = _report(login, ent_a)
    client = Client(enforce_csrf_checks=False)
    url = reverse("reports:verify", kwargs={"report_no": report.report_no})
    same = client.post(url, {"file": SimpleUploadedFile("r.pdf", bytes(report.pdf), "application/pdf")})
    assert 'data-match="yes"' in same.text
    altered = bytes(report.pdf).replace(b"%PDF-1.4", b"%PDF-1.5", 1)
    other = client.post(url, {"file": SimpleUploadedFile("r.pdf", altered, "application/pdf")})
    assert 'data-match="no"' in other.text


# --- the card on the enterprise page --------------------------------------------------------------


def test_enterprise_page_lists_reports_and_downloads_for_staff(
    login: Any, ent_a: Any, bank_user: Any
) -> None:
    _download(login("bank_user"), ent_a)
    report = CreditReport.objects.get()
    client = login("dept_staff")
    text = client.get(reverse("enterprises:detail", kwargs={"pk": ent_a.pk})).text
    assert 'data-testid="report-history"' in text
    assert report.report_no in text and "钱经理" in text  # who downloaded it
    assert f'action="{reverse("reports:generate", kwargs={"pk": ent_a.pk})}"' in text


def test_enterprise_user_sees_download_button_but_no_history(login: Any, ent_a: Any) -> None:
    _download(login("park_admin"), ent_a)
    report = CreditReport.objects.get()
    text = login("ent_a_user").get(reverse("enterprises:detail", kwargs={"pk": ent_a.pk})).text
    assert 'data-testid="report-download"' in text
    assert 'data-testid="report-history"' not in text and report.report_no not in text
