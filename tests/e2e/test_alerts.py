"""In a real browser: the park map draws from the building data, a click opens the building's
enterprises, and the alert list filters through htmx without a page load. No request leaves the machine."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from parkcredit.accounts.models import Role
from parkcredit.alerts.services import alerts_run
from parkcredit.enterprises.models import Building
from tests import factories as f
from tests.e2e.support import Watch, sign_in


def test_park_map_and_alert_list(live_server: Any, migrated_seed_data: None, page: Page) -> None:
    risky = f.make_enterprise("丁机械制造有限公司")
    quiet = f.make_enterprise("戊新材料有限公司")
    for code, zone, enterprise in (("A1", "装备制造园", risky), ("B1", "新材料产业园", quiet)):
        enterprise.building = Building.objects.create(code=code, name=f"{code}栋", zone=zone)
        enterprise.save()
    today = timezone.localdate()
    f.make_record(risky, "penalty", severity="serious", decided_on=today - timedelta(days=3))
    alerts_run()
    f.make_user(Role.DEPT_STAFF, f.department("czjrb"), username="e2e_alerts")

    watch = Watch(page)
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, "e2e_alerts")

    page.goto(live_server.url + reverse("alerts:regions"))
    canvas = page.locator("[data-parkmap] canvas")
    expect(canvas).to_have_count(1)
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100

    page.goto(live_server.url + reverse("alerts:list"))
    expect(page.locator("#alert-results")).to_contain_text("丁机械制造有限公司")
    page.select_option("#id_severity", "info")
    expect(page.locator("#alert-results")).not_to_contain_text("丁机械制造有限公司")
    assert "severity=info" in urlsplit(page.url).query  # htmx pushed the filtered address

    watch.assert_clean()
