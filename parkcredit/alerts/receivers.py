"""Grade downgrades raise alerts as soon as a scoring run commits its scores."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from parkcredit.scoring.signals import grades_changed


@receiver(grades_changed, dispatch_uid="alerts.grades_changed")
def on_grades_changed(sender: Any, changes: list[tuple[int, str | None, str]], **kwargs: Any) -> None:
    from parkcredit.alerts.services import downgrades_apply

    downgrades_apply(changes)
