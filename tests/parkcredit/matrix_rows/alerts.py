"""Permission-matrix rows for risk early warning: park roles read, editors act; nobody else sees alerts,
region alerts (about many enterprises at once) included."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests import factories as f
from tests.parkcredit.matrix_support import EDITORS, PARK, Row, World, only


def by_alert(role: str, w: World) -> dict[str, Any]:
    from parkcredit.alerts.models import Alert
    from parkcredit.alerts.services import alerts_run

    if not Alert.objects.filter(enterprise=w.ent_a).exists():
        f.make_record(
            w.ent_a, "penalty", severity="serious", decided_on=timezone.localdate() - timedelta(days=2)
        )
        alerts_run()
    return {"pk": Alert.objects.filter(enterprise=w.ent_a).first().pk}  # type: ignore[union-attr]


def by_region_alert(role: str, w: World) -> dict[str, Any]:
    from parkcredit.alerts.models import Alert, AlertRule
    from parkcredit.alerts.services import rules_ensure_defaults

    rules_ensure_defaults()
    alert = Alert.objects.filter(enterprise__isnull=True).first() or Alert.objects.create(
        rule=AlertRule.objects.get(code="region_building"),
        region_level="building",
        region_key="A1",
        region_label="A1栋",
        severity="warning",
        summary="楼宇“A1栋”:C/D 级企业占比 30%",
    )
    return {"pk": alert.pk}


def by_region_rule(role: str, w: World) -> dict[str, Any]:
    from parkcredit.alerts.models import AlertRule
    from parkcredit.alerts.services import rules_ensure_defaults

    rules_ensure_defaults()
    return {"pk": AlertRule.objects.get(code="region_building").pk}


def by_rule(role: str, w: World) -> dict[str, Any]:
    from parkcredit.alerts.models import AlertRule
    from parkcredit.alerts.services import rules_ensure_defaults

    rules_ensure_defaults()
    return {"pk": AlertRule.objects.get(code="arrears").pk}


ROWS: tuple[Row, ...] = (
    Row("alerts:list", "get", only(PARK)),
    Row("alerts:detail", "get", only(PARK), by_alert, by_alert),
    # Without an "action" field editors get the page back with an explanation (400).
    Row("alerts:action", "post", only(EDITORS, allowed=400), by_alert, by_alert),
    # Region alerts: park staff only, like every alert; enterprise and bank users are refused.
    Row("alerts:detail", "get", only(PARK), by_region_alert, by_region_alert),
    Row("alerts:action", "post", only(EDITORS, allowed=400), by_region_alert, by_region_alert),
    Row("alerts:rules", "get", only(PARK)),
    Row("alerts:rule_edit", "get", only(EDITORS), by_rule, by_rule),
    Row("alerts:rule_edit", "get", only(EDITORS), by_region_rule, by_region_rule),
    Row("alerts:run", "post", only(EDITORS, allowed=302)),
    Row("alerts:regions", "get", only(PARK)),
    Row("alerts:region_enterprises", "get", only(PARK, allowed=404)),
)
