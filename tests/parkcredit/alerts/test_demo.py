"""The demo loader runs the default rules over a small demo park, deterministically."""

from __future__ import annotations

from typing import Any

from creditcore.alerts.regions import REGION_LEVELS, crossed
from parkcredit.alerts.demo import demo_load
from parkcredit.alerts.models import Alert, AlertRule
from parkcredit.alerts.selectors import region_rollups
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
    # Region alerts point at regions that stand out from the park. This park (150 firms, seed 2026,
    # not scored: only the alert density can fire) is at 35 open alerts per 100 firms as a whole,
    # over the 30 threshold, so the thresholds alone flag 12 of the 19 regions with at least 10
    # firms: nearly every zone, plot and cluster. Against 1.5 x the park (52.5 per 100) two remain
    # (an industry and a building). The bound: at least one, and at most a quarter of the regions
    # large enough to be looked at, which the thresholds alone exceed by far.
    regions = list(Alert.objects.filter(enterprise__isnull=True))
    rollups = region_rollups(REGION_LEVELS)
    eligible = [row for rows in rollups.levels.values() for row in rows if row.key and row.enterprises >= 10]
    absolute = [row for row in eligible if crossed(row, cd_share=0.2, alerts_per_100=30, min_enterprises=10)]
    assert rollups.park.alerts_per_100 > 30 and len(absolute) > len(eligible) / 2
    assert 1 <= len(regions) <= len(eligible) / 4, [a.summary for a in regions]
    for alert in regions:
        facts, park = alert.facts, alert.facts["park"]
        vs_park = facts["thresholds"]["vs_park"]
        assert vs_park == 1.5 and facts["enterprises"] >= facts["thresholds"]["min_enterprises"]
        assert park == rollups.park.as_facts()
        for metric in facts["crossed"]:
            assert facts[metric] >= vs_park * park[metric] and facts[metric] >= facts["thresholds"][metric]
    demo_load()  # a second load finds the same hits and opens nothing new
    assert Alert.objects.count() == opened
    assert "parkcredit.alerts.demo:demo_load" in DEMO_EXTRAS
