"""Real browser: the inspector's findings form at phone size, the public replay page, the yield charts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from parkcredit.accounts.models import Role
from parkcredit.supervision.models import InspectionState
from tests import factories as f
from tests.e2e.support import Watch, assert_fits_the_phone, sign_in
from tests.parkcredit.supervision.support import build_park, drawn_plan

pytestmark = pytest.mark.e2e


def test_inspector_records_a_problem_on_the_phone(
    live_server: Any, migrated_seed_data: None, wide_phone: Page
) -> None:
    user = f.make_user(Role.INSPECTOR, f.department("ghjsb"), username="e2e_inspector", full_name="赵检查")
    staff = f.make_user(Role.DEPT_STAFF, f.department("czjrb"), username="e2e_staff")
    park = build_park(user, n=12)
    today = timezone.localdate()
    plan = drawn_plan(
        staff, park, period_start=today - timedelta(days=3), period_end=today + timedelta(days=30)
    )
    task = plan.inspections.filter(inspectors=park.me).order_by("pk")[0]
    first_item = task.items.order_by("pk")[0]
    watch = Watch(wide_phone)

    sign_in(wide_phone, live_server.url, "e2e_inspector", reverse("supervision:tasks"))
    expect(wide_phone.get_by_test_id("tasks")).to_contain_text(task.enterprise.name)
    assert_fits_the_phone(wide_phone)
    wide_phone.get_by_test_id("tasks").get_by_role("link").filter(has_text=task.enterprise.name).click()
    form = wide_phone.get_by_test_id("findings-form")
    expect(form).to_be_visible()
    assert_fits_the_phone(wide_phone)
    form.locator(f"input[name=item{first_item.pk}_outcome][value=problem]").check()
    form.locator(f"textarea[name=item{first_item.pk}_details]").fill("灭火器压力不足")
    form.locator(f"select[name=item{first_item.pk}_severity]").select_option("general")
    form.locator(f"input[name=item{first_item.pk}_rectify_by]").fill((today + timedelta(days=15)).isoformat())
    with wide_phone.expect_navigation():
        form.get_by_role("button", name="提交检查结果").click()
    task.refresh_from_db()
    assert task.state == InspectionState.SUBMITTED
    assert task.findings.get(item=first_item).details == "灭火器压力不足"

    wide_phone.goto(live_server.url + reverse("supervision:public_verify", args=[plan.pk]))
    expect(wide_phone.get_by_test_id("verify-ok")).to_be_visible()
    assert_fits_the_phone(wide_phone)
    watch.assert_clean()


def test_yield_page_draws_its_charts(live_server: Any, migrated_seed_data: None, page: Page) -> None:
    from parkcredit.supervision import services

    staff = f.make_user(Role.DEPT_STAFF, f.department("czjrb"), username="e2e_yield")
    park = build_park(None, n=12)
    today = timezone.localdate()
    plan = drawn_plan(
        staff, park, period_start=today - timedelta(days=3), period_end=today + timedelta(days=30)
    )
    for n, inspection in enumerate(plan.inspections.order_by("pk")):
        items = list(inspection.items.all())
        services.inspection_submit(
            actor=None,
            inspection=inspection,
            inspected_on=today,
            findings=[
                {
                    "item": item.pk,
                    "outcome": "problem" if n % 2 == 0 and k == 0 else "clean",
                    "details": "问题",
                    "severity": "general",
                    "rectify_by": today + timedelta(days=10),
                }
                for k, item in enumerate(items)
            ],
        )
    watch = Watch(page)
    sign_in(page, live_server.url, "e2e_yield", reverse("supervision:yield"))
    for chart in ("chart-rate-grade", "chart-rate-stratum", "chart-per-enterprise"):
        expect(page.locator(f'[data-chart="{chart}"] canvas')).to_have_count(1)
    watch.assert_clean()
