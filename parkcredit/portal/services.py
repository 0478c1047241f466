"""Writes of the portal: drafting, filling, publishing and withdrawing red and black lists.

Department staff and park administrators draft lists and edit their entries; only a park
administrator publishes or withdraws. A published list is frozen: its entries cannot change.
Every write is one transaction with its audit entry; bad input raises `ValidationError` naming
the field and the value, and nothing is half-written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.uscc import normalize as normalize_uscc
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, Role
from parkcredit.audit.services import audit_log
from parkcredit.enterprises.models import Enterprise
from parkcredit.portal.models import ListEntry, ListKind, PublishedList
from parkcredit.portal.selectors import list_candidates, public_enterprises

TITLE_MAX = 200
PERIOD_MAX = 64
REASON_MAX = 300


def can_draft_lists(actor: Any) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False) and actor.is_active and actor.role in ARCHIVE_EDITOR_ROLES
    )


def can_publish_lists(actor: Any) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False) and actor.is_active and actor.role == Role.PARK_ADMIN
    )


def _ensure_drafter(actor: Any) -> None:
    if not can_draft_lists(actor):
        raise PermissionDenied(_("只有园区管理员和部门工作人员可以起草红黑名单"))


def _ensure_publisher(actor: Any) -> None:
    if not can_publish_lists(actor):
        raise PermissionDenied(_("只有园区管理员可以发布或撤回红黑名单"))


def _ensure_draft(published_list: PublishedList) -> None:
    if not published_list.is_draft:
        raise ValidationError(
            _("名单「%(title)s」%(state)s,不能再修改")
            % {"title": published_list.title, "state": published_list.get_state_display()}
        )


def _required_text(field: str, label: str, value: Any, max_length: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: _("%(label)s必须填写") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("%(label)s「%(value)s…」过长(最多 %(max)s 个字)")
                % {"label": label, "value": text[:20], "max": max_length}
            }
        )
    return text


def list_create(*, actor: Any, kind: str, title: str, period: str, note: str = "") -> PublishedList:
    """Draft a new red or black list."""
    _ensure_drafter(actor)
    if kind not in ListKind.values:
        raise ValidationError({"kind": _("名单类型「%(value)s」无效,应为 red 或 black") % {"value": kind}})
    clean_title = _required_text("title", _("标题"), title, TITLE_MAX)
    clean_period = _required_text("period", _("所属期间"), period, PERIOD_MAX)
    with transaction.atomic():
        published_list = PublishedList.objects.create(
            kind=kind, title=clean_title, period=clean_period, note=str(note or "").strip(), created_by=actor
        )
        audit_log(
            actor=actor,
            action="portal.list_create",
            obj=published_list,
            detail={"kind": kind, "title": clean_title, "period": clean_period},
        )
    return published_list


def _add(*, actor: Any, published_list: PublishedList, enterprise: Enterprise, reason: str) -> ListEntry:
    entry = ListEntry.objects.create(
        published_list=published_list, enterprise=enterprise, reason=reason, added_by=actor
    )
    audit_log(
        actor=actor,
        action="portal.list_entry_add",
        obj=entry,
        detail={
            "list": published_list.pk,
            "enterprise": enterprise.pk,
            "uscc": enterprise.uscc,
            "reason": reason,
        },
    )
    return entry


def list_entry_add(*, actor: Any, published_list: PublishedList, uscc: str, reason: str) -> ListEntry:
    """Put one park enterprise (by USCC) on a draft list with the reason to publish."""
    _ensure_drafter(actor)
    clean_reason = _required_text("reason", _("列入理由"), reason, REASON_MAX)
    code = normalize_uscc(str(uscc or ""))
    try:
        enterprise = public_enterprises().get(uscc=code)
    except Enterprise.DoesNotExist:
        raise ValidationError(
            {"uscc": _("统一社会信用代码「%(value)s」不是园区企业档案中的企业") % {"value": code}}
        ) from None
    with transaction.atomic():
        locked = PublishedList.objects.select_for_update().get(pk=published_list.pk)
        _ensure_draft(locked)
        if locked.entries.filter(enterprise=enterprise).exists():
            raise ValidationError(
                {"uscc": _("「%(name)s」(%(value)s)已在本名单中") % {"name": enterprise.name, "value": code}}
            )
        return _add(actor=actor, published_list=locked, enterprise=enterprise, reason=clean_reason)


def list_entry_remove(*, actor: Any, entry: ListEntry) -> None:
    """Take one enterprise off a draft list."""
    _ensure_drafter(actor)
    with transaction.atomic():
        locked = PublishedList.objects.select_for_update().get(pk=entry.published_list_id)
        _ensure_draft(locked)
        audit_log(
            actor=actor,
            action="portal.list_entry_remove",
            obj=entry,
            detail={"list": locked.pk, "enterprise": entry.enterprise_id},
        )
        entry.delete()


def list_fill_suggested(
    *, actor: Any, published_list: PublishedList, enterprise_ids: Iterable[int] | None = None
) -> int:
    """Add the grade-based candidates (`selectors.list_candidates`) to a draft, all of them or
    those in `enterprise_ids`; returns how many were added. Staff review and prune afterwards."""
    _ensure_drafter(actor)
    chosen = None if enterprise_ids is None else {int(pk) for pk in enterprise_ids}
    with transaction.atomic():
        locked = PublishedList.objects.select_for_update().get(pk=published_list.pk)
        _ensure_draft(locked)
        added = 0
        for candidate in list_candidates(locked):
            if chosen is not None and candidate.enterprise.pk not in chosen:
                continue
            _add(
                actor=actor,
                published_list=locked,
                enterprise=candidate.enterprise,
                reason=candidate.reason[:REASON_MAX],
            )
            added += 1
    return added


def list_publish(*, actor: Any, published_list: PublishedList) -> PublishedList:
    """Publish a draft on the public portal; an empty list is refused."""
    _ensure_publisher(actor)
    with transaction.atomic():
        locked = PublishedList.objects.select_for_update().get(pk=published_list.pk)
        _ensure_draft(locked)
        count = locked.entries.count()
        if count == 0:
            raise ValidationError(_("名单「%(title)s」还没有企业,不能发布") % {"title": locked.title})
        locked.published_at = timezone.now()
        locked.published_by = actor
        locked.save(update_fields=["published_at", "published_by"])
        audit_log(
            actor=actor,
            action="portal.list_publish",
            obj=locked,
            detail={"entries": count, "kind": locked.kind},
        )
    return locked


def list_withdraw(*, actor: Any, published_list: PublishedList, reason: str) -> PublishedList:
    """Take a published list off the portal, with the reason (kept, not shown to the public)."""
    _ensure_publisher(actor)
    clean_reason = _required_text("reason", _("撤回原因"), reason, REASON_MAX)
    with transaction.atomic():
        locked = PublishedList.objects.select_for_update().get(pk=published_list.pk)
        if locked.published_at is None or locked.withdrawn_at is not None:
            raise ValidationError(
                _("名单「%(title)s」%(state)s,只能撤回已发布的名单")
                % {"title": locked.title, "state": locked.get_state_display()}
            )
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = actor
        locked.withdrawn_reason = clean_reason
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        audit_log(actor=actor, action="portal.list_withdraw", obj=locked, detail={"reason": clean_reason})
    return locked
