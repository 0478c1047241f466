"""The pages: the enterprise's records page, the application and objection forms, downloads,
the staff queue with its htmx filter, and the figures chart."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parkcredit.accounts.models import User
from parkcredit.objections.models import Objection
from parkcredit.records.selectors import record_state
from parkcredit.repair.workflow.models import RepairApplication
from parkcredit.repair.workflow.services import application_submit, commitment_draft
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n"


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel("2026-12-01 10:00 +0800", tick=False):
        yield


@pytest.fixture
def record(ent_a: Any) -> Any:
    return f.make_record(ent_a, decided_on=date(2026, 8, 1), source_ref="豫罚〔2026〕801号")


def _apply(user: User, record: Any) -> RepairApplication:
    return application_submit(
        actor=user,
        record=record,
        statement="罚款已缴清,已整改到位。",
        commitment_digest=commitment_draft(actor=user, record=record).rendered.digest,
        files=[("凭证.pdf", PDF)],
    )


def test_the_records_page_shows_windows_and_buttons(record: Any, ent_a: Any, login: Any) -> None:
    early = f.make_record(ent_a, decided_on=date(2026, 11, 2), source_ref="豫罚〔2026〕1102号")
    page = login("ent_a_user").get(reverse("repair_workflow:mine")).content.decode()
    assert reverse("repair_workflow:apply", kwargs={"pk": record.pk}) in page
    assert "2026-11-01" in page and "2027-08-01" in page  # earliest repair and publicity end
    assert "2027年02月02日起可申请修复" in page  # the early one: date shown, no apply button
    assert page.count('data-testid="apply-button"') == 1
    assert reverse("objections:create", kwargs={"pk": early.pk}) in page


def test_the_records_page_does_not_query_per_record(
    record: Any, ent_a: Any, ent_a_user: User, login: Any, django_assert_max_num_queries: Any
) -> None:
    _apply(ent_a_user, record)
    client = login("ent_a_user")
    url = reverse("repair_workflow:mine")
    client.get(url)  # warm caches (rule sets, calendar)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for day in range(1, 21):
        f.make_record(ent_a, decided_on=date(2026, 7, day), source_ref=f"豫罚〔2026〕7{day:02d}号")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="apply-button"') == 20  # the applied-for record has no button


def test_the_apply_page_is_the_repair_notice_and_the_form(record: Any, login: Any) -> None:
    client = login("ent_a_user")
    response = client.get(reverse("repair_workflow:apply", kwargs={"pk": record.pk}))
    page = response.content.decode()
    assert "信用修复告知书" in page and "2026-11-01" in page and "信用承诺书" in page
    assert record.enterprise.name in page  # the commitment text names the enterprise
    assert response.context["form"].initial["commitment_digest"]


def test_a_bad_file_is_refused_with_its_name_and_nothing_is_written(record: Any, login: Any) -> None:
    client = login("ent_a_user")
    url = reverse("repair_workflow:apply", kwargs={"pk": record.pk})
    page = client.get(url).context
    response = client.post(
        url,
        {
            "statement": "罚款已缴清,已整改到位。",
            "materials": [SimpleUploadedFile("报告.pdf", b"<html>hi</html>", content_type="application/pdf")],
            "commitment_digest": page["form"].initial["commitment_digest"],
            "commitment": "on",
            "token": page["token"],
        },
    )
    assert response.status_code == 200
    assert "文件「报告.pdf」不是允许的格式" in response.content.decode()
    assert not RepairApplication.objects.exists()


def test_a_submitted_application_quotes_the_acceptance_due_date(record: Any, login: Any) -> None:
    client = login("ent_a_user")
    url = reverse("repair_workflow:apply", kwargs={"pk": record.pk})
    page = client.get(url).context
    response = client.post(
        url,
        {
            "statement": "罚款已缴清,已整改到位。",
            "materials": [SimpleUploadedFile("凭证.pdf", PDF, content_type="application/pdf")],
            "commitment_digest": page["form"].initial["commitment_digest"],
            "commitment": "on",
            "token": page["token"],
        },
        follow=True,
    )
    application = RepairApplication.objects.get()
    step = application.steps.get()
    # 2026-12-01 (Tuesday) plus the acceptance limit in working days, as set by the rule set.
    assert step.due_on > date(2026, 12, 1)
    assert f"受理窗口将于 {step.due_on:%Y-%m-%d} 前受理并反馈" in response.content.decode()


def test_materials_download_as_attachments_only(record: Any, ent_a_user: User, login: Any) -> None:
    application = _apply(ent_a_user, record)
    material = application.materials.get()
    response = login("park_admin").get(reverse("repair_workflow:material", kwargs={"pk": material.pk}))
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")


def test_the_queue_filters_with_htmx_and_marks_overdue(record: Any, ent_a_user: User, login: Any) -> None:
    application = _apply(ent_a_user, record)
    with time_machine.travel("2026-12-17 10:00 +0800", tick=False):
        client = login("park_admin")  # signed in on the day: an idle session would have expired
        full = client.get(reverse("repair_workflow:queue"))
        fragment = client.get(reverse("repair_workflow:queue"), {"status": "overdue"}, HTTP_HX_REQUEST="true")
        objections_only = client.get(
            reverse("repair_workflow:queue"), {"kind": "objection"}, HTTP_HX_REQUEST="true"
        )
    assert "<html" in full.content.decode() and "table-danger" in full.content.decode()
    body = fragment.content.decode()
    assert "<html" not in body and 'id="queue-table"' in body
    assert f"#{application.pk}" in body and "逾期 2 个工作日" in body
    assert "table-danger" not in objections_only.content.decode()


def test_staff_act_on_a_step_from_the_detail_page(record: Any, ent_a_user: User, login: Any) -> None:
    application = _apply(ent_a_user, record)
    client = login("park_admin")
    detail = client.get(reverse("repair_workflow:detail", kwargs={"pk": application.pk}))
    page = detail.content.decode()
    assert 'data-testid="application-action"' in page and "转送认定部门" in page
    step = detail.context["action_form"].initial["step"]
    assert f'name="step" value="{step}"' in page and step == application.steps.get().pk
    response = client.post(
        reverse("repair_workflow:action", kwargs={"pk": application.pk}),
        {"decision": "reject", "step": step},
        follow=True,
    )
    assert "不予通过时必须填写理由" in response.content.decode()
    application.refresh_from_db()
    assert application.is_open


def test_an_objection_through_the_pages(record: Any, login: Any, park_admin: User) -> None:
    client = login("ent_a_user")
    url = reverse("objections:create", kwargs={"pk": record.pk})
    response = client.post(
        url,
        {
            "reasons": "该处罚决定已被复议机关撤销。",
            "evidence": [SimpleUploadedFile("复议决定.png", b"\x89PNG\r\n\x1a\nxx")],
            "token": client.get(url).context["token"],
        },
    )
    objection = Objection.objects.get()
    assert response.status_code == 302 and record_state(record).disputed
    assert objection.evidence.get().content_type == "image/png"
    mine = client.get(reverse("repair_workflow:mine")).content.decode()
    assert "异议中" in mine and "异议处理中" in mine
    client.force_login(park_admin)
    detail = client.get(reverse("objections:detail", kwargs={"pk": objection.pk})).content.decode()
    assert "2026-12-04" in detail and 'data-testid="objection-action"' in detail
    client.post(
        reverse("objections:action", kwargs={"pk": objection.pk}),
        {"action": "uphold", "note": "复议已撤销", "track": "ordinary"},
    )
    objection.refresh_from_db()
    assert objection.state == "upheld" and not record_state(record).disputed


def test_the_figures_page_draws_the_monthly_chart(record: Any, ent_a_user: User, login: Any) -> None:
    _apply(ent_a_user, record)
    response = login("dept_staff").get(reverse("repair_workflow:figures"))
    page = response.content.decode()
    assert 'data-chart="chart-repair-figures"' in page and "echarts.min.js" in page
    spec = response.context["figures"]["chart"]
    assert json.dumps(spec, ensure_ascii=False) and spec["type"] == "bar"


def test_the_record_page_notice_offers_the_enterprise_its_actions(
    record: Any, ent_a_user: User, login: Any, bank_user: User
) -> None:
    url = reverse("records:detail", kwargs={"pk": record.pk})
    page = login("ent_a_user").get(url).content.decode()
    assert reverse("repair_workflow:apply", kwargs={"pk": record.pk}) in page
    assert reverse("objections:create", kwargs={"pk": record.pk}) in page
    application = _apply(ent_a_user, record)
    page = login("ent_a_user").get(url).content.decode()
    assert reverse("repair_workflow:detail", kwargs={"pk": application.pk}) in page
    assert 'data-testid="notice-apply"' not in page
    # Others see the notice but no actions: the bank, and park staff.
    for name in ("bank_user", "park_admin"):
        other = login(name).get(url).content.decode()
        assert "信用修复告知书" in other and 'data-testid="repair-actions"' not in other
