"""Reads of the codes app: current codes, token look-up, the public verification view model.

`code_check(token)` is what the public page and `parkcredit code verify` show: the offline
signature and validity check (`token_check`: `creditcore.codesign.verify_token` with the signature
check remembered per key), then, for a genuine token, what the park's database knows (revoked,
superseded by a newer code, unknown). `code_page_stamp(token)` condenses everything the public
page shows from the database into one row, read by one query (the page cache's key, see
`parkcredit.codes.pagecache`); `current_code_stamp` is the part other stamped pages that link
to an enterprise's current code put in their stamps.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore import codesign
from creditcore.codesign import CodeClaims, TokenCheck, TokenError, Verifier, with_status
from parkcredit.accounts.models import PARK_ROLES, Role
from parkcredit.codes.keys import park_verifier
from parkcredit.codes.models import EnterpriseCode
from parkcredit.codes.stamp import code_page_stamp, current_code_stamp
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
    "code_page_stamp",
    "current_code_stamp",
    "public_commitments_of",
    "public_records_of",
    "token_check",
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


# Signature checks remembered per verifier object (the park's verifier lives as long as its key
# file is unchanged, see `parkcredit.codes.keys`): token -> claims, or the forgery reason. A
# token's signature is good or bad for ever under one key, so only the first scan of a token in a
# process pays for the SM2 verification. Bounded, so a flood of made-up tokens costs no memory.
SIGNATURE_MEMO_SIZE = 4096
_signatures: weakref.WeakKeyDictionary[Any, OrderedDict[str, CodeClaims | str]] = weakref.WeakKeyDictionary()
_signatures_lock = threading.Lock()


def _signature_outcome(token: str, verifier: Verifier) -> CodeClaims | str:
    """The token's claims if its signature checks out under `verifier`, else the forgery reason."""
    memo: OrderedDict[str, CodeClaims | str] | None
    with _signatures_lock:
        try:
            memo = _signatures.setdefault(verifier, OrderedDict())
        except TypeError:  # a verifier that cannot be weakly referenced: check every time
            memo = None
        outcome = memo.get(token) if memo is not None else None
        if memo is not None and outcome is not None:
            memo.move_to_end(token)
            return outcome
    try:
        outcome = codesign.signature_claims(token, verifier)
    except TokenError as exc:
        outcome = exc.reason
    # Only well-formed tokens are worth remembering: anything else is refused without crypto.
    if memo is not None and len(token) == codesign.TOKEN_BYTES * 4 // 3:
        with _signatures_lock:
            memo[token] = outcome
            if len(memo) > SIGNATURE_MEMO_SIZE:
                memo.popitem(last=False)
    return outcome


def token_check(token: str, *, now: datetime | None = None, verifier: Verifier | None = None) -> TokenCheck:
    """`creditcore.codesign.verify_token` as of `now`, with the signature check remembered."""
    outcome = _signature_outcome(token, verifier or park_verifier())
    if isinstance(outcome, str):
        return codesign.refused(outcome)
    return codesign.claims_check_at(outcome, now=now or timezone.now())


def code_check(token: str, *, now: datetime | None = None, verifier: Verifier | None = None) -> CodeView:
    """Check `token` offline, then against the database; never raises for a bad token."""
    now = now or timezone.now()
    check = token_check(token, now=now, verifier=verifier)
    if check.forged:
        return CodeView(check=check)
    code = code_for_token(token)
    check = database_status(check, code)
    view = CodeView(check=check, code=code, enterprise=code.enterprise if code is not None else None)
    if code is not None and check.reason == codesign.SUPERSEDED:
        view.newer = code_current(code.enterprise_id)
    return view


def public_records_of(enterprise: Enterprise, *, on: date | None = None) -> list[Any]:
    """Records in their publicity period on `on`, default today (contract R: `.window` on each)."""
    from parkcredit.repair.selectors import public_records

    return list(public_records(enterprise, on=on or timezone.localdate()))


def public_commitments_of(enterprise: Enterprise) -> list[Any]:
    """Signed public commitments (contract C)."""
    from parkcredit.commitments.selectors import public_commitments

    return list(public_commitments(enterprise))
