"""The public code page at phone size in a real Chromium: the verdict is the first thing a
visitor sees, for a good code and for a tampered or revoked one, and nothing overflows."""

from __future__ import annotations

import base64
import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests import factories as f
from tests.e2e.support import Watch, assert_fits_the_phone, assert_on_first_screen
from tests.parkcredit.scoring.test_views_support import make_model, make_run, make_score

pytestmark = pytest.mark.e2e


def _verdict_on_first_screen(page: Page, valid: bool, reason: str) -> None:
    verdict = page.get_by_test_id("code-verdict")
    expect(verdict).to_have_attribute("data-valid", "true" if valid else "false")
    expect(verdict).to_have_attribute("data-reason", reason)
    assert_on_first_screen(page, verdict)
    assert_fits_the_phone(page)


def test_code_page_states_at_phone_size(
    live_server: Any, migrated_seed_data: None, phone: Page, tmp_path: Path
) -> None:
    from parkcredit.codes.services import code_issue, code_revoke

    enterprise = f.make_enterprise("庚新能源科技有限公司", contact_phone="13912345678")
    make_score(enterprise, make_run(make_model(), date(2026, 11, 1)), score=300, grade="D", colour="black")
    code = code_issue(actor=None, enterprise=enterprise)
    watch = Watch(phone)

    phone.goto(live_server.url + code.url)
    _verdict_on_first_screen(phone, True, "ok")
    expect(phone.get_by_test_id("code-grade")).to_have_text("D")
    expect(phone.get_by_test_id("code-grade")).to_have_class(re.compile("bg-dark"))
    phone.screenshot(path=str(tmp_path / "verified.png"), full_page=True)

    raw = bytearray(base64.urlsafe_b64decode(code.token or ""))
    raw[-1] ^= 0x80
    phone.goto(live_server.url + "/c/" + base64.urlsafe_b64encode(bytes(raw)).decode())
    _verdict_on_first_screen(phone, False, "bad_signature")
    expect(phone.locator("body")).to_contain_text("警告:此信用码无效")
    expect(phone.locator("body")).not_to_contain_text("庚新能源科技有限公司")
    phone.screenshot(path=str(tmp_path / "forged.png"), full_page=True)

    code_revoke(actor=None, code=code, reason="核查中")
    phone.goto(live_server.url + code.url)
    _verdict_on_first_screen(phone, False, "revoked")
    expect(phone.locator("body")).to_contain_text("信用码已撤销")
    phone.screenshot(path=str(tmp_path / "revoked.png"), full_page=True)
    assert "13912345678" not in phone.content()

    watch.assert_stayed_local()


def test_printed_plaque_scans_back_to_the_code(
    live_server: Any, migrated_seed_data: None, browser: Browser, tmp_path: Path
) -> None:
    import zxingcpp
    from django.test import Client
    from django.urls import reverse
    from PIL import Image

    from parkcredit.accounts.models import Role
    from parkcredit.codes.services import code_issue

    enterprise = f.make_enterprise("辛精密铸造有限公司")
    make_score(enterprise, make_run(make_model(), date(2026, 11, 1)), score=880, grade="A", colour="green")
    code = code_issue(actor=None, enterprise=enterprise)
    staff = Client()
    staff.force_login(f.make_user(Role.DEPT_STAFF, f.department("czjrb"), username="e2e_plaque"))
    html = staff.get(reverse("codes:plaque", kwargs={"pk": enterprise.pk})).content.decode()

    context = browser.new_context(locale="zh-CN", viewport=ViewportSize(width=700, height=900))
    try:
        page = context.new_page()
        page.set_content(html)
        shot = tmp_path / "plaque.png"
        page.get_by_test_id("plaque").screenshot(path=str(shot))
        pdf = page.pdf(prefer_css_page_size=True)
    finally:
        context.close()
    results = zxingcpp.read_barcodes(Image.open(shot))
    assert [r.text for r in results] == [f"http://testserver{code.url}"]
    # Printed as the page asks (A5), the plaque is exactly one sheet.
    (tmp_path / "plaque.pdf").write_bytes(pdf)
    info = subprocess.run(  # noqa: S603 - fixed program and arguments
        ["pdfinfo", str(tmp_path / "plaque.pdf")],  # noqa: S607 - poppler-utils from the system
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE) and "(A5)" in info, info
