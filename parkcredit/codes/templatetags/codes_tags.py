"""`{% enterprise_code enterprise %}`: the small code card on the enterprise page."""

from __future__ import annotations

from typing import Any

from django import template

from parkcredit.codes.selectors import code_access_allowed, code_current

register = template.Library()


@register.inclusion_tag("codes/_enterprise_code.html", takes_context=True)
def enterprise_code(context: dict[str, Any], enterprise: Any) -> dict[str, Any]:
    """The enterprise's current code for park staff and its own users; nothing for others (banks)."""
    allowed = code_access_allowed(context.get("user"), enterprise.pk)
    return {
        "allowed": allowed,
        "enterprise": enterprise,
        "code": code_current(enterprise) if allowed else None,
    }
