"""Credit commitments in a real Chromium at phone size: an enterprise user reads the exact text,
signs, sees the SM3 digest; after a later safety penalty the check finds the breach, the commitment
shows the negative record, and the public list (no sign-in) shows the breached commitment."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from parkcredit.commitments.checking import commitments_check
from parkcredit.commitments.models import Commitment
from parkcredit.common.crypto import sm3_hex
from parkcredit.records.models import CreditRecord
from parkcredit.records.services import record_register
from tests import factories as f
from tests.e2e.support import Watch, assert_fits_the_phone, sign_in

pytestmark = pytest.mark.e2e


def test_sign_breach_and_publish_at_phone_size(
    live_server: Any, migrated_seed_data: None, phone: Page
) -> None:
    enterprise = f.make_enterprise("辛安全设备有限公司")
    f.enterprise_user(enterprise, username="e2e_ent")
    watch = Watch(phone)

    sign_in(phone, live_server.url, "e2e_ent")
    phone.goto(live_server.url + "/commitments/mine/")
    assert_fits_the_phone(phone)
    phone.get_by_test_id("signable-templates").locator(
        "div.list-group-item", has_text="项目建设信用承诺书"
    ).get_by_role("link", name="签署").click()
    phone.fill("input[name=scope]", "三号车间技改项目")
    phone.get_by_role("button", name="下一步:阅读承诺书").click()
    text = phone.get_by_test_id("confirm-text")
    expect(text).to_contain_text("辛安全设备有限公司")
    expect(text).to_contain_text("三号车间技改项目")
    expect(text).to_contain_text("安全生产、消防、特种设备领域的行政处罚")
    assert_fits_the_phone(phone)
    phone.get_by_role("button", name="确认签署").click()
    expect(phone.locator("body")).to_contain_text("请勾选确认已阅读承诺书后再签署")
    assert not Commitment.objects.filter(enterprise=enterprise).exists()
    phone.check("input[name=confirmed]")
    phone.get_by_role("button", name="确认签署").click()
    expect(phone.get_by_test_id("commitment-history")).to_contain_text("签署")
    commitment = Commitment.objects.get(enterprise=enterprise)
    expect(phone.get_by_test_id("commitment-digest")).to_have_text(commitment.digest)
    assert commitment.digest == sm3_hex(commitment.text.encode("utf-8"))
    assert_fits_the_phone(phone)

    # A safety penalty after signing; the daily check turns it into a negative record.
    today = timezone.localdate()
    Commitment.objects.filter(pk=commitment.pk).update(valid_from=today - timedelta(days=30))
    record_register(
        actor=None,
        enterprise=enterprise,
        kind="penalty",
        source=f.data_source(),
        source_ref="河应急罚〔2026〕88号",
        decided_on=today - timedelta(days=3),
        severity="general",
        amount="30000",
        summary="未对安全设备进行经常性维护保养",
        payload={"违法行为类型": "安全生产违法"},
    )
    assert commitments_check()["breached_numbers"] == [commitment.number]
    assert CreditRecord.objects.filter(enterprise=enterprise, kind__code="commitment-breach").count() == 1

    phone.reload()
    expect(phone.get_by_test_id("breach")).to_contain_text("认定违诺")
    expect(phone.get_by_test_id("breach")).to_contain_text("查看失信记录(违背信用承诺)")

    phone.context.clear_cookies()
    phone.goto(live_server.url + "/commitments/public/?party=enterprise")
    row = phone.get_by_test_id("public-commitments").locator("a", has_text="辛安全设备有限公司")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "breached")
    assert_fits_the_phone(phone)
    row.click()
    expect(phone.get_by_test_id("commitment-digest")).to_have_text(commitment.digest)

    watch.assert_stayed_local()
