"""Repair rules in a real Chromium at phone size: the enterprise reads its repair notice on the
record page; park staff use the rule calculator and add a day to the working-day calendar.
Nothing overflows sideways and no request leaves the machine."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from creditcore.repair import add_months
from parkcredit.accounts.models import Role
from parkcredit.repair.models import CalendarDay
from parkcredit.repair.selectors import today_local
from tests import factories as f
from tests.e2e.support import Watch, assert_fits_the_phone, sign_in
from tests.parkcredit.repair.support import backdated_record

pytestmark = pytest.mark.e2e


def test_repair_notice_and_rule_pages_at_phone_size(
    live_server: Any, migrated_seed_data: None, phone: Page
) -> None:
    enterprise = f.make_enterprise("壬精细化工有限公司")
    f.enterprise_user(enterprise, username="e2e_repair_ent")
    f.make_user(Role.DEPT_STAFF, f.department("czjrb"), username="e2e_repair_staff")
    decided = add_months(today_local(), -1)
    record = backdated_record(enterprise, severity="general", decided_on=decided)
    watch = Watch(phone)

    sign_in(phone, live_server.url, "e2e_repair_ent")
    phone.goto(f"{live_server.url}/records/{record.pk}/")
    notice = phone.get_by_test_id("repair-notice")
    expect(notice).to_contain_text("信用修复告知书")
    expect(phone.get_by_test_id("earliest-repair")).to_have_text(add_months(decided, 3).isoformat())
    expect(phone.get_by_test_id("publicity-end")).to_have_text(add_months(decided, 12).isoformat())
    expect(notice).to_contain_text("信用承诺书")
    assert_fits_the_phone(phone)

    sign_in(phone, live_server.url, "e2e_repair_staff")
    phone.goto(live_server.url + "/repair/rules/")
    form = phone.get_by_test_id("explain-form")
    form.locator("select[name=kind]").select_option("penalty")
    form.locator("select[name=severity]").select_option("serious")
    form.locator("input[name=decided]").fill("2026-01-10")
    form.locator("input[name=on]").fill("2026-05-01")
    form.get_by_role("button", name="计算").click()
    result = phone.get_by_test_id("explain-result")
    # Decided under the old rules, handled under the new: the old 3-month minimum stays.
    expect(result).to_contain_text("2026-04-10")
    expect(result).to_contain_text("2029-01-10")
    assert_fits_the_phone(phone)

    phone.goto(live_server.url + "/repair/calendar/?year=2027")
    expect(phone.get_by_test_id("unknown-year")).to_be_visible()
    calendar_form = phone.get_by_test_id("calendar-form")
    calendar_form.locator("input[name=day]").fill("2027-02-11")
    calendar_form.locator("select[name=kind]").select_option("holiday")
    calendar_form.locator("input[name=name]").fill("春节")
    calendar_form.get_by_role("button", name="添加").click()
    expect(phone.get_by_test_id("staff-days")).to_contain_text("2027-02-11")
    assert CalendarDay.objects.filter(day="2027-02-11", kind="holiday").exists()
    assert_fits_the_phone(phone)

    watch.assert_stayed_local()
