"""Writes for notifications. `notify` is the one door every message goes through.

It always files the message in each recipient's inbox, inside the caller's transaction, and
queues one delivery per matching e-mail/robot subscription. Those are sent after the commit by a
background task (`django.tasks`), so a slow SMTP server or robot never holds up a request, and a
failed delivery is recorded on its `Delivery` row instead of reaching the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from parkcredit.audit.services import audit_log
from parkcredit.notifications.channels import (
    DeliveryError,
    Message,
    check_webhook_url,
    send_email,
    send_webhook,
)
from parkcredit.notifications.models import (
    WEBHOOK_CHANNELS,
    Channel,
    Delivery,
    DeliveryState,
    Notification,
    Severity,
    Subscription,
)

logger = logging.getLogger(__name__)


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    enterprise: Any = None,
    severity: str = "info",
    actor: Any = None,
) -> list[Notification]:
    """File one notification per distinct active recipient and queue its subscribed deliveries.

    `actor` is who caused it (None for the system); the caller audits its own action, so the
    notification itself adds no audit row. Returns the created notifications.
    """
    if severity not in Severity.values:
        raise ValueError(_("通知级别 %(value)s 无效,应为 info、warning 或 critical") % {"value": severity})
    users: dict[int, Any] = {}
    for user in recipients:
        if user is not None and getattr(user, "is_active", False) and user.pk not in users:
            users[user.pk] = user
    if not users:
        return []
    enterprise_id = getattr(enterprise, "pk", enterprise)
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind[:64],
                title=title[:200],
                body=body,
                link=link[:500],
                enterprise_id=enterprise_id,
                severity=severity,
            )
            for pk in users
        ]
    )
    subscriptions = Subscription.objects.filter(user_id__in=list(users), enabled=True)
    by_user: dict[int, list[Subscription]] = {}
    for sub in subscriptions:
        by_user.setdefault(sub.user_id, []).append(sub)
    deliveries = [
        Delivery(notification=row, subscription=sub, channel=sub.channel)
        for row in rows
        for sub in by_user.get(row.recipient_id, ())
        if sub.wants(kind, severity)
    ]
    if deliveries:
        created = Delivery.objects.bulk_create(deliveries)
        ids = [d.pk for d in created]
        transaction.on_commit(lambda: deliveries_enqueue(ids), robust=True)
    return rows


def deliveries_enqueue(delivery_ids: Sequence[int]) -> None:
    """Hand deliveries to the task queue; if the queue refuses they stay pending for `notifications send`."""
    from parkcredit.notifications.tasks import notifications_deliver_task

    try:
        notifications_deliver_task.enqueue(delivery_ids=list(delivery_ids))
    except Exception:
        logger.exception("could not enqueue %d notification deliveries", len(delivery_ids))


def _message(note: Notification) -> Message:
    return Message(
        title=note.title, body=note.body, link=note.link, severity_label=str(note.get_severity_display())
    )


def _delivery_claim(delivery: Delivery) -> bool:
    """Take the delivery for this worker: bump its attempt count only if nobody has since the row
    was read. The on-commit task and a `notifications send` run may hold the same pending row; only
    the one whose update matches sends it, so a robot or mailbox never gets the message twice."""
    claimed = Delivery.objects.filter(
        pk=delivery.pk, state=delivery.state, attempts=delivery.attempts
    ).update(attempts=F("attempts") + 1)
    if claimed:
        delivery.attempts += 1
    return bool(claimed)


def delivery_send(delivery: Delivery) -> bool | None:
    """Send one delivery through its channel and record the outcome; never raises for channel errors.

    Returns True when sent, False when it failed, None when another worker had already taken it.
    """
    if not _delivery_claim(delivery):
        return None
    sub = delivery.subscription
    try:
        if sub is None:
            raise DeliveryError(_("订阅已删除"))
        message = _message(delivery.notification)
        if delivery.channel == Channel.EMAIL:
            send_email(sub.address, message)
        elif delivery.channel in WEBHOOK_CHANNELS:
            send_webhook(delivery.channel, sub.address, message, secret=sub.secret)
        else:
            raise DeliveryError(_("未知渠道 %(channel)s") % {"channel": delivery.channel})
    except DeliveryError as exc:
        delivery.state = DeliveryState.FAILED
        delivery.error = str(exc)[:2000]
        logger.warning("notification delivery %s failed: %s", delivery.pk, exc)
    else:
        delivery.state = DeliveryState.SENT
        delivery.error = ""
        delivery.sent_at = timezone.now()
    delivery.save(update_fields=["state", "error", "sent_at", "attempts"])
    return delivery.state == DeliveryState.SENT


def deliveries_send(
    delivery_ids: Sequence[int] | None = None, *, retry_failed: bool = False, max_attempts: int = 5
) -> dict[str, int]:
    """Send the given deliveries (or every pending one); returns counts of sent and failed (rows
    another worker took meanwhile are in neither)."""
    states = [DeliveryState.PENDING, DeliveryState.FAILED] if retry_failed else [DeliveryState.PENDING]
    rows = Delivery.objects.filter(state__in=states, attempts__lt=max_attempts).select_related(
        "notification", "subscription"
    )
    if delivery_ids is not None:
        rows = rows.filter(pk__in=list(delivery_ids))
    counts = {"sent": 0, "failed": 0}
    for delivery in rows.order_by("pk"):
        outcome = delivery_send(delivery)
        if outcome is not None:
            counts["sent" if outcome else "failed"] += 1
    return counts


def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (no-op when it already is)."""
    if notification.recipient_id != actor.pk:
        raise ValidationError(_("只能标记自己的通知"))
    if notification.read_at is None:
        with transaction.atomic():
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
            audit_log(actor=actor, action="notifications.read", obj=notification)
    return notification


def notifications_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of the actor read; returns how many changed."""
    with transaction.atomic():
        count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if count:
            audit_log(actor=actor, action="notifications.read_all", detail={"count": count})
    return count


def subscription_create(
    *,
    actor: Any,
    channel: str,
    address: str,
    kinds: Sequence[str] = (),
    min_severity: str = Severity.INFO,
    secret: str = "",
) -> Subscription:
    """Subscribe the actor to a channel; bad addresses are refused with the field named."""
    address = address.strip()
    if channel not in Channel.values:
        raise ValidationError({"channel": _("渠道 %(value)s 无效") % {"value": channel}})
    if min_severity not in Severity.values:
        raise ValidationError({"min_severity": _("级别 %(value)s 无效") % {"value": min_severity}})
    if channel == Channel.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                {"address": _("电子邮件地址 %(value)s 格式不正确") % {"value": address}}
            ) from None
    else:
        try:
            check_webhook_url(address)
        except DeliveryError as exc:
            raise ValidationError({"address": str(exc)}) from None
    clean_kinds = sorted({k.strip() for k in kinds if k.strip()})
    with transaction.atomic():
        sub = Subscription.objects.create(
            user=actor,
            channel=channel,
            address=address,
            kinds=clean_kinds,
            min_severity=min_severity,
            secret=secret.strip(),
        )
        audit_log(
            actor=actor,
            action="notifications.subscribe",
            obj=sub,
            detail={"channel": channel, "kinds": clean_kinds, "min_severity": min_severity},
        )
    return sub


def subscription_delete(*, actor: Any, subscription: Subscription) -> None:
    """Remove one of the actor's subscriptions."""
    if subscription.user_id != actor.pk:
        raise ValidationError(_("只能删除自己的订阅"))
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="notifications.unsubscribe",
            obj=subscription,
            detail={"channel": subscription.channel},
        )
        subscription.delete()
