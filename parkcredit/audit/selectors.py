"""Reads of the audit log, for the auditor and the security admin only (三员分立)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from parkcredit.accounts.models import Role
from parkcredit.audit.models import AuditEntry
from parkcredit.common.stamp import Part, StampSql

AUDIT_READER_ROLES = frozenset({Role.AUDITOR, Role.SECURITY_ADMIN})


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """What the audit list can be narrowed by; empty values filter nothing.

    Dates are calendar days in the site's time zone, both ends included.
    """

    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    outcome: str = ""


def audit_can_read(actor: Any) -> bool:
    return getattr(actor, "is_authenticated", False) and actor.role in AUDIT_READER_ROLES


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entry_list(*, actor: Any, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """Audit entries newest first, narrowed by `filters`; empty for anyone but the two readers."""
    if not audit_can_read(actor):
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.order_by("-seq")
    f = filters or AuditFilters()
    if f.action:
        entries = entries.filter(action__startswith=f.action)
    if f.actor:
        entries = entries.filter(actor_label=f.actor)
    if f.object_type:
        entries = entries.filter(object_type=f.object_type)
    if f.object_id:
        entries = entries.filter(object_id=f.object_id)
    # Bounds on the stored instant rather than `at__date`, so the index-friendly comparison is
    # made in UTC and the day boundaries still follow Beijing time.
    if f.date_from:
        entries = entries.filter(at__gte=_day_start(f.date_from))
    if f.date_to:
        entries = entries.filter(at__lt=_day_start(f.date_to + timedelta(days=1)))
    if f.outcome:
        entries = entries.filter(outcome=f.outcome)
    return entries


# --- stamp parts of cached public pages (see parkcredit.common.stamp) -----------------------------


def audit_stamp(sql: StampSql, object_type: str) -> Part:
    """The count and highest id of the audit entries about objects of `object_type` (a model's
    label, as `audit_log` is given it; a constant of the code): changes with every audited change
    of such objects. Entries are only ever added (hash-chained), so the count and highest id
    follow them all."""
    column = sql.column(AuditEntry, "object_type")
    return sql.tally(
        f"{sql.table(AuditEntry)} aud_a WHERE aud_a.{column} = {sql.literal(object_type)}", "aud_a.id"
    )
