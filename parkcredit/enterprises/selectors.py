"""Reads of the enterprise archive (一企一档).

Every read starts from `Enterprise.objects.visible_to(actor)`; single enterprises are fetched with
`enterprise_get_for_actor`, which answers 404 for missing and forbidden alike so nobody learns
that an enterprise they may not see exists.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditcore.catalogue import Polarity
from creditcore.ledger import Status
from creditcore.uscc import normalize as normalize_uscc
from parkcredit.accounts.models import PARK_ROLES, Role
from parkcredit.common.masking import mask_id_number, mask_phone
from parkcredit.enterprises.filters import DEFAULT_ORDERING, ORDERINGS, EnterpriseFilters
from parkcredit.enterprises.models import BankConsent, Building, Enterprise, EnterpriseTag, TagKind
from parkcredit.records.models import CreditRecord, Observation, Relation
from parkcredit.records.selectors import TimelineEntry, record_timeline

__all__ = [
    "EnterpriseFilters",
    "enterprise_archive",
    "enterprise_filter_options",
    "enterprise_get_by_uscc_for_actor",
    "enterprise_get_for_actor",
    "enterprise_list",
]

BILL_METRICS = ("rent_bill", "fee_bill")
TREND_METRIC = "electricity"
TREND_NAME = _("用电量")
TREND_UNIT = _("千瓦时")
WINDOW_MONTHS = 12


def months_back(day: date, months: int) -> date:
    """The first day of the month `months - 1` months before `day`'s month: a window of `months`
    whole calendar months ending with the current one."""
    index = day.year * 12 + (day.month - 1) - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _record_count(**conditions: Any) -> Coalesce:
    # A correlated subquery, not Count() over a join: the count query of the paginator can then
    # drop it, and a tag or building filter cannot multiply the rows being counted.
    counted = (
        CreditRecord.objects.filter(enterprise=OuterRef("pk"), **conditions)
        .order_by()
        .values("enterprise")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _search(queryset: QuerySet[Enterprise], q: str) -> QuerySet[Enterprise]:
    condition = Q(name__icontains=q)
    code = normalize_uscc(q)
    if code:
        condition |= Q(uscc__icontains=code)
    return queryset.filter(condition)


def enterprise_list(
    *, actor: Any, filters: EnterpriseFilters, today: date | None = None
) -> QuerySet[Enterprise]:
    """The archive entries `actor` may see, filtered and ordered, with record counts.

    Annotates `records_total` and `records_negative_12m` (negative-polarity records decided in the
    last twelve months). A tag filter matches tags held today (`since` and `until` inclusive).
    """
    today = today or timezone.localdate()
    queryset: QuerySet[Enterprise] = Enterprise.objects.visible_to(actor).select_related("building")
    if filters.q:
        queryset = _search(queryset, filters.q)
    if filters.cluster:
        queryset = queryset.filter(cluster=filters.cluster)
    if filters.industry:
        queryset = queryset.filter(industry_code__startswith=filters.industry.upper())
    if filters.tag:
        held = EnterpriseTag.objects.filter(tag=filters.tag).filter(
            Q(since__isnull=True) | Q(since__lte=today), Q(until__isnull=True) | Q(until__gte=today)
        )
        queryset = queryset.filter(pk__in=held.values("enterprise_id"))
    if filters.size:
        queryset = queryset.filter(size=filters.size)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.building is not None:
        queryset = queryset.filter(building_id=filters.building)
    if filters.in_park is not None:
        queryset = queryset.filter(in_park=filters.in_park)
    queryset = queryset.annotate(
        records_total=_record_count(),
        records_negative_12m=_record_count(
            kind__polarity=Polarity.NEGATIVE.value, decided_on__gt=year_before(today), decided_on__lte=today
        ),
    )
    return queryset.order_by(*ORDERINGS.get(filters.ordering, ORDERINGS[DEFAULT_ORDERING]))


@dataclass(frozen=True, slots=True)
class FilterOptions:
    """Choices for the list's filter selects, drawn from what the actor can see."""

    clusters: list[str]
    buildings: list[Building]


def enterprise_filter_options(*, actor: Any) -> FilterOptions:
    visible = Enterprise.objects.visible_to(actor)
    clusters = list(
        visible.exclude(cluster="").order_by("cluster").values_list("cluster", flat=True).distinct()
    )
    buildings = list(Building.objects.filter(pk__in=visible.values("building_id")).order_by("code"))
    return FilterOptions(clusters=clusters, buildings=buildings)


def enterprise_get_for_actor(actor: Any, pk: int) -> Enterprise:
    """The enterprise `pk` if `actor` may see it; Http404 for missing and forbidden alike."""
    enterprise = Enterprise.objects.visible_to(actor).select_related("building").filter(pk=pk).first()
    if enterprise is None:
        raise Http404(_("企业档案不存在"))
    return enterprise


def enterprise_get_by_uscc_for_actor(actor: Any, uscc: str) -> Enterprise:
    """The enterprise with this USCC (normalised first) if `actor` may see it; else Http404."""
    code = normalize_uscc(uscc or "")
    enterprise = (
        Enterprise.objects.visible_to(actor).select_related("building").filter(uscc=code).first()
        if code
        else None
    )
    if enterprise is None:
        raise Http404(_("企业档案不存在"))
    return enterprise


# --- The archive card (detail page) -------------------------------------------------------------


def _is_park_user(actor: Any) -> bool:
    return getattr(actor, "role", None) in PARK_ROLES


def _is_own_enterprise_user(actor: Any, enterprise: Enterprise) -> bool:
    return getattr(actor, "role", None) == Role.ENTERPRISE and actor.enterprise_id == enterprise.pk


@dataclass(frozen=True, slots=True)
class PersonalData:
    """The legal representative's personal data as the actor may see it: masked, or withheld."""

    shown: bool
    id_number: str = ""
    phone: str = ""


def enterprise_personal_data(*, actor: Any, enterprise: Enterprise) -> PersonalData:
    """Masked ID number and phone for park staff and the enterprise itself; banks get nothing,
    because personal data of legal representatives does not go to banks without their consent."""
    if not (_is_park_user(actor) or _is_own_enterprise_user(actor, enterprise)):
        return PersonalData(shown=False)
    return PersonalData(
        shown=True,
        id_number=mask_id_number(enterprise.legal_representative_id_number),
        phone=mask_phone(enterprise.contact_phone),
    )


@dataclass(frozen=True, slots=True)
class TagRow:
    tag: EnterpriseTag
    current: bool
    in_tolerance: bool  # a 新业态 enterprise inside its tolerance period (包容期)


def enterprise_tags(*, enterprise: Enterprise, today: date) -> list[TagRow]:
    rows = []
    for tag in enterprise.tags.order_by("tag"):
        current = (tag.since is None or tag.since <= today) and (tag.until is None or tag.until >= today)
        rows.append(TagRow(tag=tag, current=current, in_tolerance=current and tag.tag == TagKind.NEW_ECONOMY))
    return rows


def enterprise_consenting_banks(*, actor: Any, enterprise: Enterprise, today: date) -> list[BankConsent]:
    """Active bank consents; only park staff and the enterprise itself may see who was authorised."""
    if not (_is_park_user(actor) or _is_own_enterprise_user(actor, enterprise)):
        return []
    return list(
        BankConsent.objects.filter(enterprise=enterprise, revoked_at__isnull=True)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .select_related("bank")
        .order_by("-granted_at")
    )


STATUS_LABELS: dict[Status, Any] = {
    Status.ACTIVE: _("有效"),
    Status.REPAIRED: _("已修复"),
    Status.REVOKED: _("已撤销"),
    Status.PUBLICITY_ENDED: _("公示期满"),
    Status.SUPERSEDED: _("已更正"),
}
# Same colours as the record pages: a record in force takes its kind's colour (a penalty red, an
# honour green), a repaired one green, closed ones grey.
_ACTIVE_CLASSES = {
    Polarity.NEGATIVE.value: "bg-red-lt",
    Polarity.POSITIVE.value: "bg-green-lt",
    Polarity.NEUTRAL.value: "bg-blue-lt",
}
_CLOSED_CLASSES = {Status.REPAIRED: "bg-green-lt"}
POLARITY_LABELS: dict[str, Any] = {
    Polarity.NEGATIVE.value: _("失信"),
    Polarity.POSITIVE.value: _("守信"),
    Polarity.NEUTRAL.value: _("中性"),
}


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """A timeline entry with the labels and badge classes the template shows."""

    entry: TimelineEntry

    @property
    def record(self) -> CreditRecord:
        return self.entry.record

    @property
    def events(self) -> list[Any]:
        return self.entry.events

    @property
    def disputed(self) -> bool:
        return self.entry.state.disputed

    @property
    def status_label(self) -> Any:
        return STATUS_LABELS[self.entry.state.status]

    @property
    def status_class(self) -> str:
        status = self.entry.state.status
        if status is Status.ACTIVE:
            return _ACTIVE_CLASSES.get(self.record.kind.polarity, "bg-blue-lt")
        return _CLOSED_CLASSES.get(status, "bg-secondary-lt")

    @property
    def polarity_label(self) -> Any:
        return POLARITY_LABELS.get(self.record.kind.polarity, POLARITY_LABELS[Polarity.NEUTRAL.value])


def enterprise_timeline(*, actor: Any, enterprise: Enterprise) -> list[TimelineRow]:
    """The ledger timeline of the enterprise as the actor may see it, newest first."""
    return [TimelineRow(entry) for entry in record_timeline(actor=actor, enterprise=enterprise)]


@dataclass(frozen=True, slots=True)
class BillSummary:
    """Rent and fee bills of the window by payment behaviour."""

    on_time: int = 0
    late: int = 0  # paid after the due date
    overdue: int = 0  # unpaid and past the due date
    open: int = 0  # unpaid, not yet due

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue + self.open

    @property
    def on_time_rate(self) -> int | None:
        """Whole-percent share of settled-or-due bills paid on time, None without any."""
        judged = self.on_time + self.late + self.overdue
        return None if judged == 0 else round(100 * self.on_time / judged)


@dataclass(frozen=True, slots=True)
class ObservationSummary:
    window_start: date
    window_end: date
    bills: BillSummary
    trend_name: str
    trend_unit: str
    trend: list[tuple[str, float]] = field(default_factory=list)

    def chart_data(self) -> dict[str, Any]:
        """The electricity trend as a line chart in the shape static/js/charts.js draws."""
        return {
            "type": "line",
            "name": _("%(name)s(%(unit)s)") % {"name": self.trend_name, "unit": self.trend_unit},
            "unit": self.trend_unit,
            "categories": [label for label, _value in self.trend],
            "series": [{"name": self.trend_name, "data": [value for _label, value in self.trend]}],
        }


def _bill_summary(bills: list[Observation], today: date) -> BillSummary:
    on_time = late = overdue = still_open = 0
    for bill in bills:
        if bill.settled_on is not None:
            if bill.due_on is None or bill.settled_on <= bill.due_on:
                on_time += 1
            else:
                late += 1
        elif bill.due_on is not None and bill.due_on < today:
            overdue += 1
        else:
            still_open += 1
    return BillSummary(on_time=on_time, late=late, overdue=overdue, open=still_open)


def enterprise_observation_summary(*, enterprise: Enterprise, today: date) -> ObservationSummary:
    """The last twelve calendar months of park observations: bill payment behaviour and the
    monthly electricity use (summed over sources)."""
    start = months_back(today, WINDOW_MONTHS)
    window = Observation.objects.filter(enterprise=enterprise, period__gte=start, period__lte=today)
    bills = list(window.filter(metric__in=BILL_METRICS).only("due_on", "settled_on"))
    per_month: dict[date, Decimal] = defaultdict(Decimal)
    for period, value in window.filter(metric=TREND_METRIC).values_list("period", "value"):
        per_month[period.replace(day=1)] += value
    return ObservationSummary(
        window_start=start,
        window_end=today,
        bills=_bill_summary(bills, today),
        trend_name=str(TREND_NAME),
        trend_unit=str(TREND_UNIT),
        trend=[(period.strftime("%Y-%m"), float(per_month[period])) for period in sorted(per_month)],
    )


@dataclass(frozen=True, slots=True)
class RelationRow:
    relation: Relation
    counterparty_visible: bool  # link to the counterparty only when the actor may open it


def enterprise_relations(*, actor: Any, enterprise: Enterprise) -> list[RelationRow]:
    relations = list(
        Relation.objects.filter(enterprise=enterprise)
        .select_related("counterparty")
        .order_by("-weight", "counterparty__name")
    )
    visible = set(
        Enterprise.objects.visible_to(actor)
        .filter(pk__in=[r.counterparty_id for r in relations])
        .values_list("pk", flat=True)
    )
    return [RelationRow(relation=r, counterparty_visible=r.counterparty_id in visible) for r in relations]


@dataclass(frozen=True, slots=True)
class EnterpriseArchive:
    """Everything the archive card (detail page) shows, already scoped and masked for the actor."""

    enterprise: Enterprise
    personal: PersonalData
    tags: list[TagRow]
    banks_visible: bool
    banks: list[BankConsent]
    timeline: list[TimelineRow]
    observations: ObservationSummary
    relations: list[RelationRow]
    can_edit: bool


def enterprise_archive(*, actor: Any, enterprise: Enterprise, today: date | None = None) -> EnterpriseArchive:
    """The archive card of an enterprise the actor may see (fetch it with
    `enterprise_get_for_actor` first)."""
    today = today or timezone.localdate()
    return EnterpriseArchive(
        enterprise=enterprise,
        personal=enterprise_personal_data(actor=actor, enterprise=enterprise),
        tags=enterprise_tags(enterprise=enterprise, today=today),
        banks_visible=_is_park_user(actor) or _is_own_enterprise_user(actor, enterprise),
        banks=enterprise_consenting_banks(actor=actor, enterprise=enterprise, today=today),
        timeline=enterprise_timeline(actor=actor, enterprise=enterprise),
        observations=enterprise_observation_summary(enterprise=enterprise, today=today),
        relations=enterprise_relations(actor=actor, enterprise=enterprise),
        can_edit=bool(getattr(actor, "can_edit_archive", False)),
    )
