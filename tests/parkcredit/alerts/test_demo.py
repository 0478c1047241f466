"""The demo loader runs the default rules over a small demo park, deterministically."""

from __future__ import annotations

from typing import Any

from parkcredit.alerts.demo import demo_load
from parkcredit.alerts.models import Alert, AlertRule
from parkcredit.demo.extras import DEMO_EXTRAS
from parkcredit.demo.services import demo_park_load


def test_demo_load_runs_the_rules_on_the_demo_park(db: Any) -> None:
    demo_park_load(enterprises=150, seed=2026)
    summary = demo_load()
    assert summary.startswith("风险预警:")
    opened = Alert.objects.count()
    assert opened > 0
    assert AlertRule.objects.filter(department__isnull=True).count() == 0
    assert Alert.objects.filter(enterprise__in_park=False).count() == 0
    # The demo park's zones have enough open alerts per 100 enterprises for the zone rule.
    regions = Alert.objects.filter(enterprise__isnull=True)
    assert regions.filter(rule__code="region_zone").exists()
    assert all(a.facts["enterprises"] >= a.facts["thresholds"]["min_enterprises"] for a in regions)
    demo_load()  # a second load finds the same hits and opens nothing new
    assert Alert.objects.count() == opened
    assert "parkcredit.alerts.demo:demo_load" in DEMO_EXTRAS
