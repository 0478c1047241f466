"""Template filters for ledger pages: money in yuan and status badges."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from creditcore.ledger import STATUS_LABELS, RecordState, Status

register = template.Library()

# Tabler badge colours. An active record takes its kind's colour (a penalty in force is red, an
# honour green); a frozen (disputed) record is orange whatever it is; closed ones are grey.
_ACTIVE_BADGE = {"negative": "bg-red-lt", "positive": "bg-green-lt", "neutral": "bg-blue-lt"}
_STATUS_BADGE = {
    Status.REPAIRED: "bg-green-lt",
    Status.REVOKED: "bg-secondary-lt",
    Status.PUBLICITY_ENDED: "bg-secondary-lt",
}


@register.filter
def yuan(value: Any) -> str:
    """`Decimal("20000")` -> "20,000.00 元"; empty for None."""
    if value is None or value == "":
        return ""
    return _("%(amount)s 元") % {"amount": f"{Decimal(value):,.2f}"}


@register.filter
def status_badge(state: RecordState, polarity: str = "neutral") -> str:
    """The badge class for a record state: `{{ state|status_badge:record.kind.polarity }}`."""
    if state.disputed:
        return "bg-orange-lt"
    if state.status is Status.ACTIVE:
        return _ACTIVE_BADGE.get(polarity, "bg-blue-lt")
    return _STATUS_BADGE.get(state.status, "bg-secondary-lt")


@register.filter
def status_label(state: RecordState) -> str:
    """The Chinese status of a record state, with 异议中 when it is frozen by a dispute."""
    label = STATUS_LABELS[state.status]
    return _("%(status)s(异议中)") % {"status": label} if state.disputed else label
