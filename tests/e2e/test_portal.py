"""Phone-size real-browser tests: the public code page, the public portal and the enterprise's
own dashboard, in a headless Chromium at 390×844 (an ordinary phone)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from parkcredit.accounts.models import Role
from parkcredit.portal import services
from tests import factories as f
from tests.e2e.support import Watch, assert_fits_the_phone, sign_in
from tests.parkcredit.scoring.test_views_support import make_model, make_run, make_score

pytestmark = pytest.mark.e2e


def graded_enterprise(name: str, grade: str = "B") -> Any:
    enterprise = f.make_enterprise(
        name, legal_representative_id_number="410102198001011237", contact_phone="13912345678"
    )
    f.make_record(enterprise, source_ref="豫罚字〔2026〕12号", summary="未按规定公示年度报告")
    run = make_run(make_model(), date(2026, 11, 1))
    points = {"A": 900, "B": 700, "C": 500, "D": 300}[grade]
    colour = {"A": "green", "B": "yellow", "C": "red", "D": "black"}[grade]
    make_score(enterprise, run, score=points, grade=grade, colour=colour)
    return enterprise


def test_public_code_page_verifies_at_phone_size(
    live_server: Any, migrated_seed_data: None, wide_phone: Page
) -> None:
    from parkcredit.codes.services import code_issue

    enterprise = graded_enterprise("己精工机械有限公司", grade="A")
    admin = f.make_user(Role.PARK_ADMIN, f.department("jjfzb"), username="e2e_admin")
    code = code_issue(actor=admin, enterprise=enterprise)
    watch = Watch(wide_phone)

    wide_phone.goto(live_server.url + code.url)
    body = wide_phone.locator("body")
    expect(body).to_contain_text("已验证")
    expect(body).to_contain_text("己精工机械有限公司")
    expect(body).to_contain_text(enterprise.uscc)
    assert "13912345678" not in wide_phone.content()
    assert_fits_the_phone(wide_phone)
    watch.assert_clean()


def test_public_portal_search_and_enterprise_page_at_phone_size(
    live_server: Any, migrated_seed_data: None, wide_phone: Page
) -> None:
    enterprise = graded_enterprise("庚新能源科技有限公司", grade="B")
    watch = Watch(wide_phone)

    wide_phone.goto(live_server.url + reverse("portal:home"))
    assert_fits_the_phone(wide_phone)
    wide_phone.fill("input[name=q]", "新能源")
    with wide_phone.expect_navigation():
        wide_phone.locator("form[role=search] [type=submit]").click()
    wide_phone.get_by_role("link", name="庚新能源科技有限公司").click()
    enterprise_url = reverse("portal:enterprise", kwargs={"uscc": enterprise.uscc})
    wide_phone.wait_for_url(live_server.url + enterprise_url)
    expect(wide_phone.get_by_test_id("public-grade")).to_have_attribute("data-grade", "B")
    assert_fits_the_phone(wide_phone)

    # An exact code goes straight to the enterprise.
    wide_phone.goto(live_server.url + reverse("portal:home"))
    wide_phone.fill("input[name=q]", enterprise.uscc)
    with wide_phone.expect_navigation():
        wide_phone.locator("form[role=search] [type=submit]").click()
    assert urlsplit(wide_phone.url).path == enterprise_url

    wide_phone.goto(live_server.url + reverse("portal:grades"))
    assert_fits_the_phone(wide_phone)

    # A published black list, reached from the portal's menu.
    admin = f.make_user(Role.PARK_ADMIN, f.department("jjfzb"), username="e2e_lists")
    black = services.list_create(
        actor=admin, kind="black", title="2026年第四季度失信惩戒黑名单", period="2026年第四季度"
    )
    services.list_entry_add(
        actor=admin, published_list=black, uscc=enterprise.uscc, reason="列入严重失信主体名单"
    )
    services.list_publish(actor=admin, published_list=black)
    wide_phone.get_by_role("link", name="红黑名单").first.click()
    wide_phone.get_by_role("link", name="2026年第四季度失信惩戒黑名单").click()
    expect(wide_phone.get_by_test_id("list-entries")).to_contain_text("庚新能源科技有限公司")
    assert_fits_the_phone(wide_phone)
    watch.assert_clean()


def test_enterprise_dashboard_after_sign_in_at_phone_size(
    live_server: Any, migrated_seed_data: None, wide_phone: Page
) -> None:
    enterprise = graded_enterprise("辛食品有限公司", grade="C")
    f.enterprise_user(enterprise, username="e2e_ent")
    watch = Watch(wide_phone)

    sign_in(wide_phone, live_server.url, "e2e_ent", reverse("portal:mine"))
    expect(wide_phone.get_by_test_id("self-grade")).to_have_text("C")
    expect(wide_phone.get_by_test_id("self-records")).to_contain_text("豫罚字〔2026〕12号")
    expect(wide_phone.get_by_test_id("score-panel")).to_be_visible()
    assert_fits_the_phone(wide_phone)
    # The navigation collapses behind the toggler and opens on a tap.
    toggler = wide_phone.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(wide_phone.locator("#navbar-menu")).to_contain_text("企业自助")
        assert_fits_the_phone(wide_phone)
    assert "13912345678" not in wide_phone.content()
    watch.assert_clean()
