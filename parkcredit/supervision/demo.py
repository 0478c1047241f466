"""Demo objects for `parkcredit demo`: the item list, the inspector directory with conflicts, and
three plans — two with published results, one in progress with tasks for the demo inspector.

Deterministic: the demo seeds are SM3 of a fixed text (a real plan draws 32 random bytes), and
every finding comes from an SM3 stream, with problems more likely the worse the grade. Dates are
relative to today so the plans are always in the recent past and the present.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from creditcore.supervision import Sm3Stream, sm3_hex
from parkcredit.accounts.models import Organisation, Role, User
from parkcredit.enterprises.models import Enterprise
from parkcredit.supervision import services
from parkcredit.supervision.models import (
    ConflictKind,
    Inspection,
    InspectionItem,
    InspectionMethod,
    InspectionState,
    Outcome,
    Plan,
)

ITEMS = (
    ("fire-safety", "消防安全管理", "《中华人民共和国消防法》第十六条", "ghjsb", True, "park-safety-hazard"),
    (
        "construction-safety",
        "在建工程质量安全",
        "《建设工程质量管理条例》",
        "ghjsb",
        False,
        "park-safety-hazard",
    ),
    (
        "work-safety",
        "安全生产主体责任落实",
        "《中华人民共和国安全生产法》第四条",
        "jjfzb",
        True,
        "park-safety-hazard",
    ),
    (
        "lease-compliance",
        "入园协议履约情况",
        "园区入园协议及投资监管办法",
        "jjfzb",
        False,
        "park-contract-breach",
    ),
    (
        "env-facilities",
        "环保设施运行与排污",
        "《中华人民共和国环境保护法》第四十二条",
        "zhb",
        False,
        "park-env-violation",
    ),
)
INSPECTORS = (
    ("刘洋", "ghjsb", ("jjfzb",)),
    ("陈静", "ghjsb", ()),
    ("王磊", "ghjsb", ("zhb",)),
    ("李娜", "jjfzb", ()),
    ("张伟", "jjfzb", ("ghjsb",)),
    ("杨帆", "jjfzb", ()),
    ("黄敏", "zhb", ("jjfzb",)),
    ("周强", "zhb", ()),
    ("吴昊", "zhb", ("ghjsb",)),
    ("徐丽", "jjfzb", ("zhb",)),
    ("孙鹏", "ghjsb", ()),
)
PROBLEM_RATE = {"A": 0.04, "B": 0.12, "C": 0.3, "D": 0.5, "": 0.12}
PROBLEM_TEXT = {
    "park-safety-hazard": "疏散通道堆放杂物,灭火器过期未更换",
    "park-contract-breach": "实际投资强度低于入园协议约定",
    "park-env-violation": "废气处理设施未按规定运行",
}


def _display_name(user: User) -> str:
    return user.full_name or "赵检查"


def _seed(code: str) -> str:
    return sm3_hex(f"parkcredit-demo-draw/{code}".encode())


def _results(plan: Plan, admin: User, *, submit_share: float, publish: bool, today: date) -> tuple[int, int]:
    """Enter (and publish) deterministic findings for a share of the plan's inspections."""
    stream = Sm3Stream(_seed(plan.code), "demo-findings")
    submitted = problems = 0
    span = max((min(plan.period_end, today - timedelta(days=1)) - plan.period_start).days, 1)
    for inspection in plan.inspections.prefetch_related("items", "inspectors").order_by("pk"):
        roll = stream.below(10_000) / 10_000
        # The demo inspector's tasks in the open plan stay open, so "my tasks" has work to show.
        mine_open = not publish and inspection.inspectors.filter(user__username="inspector").exists()
        if roll >= submit_share or mine_open:
            continue
        inspected_on = plan.period_start + timedelta(days=stream.below(span))
        items = list(inspection.items.all())
        bad = (
            items[stream.below(len(items))]
            if stream.below(10_000) / 10_000 < PROBLEM_RATE[inspection.grade]
            else None
        )
        findings = [
            {
                "item": item.pk,
                "outcome": Outcome.PROBLEM if item == bad else Outcome.CLEAN,
                "details": PROBLEM_TEXT.get(item.problem_kind, "存在问题"),
                "severity": "general",
                "rectify_by": inspected_on + timedelta(days=30),
            }
            for item in items
        ]
        services.inspection_submit(
            actor=None, inspection=inspection, inspected_on=inspected_on, findings=findings
        )
        submitted += 1
        problems += bad is not None
        if publish:
            on = min(inspected_on + timedelta(days=7), today)
            services.inspection_publish(actor=admin, inspection=inspection, on=on)
            if bad is not None and stream.below(2) == 0 and inspected_on + timedelta(days=20) <= today:
                finding = inspection.findings.get(outcome=Outcome.PROBLEM)
                services.finding_rectified(actor=admin, finding=finding, on=inspected_on + timedelta(days=20))
    return submitted, problems


def demo_load() -> str:
    """Create the demo item list, inspectors, conflicts and plans; returns a one-line summary."""
    if Plan.objects.exists() or InspectionItem.objects.exists():
        return "双随机抽查:已有抽查数据,跳过"
    admin = User.objects.filter(role=Role.PARK_ADMIN, username="parkadmin").first()
    if admin is None:
        return "双随机抽查:未找到演示园区管理员账号,跳过"
    today = timezone.localdate()
    departments = {o.code: o for o in Organisation.objects.filter(code__in=["ghjsb", "jjfzb", "zhb"])}
    with transaction.atomic():
        items = [
            services.item_create(
                actor=None,
                code=code,
                name=name,
                basis=basis,
                department=departments[dept],
                method=InspectionMethod.ON_SITE,
                is_key=key,
                problem_kind=kind,
            )
            for code, name, basis, dept, key, kind in ITEMS
        ]
        demo_user = User.objects.filter(username="inspector", role=Role.INSPECTOR).first()
        inspectors = [
            services.inspector_create(
                actor=None,
                name=_display_name(demo_user) if n == 0 and demo_user is not None else name,
                badge_no=f"豫HY-{n + 1:04d}",
                department=departments[dept],
                qualifications=[departments[q] for q in quals],
                user=demo_user if n == 0 else None,
            )
            for n, (name, dept, quals) in enumerate(INSPECTORS)
        ]
        enterprises = list(
            Enterprise.objects.filter(in_park=True).order_by("pk").values_list("pk", flat=True)
        )
        kinds = list(ConflictKind.values)
        for n, position in enumerate((3, 17, 42, 77, 101, 150, 199)):
            if position < len(enterprises):
                services.conflict_add(
                    actor=None,
                    inspector=inspectors[n % len(inspectors)],
                    enterprise=Enterprise.objects.get(pk=enterprises[position]),
                    kind=kinds[n % len(kinds)],
                    note="演示数据",
                )
        summary = []
        plans = (
            (
                "demo-h1",
                "上半年双随机联合抽查",
                today - timedelta(days=200),
                today - timedelta(days=120),
                1.0,
                True,
            ),
            (
                "demo-q3",
                "三季度双随机联合抽查",
                today - timedelta(days=100),
                today - timedelta(days=30),
                1.0,
                True,
            ),
            (
                "demo-q4",
                "四季度双随机联合抽查",
                today - timedelta(days=20),
                today + timedelta(days=60),
                0.5,
                False,
            ),
        )
        for code, title, start, end, share, publish in plans:
            plan = services.plan_create(
                actor=None, code=code, title=title, period_start=start, period_end=end, items=items
            )
            services.plan_commit(actor=None, plan=plan, as_of=start, seed=_seed(code))
            services.plan_draw(actor=None, plan=plan)
            plan.refresh_from_db()
            _submitted, problems = _results(plan, admin, submit_share=share, publish=publish, today=today)
            summary.append(f"{code} 检查 {plan.inspections.count()} 户、发现问题 {problems} 户")
        open_tasks = Inspection.objects.filter(
            inspectors__user=demo_user, state=InspectionState.ASSIGNED
        ).count()
    return (
        f"双随机抽查:{len(items)} 个抽查事项、{len(inspectors)} 名检查人员;"
        + ";".join(summary)
        + (f";演示检查人员待办 {open_tasks} 项")
    )
