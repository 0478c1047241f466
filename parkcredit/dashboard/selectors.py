"""Reads behind the home dashboard (工作台): figures and chart series, scoped by the actor.

Every figure starts from `Enterprise.objects.visible_to(actor)` or
`CreditRecord.objects.visible_to(actor)`, so a dashboard can never show more than the lists
behind it. Counts are aggregate queries (a handful per page, whatever the size of the park) that
run the same on SQLite and PostgreSQL. Chart series are plain dicts and lists, ready for
`json_script`; charts.js turns them into ECharts options.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditcore.catalogue import CATEGORY_LABELS, Category, Polarity
from creditcore.ledger import EventType
from parkcredit.accounts.models import PARK_ROLES, Role
from parkcredit.enterprises.models import Enterprise, EnterpriseTag, TagKind
from parkcredit.records.models import CreditRecord, RecordEvent

TREND_MONTHS = 36
LATEST_RECORDS = 10
BANK_ENTERPRISES_SHOWN = 10
# Events after which a record no longer stands: a revoked decision never existed in law, and an
# upheld objection withdraws the record. Such records are left out of the "negative" figure.
WITHDRAWN_EVENTS = (EventType.REVOKED.value, EventType.DISPUTE_UPHELD.value)

POLARITY_LABELS = {
    Polarity.NEGATIVE: _("失信(负面)"),
    Polarity.POSITIVE: _("守信(正面)"),
    Polarity.NEUTRAL: _("中性"),
}
UNCLASSIFIED = _("未分类")


@dataclass(frozen=True, slots=True)
class RecordCounts:
    """How many records, and how many of them negative, positive or negative within a year."""

    total: int = 0
    negative: int = 0
    positive: int = 0
    negative_last_year: int = 0


@dataclass(frozen=True, slots=True)
class ParkDashboard:
    """The park staff view: the archive and the ledger at a glance."""

    enterprise_count: int
    records: RecordCounts
    cluster_chart: dict[str, Any]
    tag_chart: dict[str, Any]
    category_chart: dict[str, Any]
    polarity_chart: dict[str, Any]
    latest_records: list[CreditRecord]
    kind: str = "park"


@dataclass(frozen=True, slots=True)
class EnterpriseDashboard:
    """An enterprise user's view: its own archive entry and its own records, nothing else."""

    enterprise: Enterprise | None
    records: RecordCounts
    latest_records: list[CreditRecord]
    kind: str = "enterprise"


@dataclass(frozen=True, slots=True)
class BankDashboard:
    """A bank user's view: the enterprises that authorised this bank to read their files."""

    consenting_count: int
    enterprises: list[Enterprise]
    kind: str = "bank"


@dataclass(frozen=True, slots=True)
class AdminDashboard:
    """系统管理员 / 安全管理员 / 安全审计员: no enterprise data, only a pointer to their area."""

    role: str
    kind: str = "admin"
    areas: tuple[str, ...] = field(default=())


Dashboard = ParkDashboard | EnterpriseDashboard | BankDashboard | AdminDashboard

ADMIN_AREAS: dict[str, tuple[str, ...]] = {
    Role.SYSTEM_ADMIN: ("users",),
    Role.SECURITY_ADMIN: ("security", "audit"),
    Role.AUDITOR: ("audit",),
}


def month_starts(*, today: date, months: int = TREND_MONTHS) -> list[date]:
    """The first day of each of the last `months` months, oldest first, ending with today's month."""
    index = today.year * 12 + today.month - 1
    return [date((i // 12), (i % 12) + 1, 1) for i in range(index - months + 1, index + 1)]


def record_counts(*, records: Any, today: date) -> RecordCounts:
    """Totals of a record queryset in one aggregate query."""
    negative = Q(kind__polarity=Polarity.NEGATIVE.value)
    standing = ~Q(pk__in=_withdrawn_record_ids())
    totals = records.aggregate(
        total=Count("id"),
        negative=Count("id", filter=negative),
        positive=Count("id", filter=Q(kind__polarity=Polarity.POSITIVE.value)),
        negative_last_year=Count(
            "id", filter=negative & standing & Q(decided_on__gt=today - timedelta(days=365))
        ),
    )
    return RecordCounts(**totals)


def _withdrawn_record_ids() -> Any:
    return RecordEvent.objects.filter(event_type__in=WITHDRAWN_EVENTS).values("record_id")


def cluster_chart(*, enterprises: Any) -> dict[str, Any]:
    """Park enterprises per industrial cluster (产业集群), largest first, as a pie."""
    rows = enterprises.values("cluster").annotate(n=Count("id")).order_by("-n", "cluster")
    return {
        "type": "pie",
        "name": str(_("产业集群")),
        "items": [{"name": row["cluster"] or str(UNCLASSIFIED), "value": row["n"]} for row in rows],
    }


def tag_chart(*, enterprises: Any, today: date) -> dict[str, Any]:
    """Park enterprises holding each tag today; every tag appears, so the axis is stable."""
    valid_today = (Q(since__isnull=True) | Q(since__lte=today)) & (
        Q(until__isnull=True) | Q(until__gte=today)
    )
    counts = dict(
        EnterpriseTag.objects.filter(valid_today, enterprise__in=enterprises)
        .values("tag")
        .annotate(n=Count("enterprise", distinct=True))
        .values_list("tag", "n")
    )
    return {
        "type": "bar",
        "horizontal": True,
        "categories": [str(label) for label in TagKind.labels],
        "series": [{"name": str(_("企业数")), "data": [counts.get(value, 0) for value in TagKind.values]}],
    }


def monthly_charts(*, records: Any, today: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """Records per month over the last three years, stacked by category and split by polarity.

    One grouped query gives both charts. Only categories with at least one record become a series,
    in catalogue order, so thirteen mostly empty series do not crowd the legend.
    """
    months = month_starts(today=today)
    column = {m: i for i, m in enumerate(months)}
    rows = (
        records.filter(decided_on__gte=months[0], decided_on__lte=today)
        .annotate(month=TruncMonth("decided_on"))
        .values("month", "kind__category", "kind__polarity")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_category: dict[str, list[int]] = {}
    by_polarity: dict[str, list[int]] = {p.value: [0] * len(months) for p in Polarity}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime):  # a backend may hand back a datetime for a truncated date
            month = month.date()
        i = column[month]
        by_category.setdefault(row["kind__category"], [0] * len(months))[i] += row["n"]
        if row["kind__polarity"] in by_polarity:
            by_polarity[row["kind__polarity"]][i] += row["n"]
    labels = [m.strftime("%Y-%m") for m in months]
    category_series = [
        {"name": gettext(CATEGORY_LABELS[c]), "data": by_category[c.value], "stack": "total"}
        for c in Category
        if c.value in by_category
    ]
    polarity_series = [
        {"name": str(POLARITY_LABELS[p]), "data": by_polarity[p.value], "polarity": p.value} for p in Polarity
    ]
    return (
        {"type": "bar", "categories": labels, "series": category_series},
        {"type": "line", "categories": labels, "series": polarity_series},
    )


def latest_records(*, records: Any, limit: int = LATEST_RECORDS) -> list[CreditRecord]:
    """The newest records by decision date, with what the list shows fetched in the same query."""
    return list(records.select_related("enterprise", "kind").order_by("-decided_on", "-id")[:limit])


def park_dashboard_get(*, actor: Any, today: date | None = None) -> ParkDashboard:
    """The park staff dashboard: archive size, ledger figures and the charts behind them."""
    today = today or timezone.localdate()
    enterprises = Enterprise.objects.visible_to(actor).filter(in_park=True)
    records = CreditRecord.objects.visible_to(actor)
    category, polarity = monthly_charts(records=records, today=today)
    return ParkDashboard(
        enterprise_count=enterprises.count(),
        records=record_counts(records=records, today=today),
        cluster_chart=cluster_chart(enterprises=enterprises),
        tag_chart=tag_chart(enterprises=enterprises, today=today),
        category_chart=category,
        polarity_chart=polarity,
        latest_records=latest_records(records=records),
    )


def enterprise_dashboard_get(*, actor: Any, today: date | None = None) -> EnterpriseDashboard:
    """An enterprise user's dashboard: its own enterprise (None if unlinked) and its records."""
    today = today or timezone.localdate()
    records = CreditRecord.objects.visible_to(actor)
    return EnterpriseDashboard(
        enterprise=Enterprise.objects.visible_to(actor).first(),
        records=record_counts(records=records, today=today),
        latest_records=latest_records(records=records, limit=5),
    )


def bank_dashboard_get(*, actor: Any) -> BankDashboard:
    """A bank user's dashboard: how many enterprises currently authorise this bank, and a few of them."""
    enterprises = Enterprise.objects.visible_to(actor)
    return BankDashboard(
        consenting_count=enterprises.count(),
        enterprises=list(enterprises.order_by("name")[:BANK_ENTERPRISES_SHOWN]),
    )


def dashboard_get(*, actor: Any, today: date | None = None) -> Dashboard:
    """The dashboard that fits the actor's role."""
    role = getattr(actor, "role", "")
    if role in PARK_ROLES:
        return park_dashboard_get(actor=actor, today=today)
    if role == Role.ENTERPRISE:
        return enterprise_dashboard_get(actor=actor, today=today)
    if role == Role.BANK:
        return bank_dashboard_get(actor=actor)
    return AdminDashboard(role=role, areas=ADMIN_AREAS.get(role, ()))
