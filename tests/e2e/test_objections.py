"""Objection pages sent twice, in a real Chromium at phone size.

A weak phone connection may send a form again (or the user taps twice): here the browser's own
form submission is delivered to the server twice, byte for byte, and the browser is shown the
second answer. The enterprise's objection and the department's routing to the information
provider are each done once, and the repeat lands on the objection saying so. (No evidence file
is attached: Chromium does not hand uploaded file contents to request interception, so a
re-sent copy would carry an empty file.)
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from creditcore.repair import add_months
from parkcredit.accounts.models import Role
from parkcredit.audit.models import AuditEntry
from parkcredit.notifications.models import Notification
from parkcredit.objections.models import Objection
from parkcredit.records.models import RecordEvent
from parkcredit.repair.selectors import today_local
from tests import factories as f
from tests.e2e.support import Watch, assert_fits_the_phone, sign_in
from tests.parkcredit.repair.support import backdated_record

pytestmark = pytest.mark.e2e


def _deliver_twice(page: Page, path: str) -> list[int]:
    """From now on, a form POST to `path` reaches the server twice; the browser gets the second
    answer (redirects are left to the browser). Returns the statuses the server answered with."""
    statuses: list[int] = []

    def twice(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        first = route.fetch(max_redirects=0)
        second = route.fetch(max_redirects=0)
        statuses.extend([first.status, second.status])
        route.fulfill(response=second)

    page.route(f"**{path}", twice)
    return statuses


def test_an_objection_and_its_routing_sent_twice_are_done_once(
    live_server: Any, migrated_seed_data: None, phone: Page
) -> None:
    enterprise = f.make_enterprise("子午精密机械有限公司")
    f.enterprise_user(enterprise, username="e2e_once_ent")
    f.make_user(Role.PARK_ADMIN, f.department("jjfzb"), username="e2e_once_office")
    record = backdated_record(
        enterprise, decided_on=add_months(today_local(), -1), source_ref="测异字〔2026〕7号"
    )
    watch = Watch(phone)

    sign_in(phone, live_server.url, "e2e_once_ent")
    phone.goto(f"{live_server.url}/objections/records/{record.pk}/new/")
    phone.fill("textarea[name=reasons]", "该处罚决定已被复议机关撤销,附复议决定书。")
    sent = _deliver_twice(phone, f"/objections/records/{record.pk}/new/")
    phone.get_by_role("button", name="提交异议").click()
    expect(phone.get_by_test_id("objection-state")).to_have_text("处理中")
    objection = Objection.objects.get(record=record)
    expect(phone.locator("body")).to_contain_text(
        f"这份异议已经提交(异议 #{objection.pk}),重复提交没有再提交一份。"
    )
    assert sent == [302, 302]  # both reached the server; the second found the first's objection
    assert RecordEvent.objects.filter(record=record, event_type="disputed").count() == 1
    assert AuditEntry.objects.filter(action="objection.submitted").count() == 1
    assert_fits_the_phone(phone)

    sign_in(phone, live_server.url, "e2e_once_office")
    phone.goto(f"{live_server.url}/objections/{objection.pk}/")
    due = phone.get_by_test_id("objection-due").inner_text()
    action = phone.get_by_test_id("objection-action")
    action.locator("select[name=action]").select_option("extend")
    action.locator("textarea[name=note]").fill("转市场监管局核实")
    routed = _deliver_twice(phone, f"/objections/{objection.pk}/action/")
    action.get_by_role("button", name="提交").click()
    objection.refresh_from_db()
    expect(phone.locator("body")).to_contain_text(
        f"异议 #{objection.pk} 已经转信息提供单位核实(办理期限 {objection.due_on:%Y-%m-%d}),"
        "重复提交没有再次办理。"
    )
    assert routed == [302, 302]
    expect(phone.get_by_test_id("objection-due")).to_have_text(f"{objection.due_on:%Y-%m-%d}")
    assert f"{objection.due_on:%Y-%m-%d}" != due and objection.track == "verify"
    assert AuditEntry.objects.filter(action="objection.extended").count() == 1
    assert Notification.objects.filter(kind="objection.extended").count() == 1
    # The routing happens once: the page no longer offers it.
    options = phone.get_by_test_id("objection-action").locator("select[name=action] option")
    expect(options).to_have_count(3)
    assert_fits_the_phone(phone)

    watch.assert_stayed_local()
