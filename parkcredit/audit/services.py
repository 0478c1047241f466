"""The one write path of the audit log."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from creditcore.hashchain import link_hash
from parkcredit.audit.models import AuditChainHead, AuditEntry


def entry_fields(entry: AuditEntry) -> dict[str, Any]:
    """The fields an entry's hash covers, in a form that survives a database round trip."""
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "ip": entry.ip,
        "outcome": entry.outcome,
        "detail": entry.detail,
    }


def audit_key() -> bytes:
    return settings.AUDIT_KEY.encode("utf-8")


def audit_log(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    outcome: str = "success",
) -> AuditEntry:
    """Append one audit entry to the chain.

    Call it inside the transaction of the change it records, so the change and its audit row
    commit or roll back together. `actor` may be a user, None (the system) or an anonymous user
    (e.g. a failed login; then put the attempted name in `detail`).
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user = actor if getattr(actor, "is_authenticated", False) else None
    actor_label = user.get_username() if user is not None else "system" if actor is None else "anonymous"
    with transaction.atomic():
        # The head row comes from a migration; recreating it covers databases flushed by tests.
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor=user,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            ip=ip,
            outcome=outcome,
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        entry.entry_hash = link_hash(audit_key(), entry.prev_hash, entry_fields(entry))
        entry.save(force_insert=True)
        head.last_seq = entry.seq
        head.last_hash = entry.entry_hash
        head.save(update_fields=["last_seq", "last_hash"])
    return entry
