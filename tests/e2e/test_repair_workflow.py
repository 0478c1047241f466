"""The repair workflow in a real Chromium at phone size: the enterprise applies from its records
page with a file and the commitment, the credit office takes it from the queue (filtered with
htmx) and the enterprise objects to another record. Nothing overflows sideways and no request
leaves the machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from creditcore.repair import add_months
from parkcredit.accounts.models import Role
from parkcredit.objections.models import Objection
from parkcredit.repair.selectors import today_local
from parkcredit.repair.workflow.models import RepairApplication
from tests import factories as f
from tests.e2e.support import Watch, assert_fits_the_phone, sign_in
from tests.parkcredit.repair.support import backdated_record

pytestmark = pytest.mark.e2e


def test_apply_route_and_object_at_phone_size(
    live_server: Any, migrated_seed_data: None, phone: Page, tmp_path: Path
) -> None:
    enterprise = f.make_enterprise("癸智能装备有限公司")
    f.enterprise_user(enterprise, username="e2e_flow_ent")
    f.make_user(Role.PARK_ADMIN, f.department("jjfzb"), username="e2e_flow_office")
    today = today_local()
    repairable = backdated_record(
        enterprise, decided_on=add_months(today, -4), source_ref="测修字〔2026〕41号"
    )
    contested = backdated_record(
        enterprise, decided_on=add_months(today, -1), source_ref="测修字〔2026〕42号"
    )
    proof = tmp_path / "缴款凭证.pdf"
    proof.write_bytes(b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n")
    watch = Watch(phone)

    sign_in(phone, live_server.url, "e2e_flow_ent")
    phone.goto(live_server.url + "/repair/workflow/mine/")
    expect(phone.get_by_test_id("my-records")).to_contain_text("测修字〔2026〕41号")
    assert_fits_the_phone(phone)
    phone.get_by_test_id("apply-button").click()
    expect(phone.get_by_test_id("repair-notice")).to_contain_text("信用修复告知书")
    phone.fill("textarea[name=statement]", "罚款已缴清,违法行为已整改到位。")
    phone.set_input_files("input[name=materials]", str(proof))
    phone.check("input[name=commitment]")
    phone.get_by_role("button", name="签署承诺并提交申请").click()
    expect(phone.get_by_test_id("application-state")).to_have_text("待受理")
    assert_fits_the_phone(phone)
    application = RepairApplication.objects.get(record=repairable)

    phone.goto(live_server.url + "/repair/workflow/mine/")
    phone.locator(f'tr[data-record="{contested.pk}"]').get_by_test_id("object-button").click()
    phone.fill("textarea[name=reasons]", "该处罚决定已被复议机关撤销,附复议决定书。")
    phone.get_by_role("button", name="提交异议").click()
    expect(phone.get_by_test_id("objection-state")).to_have_text("处理中")
    assert Objection.objects.filter(record=contested).exists()

    sign_in(phone, live_server.url, "e2e_flow_office")
    phone.goto(live_server.url + "/repair/workflow/queue/")
    queue = phone.get_by_test_id("queue")
    expect(queue).to_contain_text(f"#{application.pk}")
    phone.select_option("select[name=kind]", "objection")  # htmx swaps the table
    expect(queue.locator("tr[data-kind=repair]")).to_have_count(0)
    expect(queue.locator("tr[data-kind=objection]")).to_have_count(1)
    assert_fits_the_phone(phone)

    phone.goto(f"{live_server.url}/repair/workflow/applications/{application.pk}/")
    action = phone.get_by_test_id("application-action")
    action.locator("select[name=decision]").select_option("approve")
    action.get_by_role("button", name="提交").click()
    expect(phone.get_by_test_id("application-state")).to_have_text("认定部门审核中")
    assert_fits_the_phone(phone)

    watch.assert_stayed_local()
