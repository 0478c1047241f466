"""Reads of the supervision app: directory lists, plans, tasks, public results, verification, yield.

Staff pages start from the actor's scope; public reads (plans past draft, published results)
need no actor and never expose the seed before it is revealed or the kind of a conflict.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.supervision import Difference, verify
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, Role
from parkcredit.enterprises.models import Enterprise
from parkcredit.scoring.models import Score
from parkcredit.supervision.models import (
    Evidence,
    Finding,
    Inspection,
    InspectionItem,
    InspectionState,
    Inspector,
    InspectorConflict,
    Outcome,
    Plan,
    PlanState,
)

GRADES = ("A", "B", "C", "D")


def _is_staff(actor: Any) -> bool:
    return getattr(actor, "is_authenticated", False) and actor.role in ARCHIVE_EDITOR_ROLES


def item_list(actor: Any) -> QuerySet[InspectionItem]:
    if not _is_staff(actor):
        return InspectionItem.objects.none()
    return InspectionItem.objects.select_related("department").order_by("department__name", "code")


def inspector_list(actor: Any) -> QuerySet[Inspector]:
    if not _is_staff(actor):
        return Inspector.objects.none()
    return (
        Inspector.objects.select_related("department", "user")
        .prefetch_related(
            "qualifications",
            Prefetch("conflicts", queryset=InspectorConflict.objects.select_related("enterprise")),
        )
        .annotate(tasks=Count("inspections", filter=Q(inspections__state=InspectionState.ASSIGNED)))
        .order_by("department__name", "name")
    )


def inspector_get_for_actor(actor: Any, pk: int) -> Inspector:
    found = inspector_list(actor).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def plan_list(actor: Any) -> QuerySet[Plan]:
    if not _is_staff(actor):
        return Plan.objects.none()
    return Plan.objects.annotate(n_inspections=Count("inspections")).order_by("-period_start", "-pk")


def plan_get_for_actor(actor: Any, pk: int) -> Plan:
    found = plan_list(actor).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def plan_inspections(plan: Plan) -> QuerySet[Inspection]:
    return (
        plan.inspections.select_related("enterprise")
        .prefetch_related("inspectors", "items", "findings__item")
        .order_by("enterprise__name")
    )


def my_tasks(actor: Any) -> QuerySet[Inspection]:
    """The inspector's own inspections, open ones first."""
    if getattr(actor, "role", None) != Role.INSPECTOR:
        return Inspection.objects.none()
    return (
        Inspection.objects.visible_to(actor)
        .select_related("plan", "enterprise")
        .prefetch_related("items", "inspectors")
        .order_by("state", "plan__period_end", "enterprise__name")
    )


def inspection_get_for_actor(actor: Any, pk: int) -> Inspection:
    found = (
        Inspection.objects.visible_to(actor)
        .select_related("plan", "enterprise")
        .prefetch_related(
            "items__department",
            "inspectors",
            "findings__item",
            # The page lists file names only; the bytes are read when one file is opened.
            Prefetch("evidence", queryset=Evidence.objects.defer("content")),
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def evidence_get_for_actor(actor: Any, pk: int) -> Evidence:
    """One evidence file, in the same scope as its inspection (staff, or an assigned inspector)."""
    found = Evidence.objects.filter(pk=pk, inspection__in=Inspection.objects.visible_to(actor)).first()
    if found is None:
        raise Http404
    return found


def rectifications_open(actor: Any) -> QuerySet[Finding]:
    """Problems found (submitted or published) but not yet rectified, earliest deadline first."""
    if not _is_staff(actor):
        return Finding.objects.none()
    return (
        Finding.objects.filter(outcome=Outcome.PROBLEM, rectified_on__isnull=True)
        .select_related("inspection__enterprise", "inspection__plan", "item")
        .order_by("rectify_by")
    )


def finding_get_for_actor(actor: Any, pk: int) -> Finding:
    """One finding of any inspection, for park staff (who register rectifications)."""
    found = Finding.objects.filter(pk=pk).select_related("inspection").first() if _is_staff(actor) else None
    if found is None:
        raise Http404
    return found


# --- public ----------------------------------------------------------------------------------


def public_plans() -> QuerySet[Plan]:
    """Plans whose commitment is public (everything past draft)."""
    return Plan.objects.exclude(state=PlanState.DRAFT).select_related("draw").order_by("-period_start", "-pk")


def public_plan_get(pk: int) -> Plan:
    found = public_plans().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def public_plan_by_code(code: str) -> Plan | None:
    return public_plans().filter(code=code).first()


def published_inspections(enterprise: Enterprise | int) -> QuerySet[Inspection]:
    """Published results of this enterprise (contract I: for the credit report and the public page)."""
    enterprise_id = enterprise.pk if isinstance(enterprise, Enterprise) else enterprise
    return (
        Inspection.objects.filter(enterprise_id=enterprise_id, state=InspectionState.PUBLISHED)
        .select_related("plan")
        .prefetch_related("items", "findings__item")
        .order_by("-inspected_on", "-pk")
    )


def public_results(plan: Plan) -> QuerySet[Inspection]:
    return (
        plan.inspections.filter(state=InspectionState.PUBLISHED)
        .select_related("enterprise")
        .prefetch_related("items", "findings__item", "inspectors")
        .order_by("enterprise__name")
    )


def draw_verify(plan: Plan) -> list[Difference]:
    """Replay the plan's published draw from its published inputs and revealed seed."""
    record = plan.draw
    if not record.seed_revealed:
        return [Difference("seed", _("随机种子尚未公开,抽取完成后才能验证"))]
    inputs = json.loads(record.inputs_text)
    published = json.loads(record.result_text) if record.result_text else {}
    found = verify(inputs=inputs, seed=record.seed, commitment=record.commitment_dict, published=published)
    # The inspections created from the draw must match the published result too.
    visits = {v["target"]: v for v in published.get("visits", []) if not v.get("unstaffed")}
    for inspection in plan.inspections.prefetch_related("inspectors", "items"):
        visit = visits.pop(inspection.enterprise_id, None)
        if visit is None:
            found.append(
                Difference(
                    "inspection_extra",
                    _("检查任务中的企业 %(id)s 不在公布的抽取结果中") % {"id": inspection.enterprise_id},
                    inspection.enterprise_id,
                )
            )
            continue
        people = sorted(i.pk for i in inspection.inspectors.all())
        if people != sorted(visit["inspectors"]):
            found.append(
                Difference(
                    "inspection_inspectors",
                    _("企业 %(id)s 的检查任务人员 %(people)s 与公布的抽取结果 %(published)s 不同")
                    % {"id": inspection.enterprise_id, "people": people, "published": visit["inspectors"]},
                    inspection.enterprise_id,
                    visit["inspectors"],
                    people,
                )
            )
    for target in sorted(visits):
        found.append(
            Difference(
                "inspection_missing", _("公布抽中的企业 %(id)s 没有对应的检查任务") % {"id": target}, target
            )
        )
    return found


# --- yield and fairness ----------------------------------------------------------------------


def _rate(found: int, total: int) -> float:
    return round(100.0 * found / total, 1) if total else 0.0


def yield_stats(actor: Any, *, since: date | None = None) -> dict[str, Any]:
    """Problem-finding rates by grade and by stratum, the lift of risk weighting, and inspections
    per enterprise by grade, over inspections with results in the last year (or since `since`)."""
    since = since or timezone.localdate() - timedelta(days=365)
    if not _is_staff(actor):
        return {"total": 0}
    rows = (
        Inspection.objects.filter(state__in=[InspectionState.SUBMITTED, InspectionState.PUBLISHED])
        .filter(inspected_on__gte=since)
        .annotate(problems=Count("findings", filter=Q(findings__outcome=Outcome.PROBLEM)))
        .values_list("grade", "stratum", "problems")
    )
    by_grade: dict[str, list[int]] = {g: [0, 0] for g in (*GRADES, "")}
    by_stratum: dict[str, list[int]] = {"risk": [0, 0], "control": [0, 0]}
    for grade, stratum, problems in rows:
        hit = 1 if problems else 0
        by_grade.setdefault(grade, [0, 0])
        by_grade[grade][0] += 1
        by_grade[grade][1] += hit
        by_stratum[stratum][0] += 1
        by_stratum[stratum][1] += hit
    total = sum(v[0] for v in by_stratum.values())
    risk_rate = by_stratum["risk"][1] / by_stratum["risk"][0] if by_stratum["risk"][0] else 0.0
    control_rate = by_stratum["control"][1] / by_stratum["control"][0] if by_stratum["control"][0] else 0.0
    lift = round(risk_rate / control_rate, 2) if control_rate else None
    visits = Counter(
        Inspection.objects.filter(
            plan__state__in=[PlanState.DRAWN, PlanState.IN_PROGRESS, PlanState.PUBLISHED]
        )
        .filter(plan__period_start__gte=since)
        .values_list("grade", flat=True)
    )
    population = Counter(Score.objects.filter(is_current=True).values_list("grade", flat=True))
    per_enterprise = {
        g: round(visits.get(g, 0) / population[g], 3) if population.get(g) else 0.0 for g in GRADES
    }
    return {
        "total": total,
        "since": since,
        "lift": lift,
        "risk": {
            "inspections": by_stratum["risk"][0],
            "found": by_stratum["risk"][1],
            "rate": _rate(*by_stratum["risk"][::-1]),
        },
        "control": {
            "inspections": by_stratum["control"][0],
            "found": by_stratum["control"][1],
            "rate": _rate(*by_stratum["control"][::-1]),
        },
        "grade_rows": [
            {
                "grade": g,
                "inspections": by_grade[g][0],
                "found": by_grade[g][1],
                "rate": _rate(by_grade[g][1], by_grade[g][0]),
                "per_enterprise": per_enterprise[g],
                "enterprises": population.get(g, 0),
                "visits": visits.get(g, 0),
            }
            for g in GRADES
        ],
    }
