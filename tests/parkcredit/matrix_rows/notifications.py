"""Permission-matrix rows for the notification inbox: every signed-in user has their own inbox and
subscriptions; another user's notification or subscription is 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import CAST
from tests.parkcredit.matrix_support import Row, World, everyone


def by_notification(own: bool) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        from parkcredit.notifications.services import notify

        owner = (
            w.users[role]
            if own and role in w.users
            else w.users["ent_b_user" if role != "ent_b_user" else "ent_a_user"]
        )
        return {"pk": notify(recipients=[owner], kind="matrix", title="矩阵通知")[0].pk}

    return kwargs


def by_subscription(own: bool) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        from parkcredit.notifications.models import Subscription

        owner = (
            w.users[role]
            if own and role in w.users
            else w.users["ent_b_user" if role != "ent_b_user" else "ent_a_user"]
        )
        return {"pk": Subscription.objects.create(user=owner, channel="email", address="m@example.cn").pk}

    return kwargs


OWN_OBJECT = {**{role: (302, 404) for role in CAST}, "anon": (302, 302)}

ROWS: tuple[Row, ...] = (
    Row("notifications:inbox", "get", everyone(200)),
    Row("notifications:read_all", "post", everyone(302)),
    Row("notifications:read", "post", OWN_OBJECT, by_notification(True), by_notification(False)),
    Row("notifications:subscriptions", "get", everyone(200)),
    Row(
        "notifications:subscription_delete",
        "post",
        OWN_OBJECT,
        by_subscription(True),
        by_subscription(False),
    ),
)
