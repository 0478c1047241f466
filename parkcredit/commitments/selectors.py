"""Reads of the commitments app: public lists, the actor-scoped lists and details, monthly figures.

Actor-scoped reads start from `Commitment.objects.visible_to(actor)`; the public reads show only
commitments marked public, and never the signer (a person) — only the committing party.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.repair import add_months
from parkcredit.accounts.models import PARK_ROLES
from parkcredit.commitments.models import Commitment, CommitmentStatus, CommitmentTemplate, Scenario
from parkcredit.commitments.services import can_sign_government
from parkcredit.common.stamp import Part, StampSql


def commitment_signed_with(*, actor: Any, token: str) -> Commitment | None:
    """What `actor` signed from the confirmation page carrying signing token `token`, if anything."""
    return Commitment.objects.signed_with(actor, token).first()


def public_commitments(enterprise: Any) -> QuerySet[Commitment]:
    """The enterprise's signed public commitments, newest first (contract C)."""
    enterprise_id = getattr(enterprise, "pk", enterprise)
    return Commitment.objects.public().filter(enterprise_id=enterprise_id).order_by("-signed_at", "-id")


def public_government_commitments() -> QuerySet[Commitment]:
    """The park departments' public government integrity commitments (政务诚信), newest first."""
    return (
        Commitment.objects.public()
        .filter(organisation__isnull=False)
        .select_related("organisation")
        .order_by("-signed_at", "-id")
    )


def public_list(*, party: str = "", q: str = "", status: str = "") -> QuerySet[Commitment]:
    """The public list: every public commitment, filtered by party type, name and status."""
    queryset = Commitment.objects.public().select_related("enterprise", "organisation")
    if party == "government":
        queryset = queryset.filter(organisation__isnull=False)
    elif party == "enterprise":
        queryset = queryset.filter(enterprise__isnull=False)
    if status in CommitmentStatus.values:
        queryset = queryset.filter(status=status)
    q = (q or "").strip()[:100]
    if q:
        queryset = queryset.filter(Q(party_name__icontains=q) | Q(title__icontains=q) | Q(number=q))
    return queryset.order_by("-signed_at", "-id")


def public_get(number: str) -> Commitment:
    """A public commitment by its number; Http404 when missing or not public."""
    found = (
        Commitment.objects.public().select_related("enterprise", "organisation").filter(number=number).first()
    )
    if found is None:
        raise Http404(_("承诺不存在或未公开"))
    return found


def commitment_get_for_actor(actor: Any, pk: int) -> Commitment:
    """The commitment if the actor may see it; Http404 for missing and forbidden alike."""
    found = (
        Commitment.objects.visible_to(actor)
        .select_related("enterprise", "organisation", "template", "signer", "breach_record", "kept_record")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("承诺不存在"))
    return found


def commitment_list(*, actor: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Commitment]:
    """Visible commitments filtered by status, scenario, party type and name, newest first."""
    filters = filters or {}
    queryset = Commitment.objects.visible_to(actor).select_related("enterprise", "organisation")
    status = filters.get("status")
    if status in CommitmentStatus.values:
        queryset = queryset.filter(status=status)
    scenario = filters.get("scenario")
    if scenario in Scenario.values:
        queryset = queryset.filter(scenario=scenario)
    party = filters.get("party")
    if party == "government":
        queryset = queryset.filter(organisation__isnull=False)
    elif party == "enterprise":
        queryset = queryset.filter(enterprise__isnull=False)
    q = str(filters.get("q") or "").strip()[:100]
    if q:
        queryset = queryset.filter(Q(party_name__icontains=q) | Q(number=q) | Q(title__icontains=q))
    return queryset.order_by("-signed_at", "-id")


def status_counts(*, actor: Any) -> dict[str, int]:
    rows = Commitment.objects.visible_to(actor).values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in CommitmentStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def enterprise_commitments(*, actor: Any, enterprise: Any) -> QuerySet[Commitment]:
    """The commitments of one enterprise the actor may see (enterprise pages, "my commitments")."""
    return commitment_list(actor=actor).filter(enterprise_id=getattr(enterprise, "pk", enterprise))


def events_of(commitment: Commitment) -> list[Any]:
    return list(commitment.events.select_related("actor").order_by("on", "id"))


def template_list(*, actor: Any, include_old: bool = False) -> QuerySet[CommitmentTemplate]:
    """Templates for staff: current versions (and, on request, the retired ones)."""
    if getattr(actor, "role", None) not in PARK_ROLES:
        return CommitmentTemplate.objects.none()
    queryset = CommitmentTemplate.objects.select_related("created_by")
    if not include_old:
        queryset = queryset.filter(is_current=True)
    return queryset.order_by("scenario", "code", "-version")


def templates_signable(*, actor: Any) -> QuerySet[CommitmentTemplate]:
    """Current templates this actor may sign: enterprise scenarios for an enterprise user,
    government integrity templates for park department staff."""
    current = CommitmentTemplate.objects.filter(is_current=True).order_by("scenario", "code")
    if getattr(actor, "enterprise_id", None) is not None:
        # A repair commitment is signed inside the repair application, not on its own.
        return current.exclude(scenario__in=[Scenario.GOVERNMENT, Scenario.REPAIR])
    if can_sign_government(actor):
        return current.filter(scenario=Scenario.GOVERNMENT)
    return current.none()


def template_get(pk: int) -> CommitmentTemplate:
    found = CommitmentTemplate.objects.filter(pk=pk).first()
    if found is None:
        raise Http404(_("模板不存在"))
    return found


def template_versions(template: CommitmentTemplate) -> QuerySet[CommitmentTemplate]:
    return CommitmentTemplate.objects.filter(code=template.code).order_by("-version")


def commitments_by_month(*, months: int = 12, today: date | None = None) -> list[dict[str, Any]]:
    """Park-wide monthly figures for the last `months` months (oldest first), for charts.

    Each row: ``{"month": "YYYY-MM", "signed", "government", "breached", "fulfilled", "expired"}``
    — signings by the month of signing (government ones also counted apart), outcomes by the
    month they were established. Two grouped queries whatever the number of commitments.
    """
    today = today or timezone.localdate()
    first = add_months(today.replace(day=1), -(months - 1))
    keys = [add_months(first, i).strftime("%Y-%m") for i in range(months)]
    rows = {
        key: {"month": key, "signed": 0, "government": 0, "breached": 0, "fulfilled": 0, "expired": 0}
        for key in keys
    }
    signed = (
        Commitment.objects.filter(valid_from__gte=first, valid_from__lte=today)
        .annotate(month=TruncMonth("valid_from"))
        .values("month")
        .annotate(n=Count("id"), gov=Count("id", filter=Q(organisation__isnull=False)))
    )
    for row in signed:
        key = row["month"].strftime("%Y-%m")
        if key in rows:
            rows[key]["signed"] += row["n"]
            rows[key]["government"] += row["gov"]
    outcomes = (
        Commitment.objects.filter(status_on__gte=first, status_on__lte=today)
        .exclude(status=CommitmentStatus.IN_FORCE)
        .annotate(month=TruncMonth("status_on"))
        .values("month", "status")
        .annotate(n=Count("id"))
    )
    for outcome in outcomes:
        key = outcome["month"].strftime("%Y-%m")
        if key in rows:
            rows[key][outcome["status"]] += outcome["n"]
    return [rows[key] for key in keys]


def commitments_month_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The chart spec (components/chart.html) for `commitments_by_month` rows."""
    return {
        "type": "bar",
        "categories": [row["month"] for row in rows],
        "series": [
            {"name": _("签署"), "data": [row["signed"] for row in rows]},
            {
                "name": _("履约"),
                "data": [row["fulfilled"] for row in rows],
                "stack": "outcome",
                "colour": "green",
            },
            {
                "name": _("违诺"),
                "data": [row["breached"] for row in rows],
                "stack": "outcome",
                "colour": "red",
            },
        ],
        "labels": False,
    }


# --- stamp parts of cached public pages (see parkcredit.common.stamp) -----------------------------


def commitments_stamp(sql: StampSql, enterprise: str) -> Part:
    """The fields public pages show (contract C, with what `Commitment.fulfilment` is made of) of
    every commitment of `enterprise` (an SQL expression of its id), read themselves: commitments
    change in place (status, status date, breach, publicity), with or without an event."""
    table = sql.table(Commitment)

    def field(name: str) -> str:
        return f"cmt_m.{sql.column(Commitment, name)}"

    texts = ("number", "title", "scenario", "status", "breach_reason")
    others = ("signed_at", "status_on", "valid_until", "is_public")
    return sql.rows(
        f"{table} cmt_m WHERE {field('enterprise')} = {enterprise}",
        [
            sql.text("cmt_m.id"),
            *(sql.string(field(name)) for name in texts),
            *(sql.text(field(name)) for name in others),
        ],
        "cmt_m.id",
    )
