"""Template tags other apps' pages use to show the portal's public disclosure block."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from parkcredit.portal.selectors import public_commitment_rows, public_record_rows

register = template.Library()


@register.inclusion_tag("portal/_public_disclosure.html")
def public_disclosure(
    records: Iterable[Any], commitments: Iterable[Any], testid: str = "public"
) -> dict[str, Any]:
    """Contract R records and contract C commitments, rendered exactly as on the portal's
    enterprise page (the code verification page passes them straight from its selectors)."""
    return {
        "records": public_record_rows(records or []),
        "commitments": public_commitment_rows(commitments or []),
        "testid": testid,
    }
