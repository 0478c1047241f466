"""Building blocks for supervision tests: a small graded park, items and an inspector directory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from parkcredit.enterprises.models import Enterprise, EnterpriseTag
from parkcredit.supervision import services
from parkcredit.supervision.models import InspectionItem, Inspector, Plan
from tests import factories as f
from tests.parkcredit.scoring.test_views_support import make_model, make_run, make_score

SEED = "ab" * 32
COLOURS = {"A": "green", "B": "yellow", "C": "red", "D": "black"}


@dataclass
class Park:
    enterprises: list[Enterprise]
    items: list[InspectionItem]
    inspectors: list[Inspector]
    me: Inspector


def build_park(inspector_user: Any, n: int = 24) -> Park:
    """`n` enterprises graded A/B/C/D in turn, two departments' items, five inspectors."""
    run = make_run(make_model(), date(2026, 11, 1), enterprises=n)
    enterprises = []
    for i in range(n):
        enterprise = f.make_enterprise(f"测试{i:02d}机械有限公司", founded_on=date(2015, 1, 1))
        grade = "ABCD"[i % 4]
        make_score(enterprise, run, grade=grade, colour=COLOURS[grade])
        enterprises.append(enterprise)
    items = [
        services.item_create(
            actor=None, code="fire", name="消防安全", basis="消防法", department="ghjsb", is_key=True
        ),
        services.item_create(
            actor=None,
            code="lease",
            name="入园协议履约",
            basis="入园协议",
            department="jjfzb",
            problem_kind="park-contract-breach",
        ),
    ]
    me = services.inspector_create(
        actor=None,
        name="赵检查",
        badge_no="T-0001",
        department="ghjsb",
        qualifications=["jjfzb"],
        user=inspector_user,
    )
    others = [
        services.inspector_create(actor=None, name=name, badge_no=f"T-00{k + 2:02d}", department=dept)
        for k, (name, dept) in enumerate((("甲", "ghjsb"), ("乙", "jjfzb"), ("丙", "jjfzb"), ("丁", "ghjsb")))
    ]
    return Park(enterprises, items, [me, *others], me)


def tag(enterprise: Enterprise, kind: str, since: date | None = None) -> None:
    EnterpriseTag.objects.create(enterprise=enterprise, tag=kind, since=since)


def make_plan(actor: Any, park: Park, code: str = "t-1", **fields: Any) -> Plan:
    defaults: dict[str, Any] = {
        "title": "测试抽查",
        "period_start": date(2026, 11, 2),
        "period_end": date(2026, 12, 31),
        "items": park.items,
        "ratios": {"A": 10, "B": 20, "C": 50, "D": 100},
    }
    defaults.update(fields)
    return services.plan_create(actor=actor, code=code, **defaults)


def drawn_plan(actor: Any, park: Park, code: str = "t-1", **fields: Any) -> Plan:
    plan = make_plan(actor, park, code, **fields)
    services.plan_commit(actor=actor, plan=plan, as_of=date(2026, 11, 2), seed=SEED)
    services.plan_draw(actor=actor, plan=plan)
    plan.refresh_from_db()
    return plan
