"""Writes of the codes app: issue, re-issue and revoke enterprise codes, each audited.

Issuing signs a new token with the park key (`parkcredit.codes.keys.park_signer`) for the
enterprise's current grade and supersedes its previous current code in the same transaction.
Codes are issued by park staff who keep the archive, or by the system (`actor=None`: the
grade-change receiver, the demo loader, `parkcredit code issue`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.codesign import CodeClaims, TokenError, token_encode, uscc_pack
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES
from parkcredit.audit.services import audit_log
from parkcredit.codes.keys import park_signer
from parkcredit.codes.models import EnterpriseCode
from parkcredit.enterprises.models import Enterprise
from parkcredit.scoring.models import Score

REVOKE_REASON_MAX = 500
# Enterprises per insert/update batch (keeps every IN list far below SQLite's parameter limit).
BATCH = 500

__all__ = ["can_manage_codes", "code_issue", "code_issue_many", "code_reissue_on_grade_change", "code_revoke"]


def can_manage_codes(actor: Any) -> bool:
    """Park staff who keep the archive may issue and revoke codes; None is the system."""
    if actor is None:
        return True
    return (
        getattr(actor, "is_authenticated", False)
        and getattr(actor, "is_active", False)
        and getattr(actor, "role", None) in ARCHIVE_EDITOR_ROLES
    )


def validity_period() -> timedelta:
    days = int(getattr(settings, "CODE_VALIDITY_DAYS", 365))
    if days < 1:
        raise ValidationError(
            {"CODE_VALIDITY_DAYS": _("信用码有效期 %(d)s 天无效,至少为 1 天") % {"d": days}}
        )
    return timedelta(days=days)


def uscc_problem(enterprise: Enterprise) -> str | None:
    """Why this enterprise's USCC cannot go into a token (None when it can)."""
    try:
        uscc_pack(enterprise.uscc)
    except TokenError as exc:
        return str(exc)
    return None


def _lock_enterprises(ids: Iterable[int]) -> None:
    """Lock the enterprises' rows (in pk order) until the transaction ends.

    Issues for the same enterprise then run one after the other, each reading the score and the
    current code only once it holds the lock. Locking the current codes alone is not enough: with
    no current code there is nothing to lock, and a second issue that waited on the old code no
    longer sees it once the first commits; both would insert a current code and the second would
    fail on the one-current-code constraint (or sign the grade it read before the wait).
    """
    list(Enterprise.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk").values_list("pk"))


def _issue(*, actor: Any, items: list[tuple[Enterprise, Score]], now: datetime) -> list[EnterpriseCode]:
    """Create, sign and save one code per (enterprise, score); supersede their current codes.

    The caller holds the transaction and has locked the enterprises (`_lock_enterprises`) before
    reading their scores. A few queries per batch, whatever its size: rows are
    inserted in bulk, then signed (the token carries the primary key as serial number) and
    updated in bulk. One audit entry per call.
    """
    if not items:
        return []
    signer = park_signer()
    period = validity_period()
    ids = [enterprise.pk for enterprise, _score in items]
    previous = {
        code.enterprise_id: code
        for code in EnterpriseCode.objects.select_for_update().filter(
            enterprise_id__in=ids, revoked_at__isnull=True, superseded_at__isnull=True
        )
    }
    if previous:
        # Free the "one current code" slot before the new rows exist.
        EnterpriseCode.objects.filter(pk__in=[code.pk for code in previous.values()]).update(
            superseded_at=now
        )
    user = actor if getattr(actor, "is_authenticated", False) else None
    issued_at = now.replace(microsecond=0)
    codes = EnterpriseCode.objects.bulk_create(
        [
            EnterpriseCode(
                enterprise=enterprise,
                grade=score.grade,
                colour=score.colour,
                score=score,
                issued_at=issued_at,
                valid_until=issued_at + period,
                issued_by=user,
                key_id=signer.key_id.hex(),
            )
            for enterprise, score in items
        ]
    )
    for code, (enterprise, _score) in zip(codes, items, strict=True):
        code.serial = code.pk
        code.token = token_encode(
            CodeClaims(
                uscc=enterprise.uscc,
                serial=code.pk,
                grade=code.grade,
                issued_at=issued_at,
                valid_until=code.valid_until,
            ),
            signer,
        )
    EnterpriseCode.objects.bulk_update(codes, ["serial", "token"])
    replaced = []
    for code in codes:
        old = previous.get(code.enterprise_id)
        if old is not None:
            old.superseded_by = code
            replaced.append(old)
    if replaced:
        EnterpriseCode.objects.bulk_update(replaced, ["superseded_by"])
    if len(codes) == 1:
        code = codes[0]
        old = previous.get(code.enterprise_id)
        audit_log(
            actor=actor,
            action="codes.issued",
            obj=code,
            detail={
                "enterprise": code.enterprise_id,
                "serial": code.serial,
                "grade": code.grade,
                "valid_until": code.valid_until.isoformat(),
                "supersedes": old.serial if old is not None else None,
            },
        )
    else:
        grades: dict[str, int] = {}
        for code in codes:
            grades[code.grade] = grades.get(code.grade, 0) + 1
        audit_log(
            actor=actor,
            action="codes.issued_batch",
            object_type="codes.enterprisecode",
            detail={
                "count": len(codes),
                "serials": [codes[0].serial, codes[-1].serial],
                "grades": grades,
                "superseded": len(replaced),
                "valid_until": codes[0].valid_until.isoformat(),
            },
        )
    return codes


def _current_score(enterprise: Enterprise) -> Score:
    score = Score.objects.filter(enterprise=enterprise, is_current=True).first()
    if score is None:
        raise ValidationError(
            {"enterprise": _("企业「%(name)s」还没有信用评分,不能签发信用码") % {"name": enterprise.name}}
        )
    return score


def _refuse_unless_manager(actor: Any, message: str) -> None:
    if not can_manage_codes(actor):
        raise PermissionDenied(message)


def code_issue(*, actor: Any, enterprise: Enterprise) -> EnterpriseCode:
    """Issue a new code for the enterprise's current grade; its previous code becomes superseded.

    Raises PermissionDenied for actors other than archive staff or the system, and
    ValidationError when the enterprise has no current score or a USCC that cannot be signed.
    """
    _refuse_unless_manager(actor, _("只有园区管理员或部门工作人员可以签发信用码"))
    problem = uscc_problem(enterprise)
    if problem:
        raise ValidationError(
            {
                "enterprise": _("企业「%(name)s」无法签发信用码:%(error)s")
                % {"name": enterprise.name, "error": problem}
            }
        )
    with transaction.atomic():
        _lock_enterprises([enterprise.pk])
        score = _current_score(enterprise)
        return _issue(actor=actor, items=[(enterprise, score)], now=timezone.now())[0]


def code_issue_many(*, actor: Any, enterprises: Iterable[Enterprise]) -> list[EnterpriseCode]:
    """Issue codes for every enterprise given that has a current score and a signable USCC.

    The others are skipped (compare the result's enterprise ids with the input). One
    transaction; rows are written in batches of `BATCH`.
    """
    _refuse_unless_manager(actor, _("只有园区管理员或部门工作人员可以签发信用码"))
    wanted = [enterprise for enterprise in enterprises if uscc_problem(enterprise) is None]
    issued: list[EnterpriseCode] = []
    with transaction.atomic():
        now = timezone.now()
        for start in range(0, len(wanted), BATCH):
            chunk = wanted[start : start + BATCH]
            _lock_enterprises(e.pk for e in chunk)
            scores = {
                s.enterprise_id: s
                for s in Score.objects.filter(is_current=True, enterprise_id__in=[e.pk for e in chunk])
            }
            items = [(e, scores[e.pk]) for e in chunk if e.pk in scores]
            issued.extend(_issue(actor=actor, items=items, now=now))
    return issued


def code_reissue_on_grade_change(*, changes: Iterable[tuple[int, str | None, str]]) -> list[EnterpriseCode]:
    """Re-issue the current code of each enterprise whose grade changed (system action).

    Only enterprises that hold a current code whose grade differs from the new grade get one: a
    revoked code stays revoked until staff re-issue it, and codes are never issued unasked.
    """
    ids = sorted({int(enterprise_id) for enterprise_id, _old, _new in changes})
    issued: list[EnterpriseCode] = []
    with transaction.atomic():
        now = timezone.now()
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            _lock_enterprises(chunk)
            current = EnterpriseCode.objects.filter(
                enterprise_id__in=chunk, revoked_at__isnull=True, superseded_at__isnull=True
            ).select_related("enterprise")
            scores = {
                s.enterprise_id: s for s in Score.objects.filter(is_current=True, enterprise_id__in=chunk)
            }
            items = [
                (code.enterprise, scores[code.enterprise_id])
                for code in current
                if code.enterprise_id in scores and scores[code.enterprise_id].grade != code.grade
            ]
            issued.extend(_issue(actor=None, items=items, now=now))
    return issued


def code_revoke(*, actor: Any, code: EnterpriseCode, reason: str) -> EnterpriseCode:
    """Revoke a current code (reason required); its page then warns "revoked" with the reason."""
    _refuse_unless_manager(actor, _("只有园区管理员或部门工作人员可以撤销信用码"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写撤销原因")})
    if len(reason) > REVOKE_REASON_MAX:
        raise ValidationError(
            {
                "reason": _("撤销原因最多 %(n)d 个字,现为 %(len)d 个字")
                % {"n": REVOKE_REASON_MAX, "len": len(reason)}
            }
        )
    with transaction.atomic():
        locked = EnterpriseCode.objects.select_for_update().get(pk=code.pk)
        if locked.revoked_at is not None or locked.superseded_at is not None:
            raise ValidationError(
                {
                    "code": _("信用码 %(serial)s 已失效(已撤销或已被取代),不能再撤销")
                    % {"serial": locked.serial}
                }
            )
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.revoke_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_log(
            actor=actor,
            action="codes.revoked",
            obj=locked,
            detail={"enterprise": locked.enterprise_id, "serial": locked.serial, "reason": reason},
        )
    return locked
