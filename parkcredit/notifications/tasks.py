"""Background delivery of notifications to e-mail and group robots."""

from __future__ import annotations

from django.tasks import task

from parkcredit.notifications.services import deliveries_send


@task
def notifications_deliver_task(delivery_ids: list[int]) -> dict[str, int]:
    """Send the listed deliveries outside the request that created them."""
    return deliveries_send(delivery_ids)
