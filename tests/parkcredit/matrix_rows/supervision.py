"""Permission-matrix rows for 双随机一公开: staff (editors) run plans, an inspector sees only their own
tasks, and plans past draft with their draws and results are public."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.parkcredit.matrix_support import EDITORS, Row, World, everyone, only

SEED = "ef" * 32


def _objects(w: World) -> dict[str, Any]:
    """A drawn public plan, plus a plan with one task of the inspector's and one of others (made once)."""
    from parkcredit.supervision import services
    from parkcredit.supervision.models import Evidence, Finding, Inspection, Outcome, Plan

    plan = Plan.objects.filter(code="matrix").first()
    if plan is None:
        today = timezone.localdate()
        item = services.item_create(
            actor=None, code="m-fire", name="消防安全", basis="消防法", department="ghjsb"
        )
        me = services.inspector_create(
            actor=None, name="赵检查", badge_no="M-1", department="ghjsb", user=w.users["inspector"]
        )
        second = services.inspector_create(actor=None, name="钱检查", badge_no="M-2", department="ghjsb")
        third = services.inspector_create(actor=None, name="孙检查", badge_no="M-3", department="ghjsb")
        plan = services.plan_create(
            actor=None,
            code="matrix",
            title="矩阵计划",
            period_start=today - timedelta(days=5),
            period_end=today + timedelta(days=30),
            items=[item],
            ratios={"A": 100, "B": 100, "C": 100, "D": 100},
        )
        services.plan_commit(actor=None, plan=plan, seed=SEED)
        services.plan_draw(actor=None, plan=plan)
        tasks = Plan.objects.create(
            code="matrix-tasks",
            title="矩阵任务",
            period_start=plan.period_start,
            period_end=plan.period_end,
            ratios_bp={"A": 100, "B": 100, "C": 100, "D": 100},
            state="drawn",
        )
        own = Inspection.objects.create(plan=tasks, enterprise=w.ent_a, stratum="risk")
        own.inspectors.set([me, second])
        own.items.set([item])
        foreign = Inspection.objects.create(plan=tasks, enterprise=w.ent_b, stratum="risk")
        foreign.inspectors.set([second, third])
        foreign.items.set([item])
        Finding.objects.create(inspection=own, item=item, outcome=Outcome.PROBLEM, details="x")
        for inspection in (own, foreign):
            Evidence.objects.create(
                inspection=inspection,
                file_name="a.png",
                content_type="image/png",
                content=b"\x89PNG",
                sha256="0",
            )
    tasks_plan = Plan.objects.get(code="matrix-tasks")
    own = tasks_plan.inspections.get(enterprise=w.ent_a)
    foreign = tasks_plan.inspections.get(enterprise=w.ent_b)
    return {"plan": plan, "own": own, "foreign": foreign}


def by_plan(role: str, w: World) -> dict[str, Any]:
    return {"pk": _objects(w)["plan"].pk}


def by_task(own: bool) -> Any:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        return {"pk": _objects(w)["own" if own else "foreign"].pk}

    return kwargs


def by_evidence(own: bool) -> Any:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        return {"pk": _objects(w)["own" if own else "foreign"].evidence.get().pk}

    return kwargs


def by_finding(role: str, w: World) -> dict[str, Any]:
    return {"pk": _objects(w)["own"].findings.get().pk}


STAFF = only(EDITORS)
STAFF_POST = only(EDITORS, allowed=302)
PUBLIC = everyone(200, anon=200)

ROWS: tuple[Row, ...] = (
    Row("supervision:items", "get", STAFF),
    Row("supervision:inspectors", "get", STAFF),
    # An empty form: editors are sent back with the field errors.
    Row("supervision:conflict_add", "post", STAFF_POST),
    Row("supervision:plans", "get", STAFF),
    Row("supervision:plan_create", "get", STAFF),
    Row("supervision:plan_detail", "get", STAFF, by_plan, by_plan),
    # The plan is already drawn: editors get past access control to the state check (redirect + message).
    Row("supervision:plan_commit", "post", STAFF_POST, by_plan, by_plan),
    Row("supervision:plan_draw", "post", STAFF_POST, by_plan, by_plan),
    Row("supervision:plan_publish", "post", STAFF_POST, by_plan, by_plan),
    Row("supervision:inspection_publish", "post", STAFF_POST, by_task(True), by_task(False)),
    Row("supervision:finding_rectified", "post", STAFF_POST, by_finding, by_finding),
    Row("supervision:yield", "get", STAFF),
    Row("supervision:tasks", "get", only({"inspector"})),
    Row(
        "supervision:task",
        "get",
        {**only({"inspector"}), "inspector": (200, 404)},
        by_task(True),
        by_task(False),
    ),
    Row(
        "supervision:evidence",
        "get",
        {**everyone(404), "park_admin": (200, 200), "dept_staff": (200, 200), "inspector": (200, 404)},
        by_evidence(True),
        by_evidence(False),
    ),
    Row("supervision:public_plans", "get", PUBLIC),
    Row("supervision:public_plan", "get", PUBLIC, by_plan, by_plan),
    Row("supervision:public_inputs", "get", PUBLIC, by_plan, by_plan),
    Row("supervision:public_result", "get", PUBLIC, by_plan, by_plan),
    Row("supervision:public_verify", "get", PUBLIC, by_plan, by_plan),
)
