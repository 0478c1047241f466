"""Helpers for the alert app tests: literal ledger rows in the database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from parkcredit.records.models import Observation, Relation
from tests import factories as f


def today() -> date:
    return timezone.localdate()


def serious_penalty(enterprise: Any, days_ago: int = 5) -> Any:
    return f.make_record(
        enterprise, "penalty", severity="serious", decided_on=today() - timedelta(days=days_ago)
    )


def unpaid_rent(enterprise: Any, months: int = 4, value: str = "1000") -> list[Observation]:
    """`months` rent bills, the newest due a month ago, none paid."""
    rows = []
    start = today().replace(day=1)
    for k in range(1, months + 1):
        period = (start - timedelta(days=31 * k)).replace(day=1)
        rows.append(
            Observation.objects.create(
                enterprise=enterprise,
                metric="rent_bill",
                period=period,
                value=Decimal(value),
                due_on=period + timedelta(days=9),
                source=f.data_source(),
            )
        )
    return rows


def relation(enterprise: Any, counterparty: Any, kind: str, weight: str) -> Relation:
    return Relation.objects.create(
        enterprise=enterprise,
        counterparty=counterparty,
        relation_type=kind,
        weight=Decimal(weight),
        source=f.data_source(),
    )


# --- a small hand-built park for region rules ------------------------------------------------------

# Building -> (name, zone, plot, industry, grades of its enterprises). Each level's C/D share by hand:
#   buildings N1 3/10 = 30 % (crosses 20 %), N2 1/10, S1 1/2 = 50 % but only 2 enterprises (< 10);
#   plots 北区1号地块 = N1; 北区2号地块 = N2; 南区1号地块 = S1 (2 enterprises);
#   zones 北区 4/20 = 20 % (crosses: the threshold is reached), 南区 2 enterprises;
#   industries 精密加工 = N1 (30 %), 软件服务 = N2 + S1 2/12 ≈ 17 %; cluster 高端装备 5/22 ≈ 23 %.
REGION_PARK: dict[str, tuple[str, str, str, str, tuple[str, ...]]] = {
    "N1": ("北1栋", "北区", "北区1号地块", "精密加工", ("C", "D", "C", *"BBBBBBB")),
    "N2": ("北2栋", "北区", "北区2号地块", "软件服务", ("C", *"BBBBBBBBB")),
    "S1": ("南1栋", "南区", "南区1号地块", "软件服务", ("D", "B")),
}
REGION_PARK_ALERTS = {
    ("region_zone", "zone", "北区"),
    ("region_plot", "plot", "北区1号地块"),
    ("region_building", "building", "N1"),
    ("region_industry", "industry", "精密加工"),
    ("region_cluster", "cluster", "高端装备"),
}
GRADE_SCORES = {"A": 850, "B": 700, "C": 500, "D": 300}
GRADE_COLOURS = {"A": "green", "B": "yellow", "C": "red", "D": "black"}


def region_park(vs_park: float = 1.0) -> dict[str, list[Any]]:
    """The enterprises of `REGION_PARK` by building code, each with a current score of its grade.

    The default region rules are set to `vs_park` 1 (absolute thresholds only) unless told
    otherwise, so the hand counts above decide: the park itself is 5 of 22 C/D (23 %), and at the
    default 1.5 a region would need 34 %, which none of them has.
    """
    from parkcredit.alerts.models import AlertRule
    from parkcredit.alerts.services import rules_ensure_defaults
    from parkcredit.enterprises.models import Building
    from tests.parkcredit.scoring.test_views_support import make_model, make_run, make_score

    rules_ensure_defaults()
    for rule in AlertRule.objects.filter(family="region"):
        rule.params = {**rule.params, "vs_park": vs_park}
        rule.save(update_fields=["params"])

    run = make_run(make_model(), today())
    park: dict[str, list[Any]] = {}
    for code, (name, zone, plot, industry, grades) in REGION_PARK.items():
        building = Building.objects.create(code=code, name=name, zone=zone, plot=plot)
        park[code] = []
        for grade in grades:
            enterprise = f.make_enterprise(building=building, industry_name=industry, cluster="高端装备")
            make_score(enterprise, run, score=GRADE_SCORES[grade], grade=grade, colour=GRADE_COLOURS[grade])
            park[code].append(enterprise)
    return park


def set_grade(enterprise: Any, grade: str) -> None:
    """Change an enterprise's current grade in place (what a rescore would leave)."""
    from parkcredit.scoring.models import Score

    Score.objects.filter(enterprise=enterprise, is_current=True).update(
        grade=grade, score=GRADE_SCORES[grade], colour=GRADE_COLOURS[grade]
    )
