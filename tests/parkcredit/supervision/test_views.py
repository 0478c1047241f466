"""Pages: staff workbench, the inspector's findings form, public pages and replay, the draw command."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from parkcredit.supervision.models import Draw, Evidence, InspectionState, Plan, PlanState
from tests.parkcredit.supervision.support import drawn_plan, make_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_staff_create_commit_and_draw_through_the_pages(park: Any, login: Any) -> None:
    client = login("dept_staff")
    assert client.get(reverse("supervision:plan_create")).status_code == 200
    response = client.post(
        reverse("supervision:plan_create"),
        {
            "code": "web-1",
            "title": "网页计划",
            "period_start": "2026-11-02",
            "period_end": "2026-12-31",
            "items": [i.pk for i in park.items],
            "ratio_a": "1",
            "ratio_b": "2",
            "ratio_c": "10",
            "ratio_d": "30",
            "control_share": "10",
            "yearly_cap": "2",
            "tolerance_months": "36",
            "exempt_tags": ["gazelle", "unicorn"],
            "inspectors_per_target": "2",
        },
    )
    plan = Plan.objects.get(code="web-1")
    assert response.status_code == 302 and plan.ratios_bp == {"A": 100, "B": 200, "C": 1000, "D": 3000}
    client.post(reverse("supervision:plan_commit", args=[plan.pk]))
    page = client.get(reverse("supervision:plan_detail", args=[plan.pk])).content.decode()
    plan.refresh_from_db()
    assert plan.state == PlanState.COMMITTED and plan.draw.commitment in page
    assert plan.draw.seed not in page  # secret until the draw
    client.post(reverse("supervision:plan_draw", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAWN
    assert plan.draw.seed in client.get(reverse("supervision:plan_detail", args=[plan.pk])).content.decode()
    for name in ("supervision:items", "supervision:inspectors", "supervision:plans", "supervision:yield"):
        assert client.get(reverse(name)).status_code == 200


def test_plan_form_errors_name_the_field(park: Any, login: Any) -> None:
    client = login("park_admin")
    response = client.post(
        reverse("supervision:plan_create"),
        {
            "code": "bad",
            "title": "x",
            "period_start": "2026-11-02",
            "period_end": "2026-12-31",
            "items": [park.items[0].pk],
            "ratio_a": "150",
            "ratio_b": "2",
            "ratio_c": "10",
            "ratio_d": "30",
            "control_share": "10",
            "yearly_cap": "2",
            "tolerance_months": "36",
            "inspectors_per_target": "2",
        },
    )
    assert response.status_code == 200
    assert "A 类抽查比例「150」应在 0 到 100 之间" in response.content.decode()
    assert not Plan.objects.exists()


def test_conflict_form_registers_a_recusal(park: Any, login: Any) -> None:
    client = login("dept_staff")
    enterprise = park.enterprises[0]
    response = client.post(
        reverse("supervision:conflict_add"),
        {"inspector": park.me.pk, "uscc": enterprise.uscc, "kind": "prior_employment"},
    )
    assert response.status_code == 302
    assert park.me.conflicts.filter(enterprise=enterprise).exists()
    response = client.post(
        reverse("supervision:conflict_add"),
        {"inspector": park.me.pk, "uscc": "X" * 18, "kind": "relative"},
        follow=True,
    )
    assert "不在企业档案中" in response.content.decode()


def test_inspector_records_findings_with_evidence_on_the_phone_page(
    park: Any, dept_staff: Any, login: Any
) -> None:
    plan = drawn_plan(dept_staff, park)
    client = login("inspector")
    tasks = client.get(reverse("supervision:tasks")).content.decode()
    task = plan.inspections.filter(inspectors=park.me)[0]
    assert task.enterprise.name in tasks
    form = client.get(reverse("supervision:task", args=[task.pk]))
    assert form.status_code == 200
    data: dict[str, Any] = {"inspected_on": "2026-11-25"}
    items = list(task.items.all())
    for n, item in enumerate(items):
        data[f"item{item.pk}_outcome"] = "problem" if n == 0 else "clean"
    data[f"item{items[0].pk}_details"] = "灭火器过期"
    data[f"item{items[0].pk}_severity"] = "general"
    data[f"item{items[0].pk}_rectify_by"] = "2026-12-25"
    from django.core.files.uploadedfile import SimpleUploadedFile

    data["evidence"] = [SimpleUploadedFile("现场.png", PNG, content_type="image/png")]
    response = client.post(reverse("supervision:task", args=[task.pk]), data)
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == InspectionState.SUBMITTED
    evidence = Evidence.objects.get(inspection=task)
    assert client.get(reverse("supervision:evidence", args=[evidence.pk])).content == PNG
    # Somebody else's task is not there at all.
    other = plan.inspections.exclude(inspectors=park.me)[0]
    assert client.get(reverse("supervision:task", args=[other.pk])).status_code == 404


def test_public_pages_and_replay(park: Any, dept_staff: Any, client: Client) -> None:
    plan = drawn_plan(dept_staff, park)
    draft = make_plan(dept_staff, park, code="t-draft")
    listing = client.get(reverse("supervision:public_plans")).content.decode()
    assert plan.title in listing and plan.draw.commitment in listing
    assert client.get(reverse("supervision:public_plan", args=[draft.pk])).status_code == 404
    page = client.get(reverse("supervision:public_plan", args=[plan.pk])).content.decode()
    assert plan.draw.seed in page
    inputs = client.get(reverse("supervision:public_inputs", args=[plan.pk])).content.decode()
    assert inputs == plan.draw.inputs_text
    assert "relative" not in inputs and "近亲属" not in inputs  # the kind of a conflict stays private
    result = json.loads(client.get(reverse("supervision:public_result", args=[plan.pk])).content)
    assert result["seed"] == plan.draw.seed
    ok = client.get(reverse("supervision:public_verify", args=[plan.pk])).content.decode()
    assert 'data-testid="verify-ok"' in ok
    Draw.objects.filter(pk=plan.draw.pk).update(seed="00" * 32)
    failed = client.get(reverse("supervision:public_verify", args=[plan.pk])).content.decode()
    assert 'data-testid="verify-failed"' in failed and "种子" in failed


def test_draw_command_verify_and_list(park: Any, dept_staff: Any, capsys: Any) -> None:
    plan = drawn_plan(dept_staff, park)
    call_command("draw", "verify", plan.code)
    out = capsys.readouterr().out
    assert json.loads(out.splitlines()[0])["identical"] is True
    call_command("draw", "list")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["plan"] for row in lines] == [plan.code]
    assert lines[0]["inspections"] == plan.inspections.count() > 0
    first = plan.inspections.all()[0]
    first.inspectors.remove(first.inspectors.all()[0])
    with pytest.raises(SystemExit) as exit_info:
        call_command("draw", "verify", plan.code)
    assert exit_info.value.code == 1
    report = capsys.readouterr().out
    assert json.loads(report.splitlines()[0])["differences"][0]["what"] == "inspection_inspectors"
    assert "验证未通过" in report
    with pytest.raises(SystemExit) as exit_info:
        call_command("draw", "verify", "missing")
    assert exit_info.value.code == 2


def test_yield_page_draws_charts(park: Any, dept_staff: Any, login: Any) -> None:
    from parkcredit.supervision import services
    from tests.parkcredit.supervision.test_services import findings_for

    plan = drawn_plan(dept_staff, park)
    for n, inspection in enumerate(plan.inspections.all()):
        services.inspection_submit(
            actor=None,
            inspection=inspection,
            inspected_on=date(2026, 11, 20),
            findings=findings_for(inspection, n % 2 == 0),
        )
    page = login("park_admin").get(reverse("supervision:yield")).content.decode()
    assert 'data-chart="chart-rate-grade"' in page and 'data-chart="chart-per-enterprise"' in page


def test_evidence_opens_only_for_staff_and_the_assigned_inspectors(
    park: Any, dept_staff: Any, inspector: Any, login: Any
) -> None:
    from parkcredit.accounts.models import Role
    from parkcredit.supervision import services
    from tests import factories as f
    from tests.parkcredit.supervision.test_services import findings_for

    plan = drawn_plan(dept_staff, park)
    task = plan.inspections.filter(inspectors=park.me)[0]
    services.inspection_submit(
        actor=inspector,
        inspection=task,
        inspected_on=date(2026, 11, 20),
        findings=findings_for(task, False),
        files=[("现场.png", PNG)],
    )
    url = reverse("supervision:evidence", args=[Evidence.objects.get(inspection=task).pk])
    assert login("dept_staff").get(url).content == PNG
    stranger = f.make_user(Role.INSPECTOR, f.department("ghjsb"), username="inspector2")
    other = Client()
    other.force_login(stranger)
    assert other.get(url).status_code == 404
    assert other.get(reverse("supervision:evidence", args=[999999])).status_code == 404


def test_plan_page_reads_the_work_calendar_once(park: Any, dept_staff: Any, login: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parkcredit.repair.models import CalendarDay
    from parkcredit.supervision import services
    from tests.parkcredit.supervision.test_services import findings_for

    plan = drawn_plan(dept_staff, park)
    inspections = list(plan.inspections.all())
    assert len(inspections) > 1
    for inspection in inspections:
        services.inspection_submit(
            actor=None,
            inspection=inspection,
            inspected_on=date(2026, 11, 20),
            findings=findings_for(inspection, False),
        )
    client = login("dept_staff")
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("supervision:plan_detail", args=[plan.pk])).content.decode()
    assert page.count('data-testid="publish-due"') == len(inspections)
    table = CalendarDay._meta.db_table
    assert sum(1 for q in captured.captured_queries if table in q["sql"]) == 1
