"""Freezing the target directory, item list and inspector directory into a draw's inputs.

Only what the draw needs is frozen, and nothing personal: enterprises by id, USCC, grade, tags
in force, founding and park-entry dates and this year's inspections; inspectors by id and
department, with the ids of the enterprises they must step aside from (the kind of conflict —
relative, prior employment — stays private).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q

from creditcore.supervision.draw import FORMAT
from parkcredit.enterprises.models import Enterprise, EnterpriseStatus, EnterpriseTag
from parkcredit.scoring.models import Score
from parkcredit.supervision.models import Inspection, Inspector, Plan, PlanState

DRAWN_STATES = (PlanState.DRAWN, PlanState.IN_PROGRESS, PlanState.PUBLISHED)


def plan_rules(plan: Plan) -> dict[str, Any]:
    return {
        "ratios_bp": {g: int(plan.ratios_bp[g]) for g in ("A", "B", "C", "D")},
        "ungraded_as": "B",
        "control_share_bp": plan.control_share_bp,
        "yearly_cap": plan.yearly_cap,
        "exempt_tags": sorted(plan.exempt_tags),
        "tolerance_tags": ["new_economy"],
        "tolerance_months": plan.tolerance_months,
        "inspectors_per_target": plan.inspectors_per_target,
    }


def freeze_inputs(plan: Plan, as_of: date) -> dict[str, Any]:
    """The draw's inputs for `plan` as of `as_of` (the commitment is computed over exactly this)."""
    enterprises = Enterprise.objects.filter(in_park=True, status=EnterpriseStatus.OPERATING).order_by("pk")
    grades = dict(Score.objects.filter(is_current=True).values_list("enterprise_id", "grade"))
    tags: dict[int, list[str]] = {}
    active_tags = EnterpriseTag.objects.filter(Q(since__isnull=True) | Q(since__lte=as_of)).filter(
        Q(until__isnull=True) | Q(until__gte=as_of)
    )
    for enterprise_id, tag in active_tags.values_list("enterprise_id", "tag"):
        tags.setdefault(enterprise_id, []).append(tag)
    counts = dict(
        Inspection.objects.filter(plan__state__in=DRAWN_STATES, plan__period_start__year=as_of.year)
        .exclude(plan=plan)
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    targets = [
        {
            "id": e.pk,
            "uscc": e.uscc,
            "grade": grades.get(e.pk, ""),
            "tags": sorted(tags.get(e.pk, [])),
            "founded_on": e.founded_on.isoformat() if e.founded_on else "",
            "park_entry_on": e.park_entry_on.isoformat() if e.park_entry_on else "",
            "inspections_this_year": counts.get(e.pk, 0),
        }
        for e in enterprises.only("pk", "uscc", "founded_on", "park_entry_on")
    ]
    items = [
        {"code": item.code, "department": item.department.code, "key": item.is_key}
        for item in plan.items.select_related("department").order_by("code")
    ]
    inspectors = []
    for inspector in (
        Inspector.objects.filter(is_active=True)
        .select_related("department")
        .prefetch_related("qualifications", "conflicts")
        .order_by("pk")
    ):
        inspectors.append(
            {
                "id": inspector.pk,
                "department": inspector.department.code,
                "qualifications": sorted(o.code for o in inspector.qualifications.all()),
                "conflicts": sorted(
                    {
                        c.enterprise_id
                        for c in inspector.conflicts.all()
                        if c.until is None or c.until >= as_of
                    }
                ),
            }
        )
    return {
        "format": FORMAT,
        "plan": plan.code,
        "as_of": as_of.isoformat(),
        "rules": plan_rules(plan),
        "targets": targets,
        "items": items,
        "inspectors": inspectors,
    }
