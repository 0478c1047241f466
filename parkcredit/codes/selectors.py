"""Reads of the codes app: current codes, token look-up, the public verification view model.

`code_check(token)` is what the public page and `parkcredit code verify` show: the offline
signature and validity check (`creditcore.codesign.verify_token`), then, for a genuine token,
what the park's database knows (revoked, superseded by a newer code, unknown).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore import codesign
from creditcore.codesign import TokenCheck, Verifier, verify_token, with_status
from parkcredit.accounts.models import PARK_ROLES, Role
from parkcredit.codes.keys import park_verifier
from parkcredit.codes.models import EnterpriseCode
from parkcredit.enterprises.models import Enterprise

logger = logging.getLogger(__name__)

__all__ = [
    "CodeView",
    "code_access_allowed",
    "code_check",
    "code_current",
    "code_enterprise_for_download",
    "code_for_token",
    "code_history",
    "public_commitments_of",
    "public_records_of",
]


def code_current(enterprise: Enterprise | int) -> EnterpriseCode | None:
    """The enterprise's current code (not revoked, not superseded; may be expired), or None."""
    pk = enterprise.pk if isinstance(enterprise, Enterprise) else enterprise
    return (
        EnterpriseCode.objects.filter(enterprise_id=pk, revoked_at__isnull=True, superseded_at__isnull=True)
        .select_related("enterprise")
        .first()
    )


def code_for_token(token: str) -> EnterpriseCode | None:
    """The code row holding exactly this token, or None."""
    if not token or len(token) > 200:
        return None
    return EnterpriseCode.objects.filter(token=token).select_related("enterprise", "superseded_by").first()


def code_history(enterprise: Enterprise) -> QuerySet[EnterpriseCode]:
    return EnterpriseCode.objects.filter(enterprise=enterprise).order_by("-issued_at", "-id")


def code_access_allowed(actor: Any, enterprise_pk: int) -> bool:
    """Whether `actor` may see and download the code of enterprise `enterprise_pk`.

    Park staff and the enterprise's own users; never banks, even with consent (they verify a
    code like anybody else, by scanning it). Whether the enterprise exists is not checked here.
    """
    user = actor if getattr(actor, "is_authenticated", False) and getattr(actor, "is_active", False) else None
    return user is not None and (
        user.role in PARK_ROLES or (user.role == Role.ENTERPRISE and user.enterprise_id == enterprise_pk)
    )


def code_enterprise_for_download(actor: Any, pk: int) -> Enterprise:
    """The enterprise `pk` if `actor` may download its code (see `code_access_allowed`).

    Everyone else gets Http404, as for a missing enterprise. The row comes from the actor's
    archive scope (`visible_to`), like every other detail page.
    """
    enterprise = (
        Enterprise.objects.visible_to(actor).filter(pk=pk).first() if code_access_allowed(actor, pk) else None
    )
    if enterprise is None:
        raise Http404(_("企业档案不存在"))
    return enterprise


def database_status(check: TokenCheck, code: EnterpriseCode | None) -> TokenCheck:
    """Narrow a genuine token's offline check by what the database knows about its code."""
    if check.forged:
        return check
    if code is None or code.serial != check.serial or code.enterprise.uscc != check.uscc:
        return with_status(check, codesign.UNKNOWN_CODE)
    if code.revoked_at is not None:
        return with_status(check, codesign.REVOKED)
    if code.superseded_at is not None:
        return with_status(check, codesign.SUPERSEDED)
    return check


@dataclass
class CodeView:
    """Everything the public page shows for one token."""

    check: TokenCheck
    code: EnterpriseCode | None = None
    enterprise: Enterprise | None = None
    newer: EnterpriseCode | None = None
    records: list[Any] | None = None
    commitments: list[Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.check.valid


def code_check(token: str, *, now: datetime | None = None, verifier: Verifier | None = None) -> CodeView:
    """Check `token` offline, then against the database; never raises for a bad token."""
    now = now or timezone.now()
    check = verify_token(token, verifier or park_verifier(), now=now)
    if check.forged:
        return CodeView(check=check)
    code = code_for_token(token)
    check = database_status(check, code)
    view = CodeView(check=check, code=code, enterprise=code.enterprise if code is not None else None)
    if code is not None and check.reason == codesign.SUPERSEDED:
        view.newer = code_current(code.enterprise_id)
    return view


def public_records_of(enterprise: Enterprise) -> list[Any]:
    """Records in their publicity period today (contract R: `.window` on each)."""
    from parkcredit.repair.selectors import public_records

    return list(public_records(enterprise, on=timezone.localdate()))


def public_commitments_of(enterprise: Enterprise) -> list[Any]:
    """Signed public commitments (contract C)."""
    from parkcredit.commitments.selectors import public_commitments

    return list(public_commitments(enterprise))
