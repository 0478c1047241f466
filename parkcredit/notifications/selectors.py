"""Reads for notifications: a user's inbox, the unread count and who speaks for an enterprise."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from parkcredit.accounts.models import Role, User
from parkcredit.notifications.models import Notification, Subscription


def inbox(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The signed-in user's own notifications, newest first; nobody else's, ever."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient=user).select_related("enterprise")
    return rows.filter(read_at__isnull=True) if unread_only else rows


def unread_count(user: Any) -> int:
    """How many of the user's notifications are still unread (0 for visitors)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get_for_actor(actor: Any, pk: Any) -> Notification:
    """One of the actor's own notifications, or Http404 when missing or someone else's."""
    row = inbox(actor).filter(pk=pk).first()
    if row is None:
        raise Http404(_("通知不存在"))
    return row


def subscriptions_of(user: Any) -> QuerySet[Subscription]:
    """The signed-in user's own delivery subscriptions (none for visitors)."""
    if not getattr(user, "is_authenticated", False):
        return Subscription.objects.none()
    return Subscription.objects.filter(user=user)


def subscription_get_for_actor(actor: Any, pk: Any) -> Subscription:
    """One of the actor's own subscriptions, or Http404 when missing or someone else's."""
    row = subscriptions_of(actor).filter(pk=pk).first()
    if row is None:
        raise Http404(_("订阅不存在"))
    return row


def enterprise_users(enterprise: Any) -> QuerySet[User]:
    """The active enterprise-role accounts of `enterprise`'s organisation: who to tell about it."""
    enterprise_id = getattr(enterprise, "pk", enterprise)
    return User.objects.filter(
        role=Role.ENTERPRISE, is_active=True, organisation__enterprise_id=enterprise_id
    ).order_by("pk")
