"""The public report verification page at phone size in a real Chromium: the verdict is on the
first screen, nothing overflows sideways, and a visitor can check a file against the register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.e2e.support import Watch, assert_fits_the_phone, assert_on_first_screen
from tests.parkcredit.reports.support import stored_report

pytestmark = pytest.mark.e2e


def _state_on_first_screen(page: Page, state: str) -> None:
    verdict = page.get_by_test_id("report-state")
    expect(verdict).to_have_attribute("data-state", state)
    assert_on_first_screen(page, verdict)
    assert_fits_the_phone(page)


def test_report_verification_at_phone_size(
    live_server: Any, migrated_seed_data: None, phone: Page, tmp_path: Path
) -> None:
    enterprise = f.make_enterprise("辛智能制造股份有限公司")
    pdf = b"%PDF-1.4\n% test report body\n"
    report = stored_report(enterprise, pdf=pdf)
    watch = Watch(phone)

    phone.goto(f"{live_server.url}/r/{report.report_no}/")
    _state_on_first_screen(phone, "verified")
    facts = phone.get_by_test_id("report-facts")
    expect(facts).to_contain_text(enterprise.name)
    expect(facts).to_contain_text(enterprise.uscc)
    expect(phone.get_by_test_id("report-digest")).to_have_text(report.digest)

    genuine = tmp_path / "genuine.pdf"
    genuine.write_bytes(pdf)
    phone.locator("input[type=file]").set_input_files(str(genuine))
    phone.get_by_role("button", name="核对").click()
    expect(phone.get_by_test_id("upload-result")).to_have_attribute("data-match", "yes")

    forged = tmp_path / "forged.pdf"
    forged.write_bytes(pdf.replace(b"test", b"fake"))
    phone.locator("input[type=file]").set_input_files(str(forged))
    phone.get_by_role("button", name="核对").click()
    expect(phone.get_by_test_id("upload-result")).to_have_attribute("data-match", "no")
    phone.screenshot(path=str(tmp_path / "verified.png"), full_page=True)

    phone.goto(f"{live_server.url}/r/PCR-2026-999999/")
    _state_on_first_screen(phone, "unknown")
    expect(phone.locator("body")).to_contain_text("查无此报告")

    watch.assert_stayed_local()
