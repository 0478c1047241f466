"""A park staff member signs in and reads an enterprise's file, in a real headless Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, Request, expect

from parkcredit.accounts.models import Role
from tests import factories as f

pytestmark = pytest.mark.e2e

# Schemes that never touch the network: inline images, fonts and blob URLs of the page itself.
LOCAL_SCHEMES = {"data", "blob", "about"}


def left_the_machine(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in LOCAL_SCHEMES and parts.hostname != "127.0.0.1"


@pytest.mark.parametrize(
    ("url", "outside"),
    [
        ("http://127.0.0.1:8081/static/vendor/htmx.min.js", False),
        ("data:image/png;base64,AAAA", False),
        ("http://localhost:8081/", True),
        ("https://cdn.example.com/echarts.min.js", True),
    ],
)
def test_left_the_machine_tells_local_from_outside(url: str, outside: bool) -> None:
    assert left_the_machine(url) is outside


def test_park_staff_signs_in_and_reads_an_enterprise_file(
    live_server: Any, migrated_seed_data: None, page: Page, tmp_path: Path
) -> None:
    enterprise = f.make_enterprise("丙智能装备有限公司")
    f.make_record(enterprise, source_ref="丙罚字〔2025〕7号", summary="未按规定公示年度报告")
    # A current password: an initial one (never changed) would send the user to change it first.
    f.make_user(
        Role.DEPT_STAFF,
        f.department("czjrb"),
        username="e2e_staff",
        full_name="周科员",
        password_changed_at=timezone.now(),
    )

    requests: list[str] = []
    console_errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(f"{message.text} @ {message.location.get('url', '')}")

    def on_request(request: Request) -> None:
        requests.append(request.url)

    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(f"page error: {error}"))
    page.set_default_timeout(15_000)

    login_url = live_server.url + reverse("accounts:login")
    page.goto(login_url)
    page.fill("input[name=username]", "e2e_staff")
    page.fill("input[name=password]", f.PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").first.click()
    assert urlsplit(page.url).path != reverse("accounts:login"), "登录后仍停留在登录页"

    page.goto(live_server.url + reverse("enterprises:list"))
    page.get_by_role("link", name="丙智能装备有限公司").first.click()
    page.wait_for_url(f"{live_server.url}/enterprises/{enterprise.pk}/")
    expect(page.locator("body")).to_contain_text("丙智能装备有限公司")
    expect(page.locator("body")).to_contain_text("丙罚字〔2025〕7号")

    screenshot = tmp_path / "enterprise-detail.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.stat().st_size > 0

    assert requests, "浏览器没有发出任何请求"
    assert [url for url in requests if left_the_machine(url)] == []
    assert console_errors == []
