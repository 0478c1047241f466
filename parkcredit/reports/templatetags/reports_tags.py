"""The credit report card of the enterprise page: a download button for everyone who may see
the enterprise, and the report and download history for park staff."""

from __future__ import annotations

from typing import Any

from django import template

from parkcredit.reports.selectors import report_history

register = template.Library()


@register.inclusion_tag("reports/_enterprise_reports_card.html", takes_context=True)
def enterprise_reports(context: template.Context, enterprise: Any) -> dict[str, Any]:
    actor = context.get("user")
    return {"enterprise": enterprise, "history": report_history(actor=actor, enterprise=enterprise)}
