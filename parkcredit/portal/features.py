"""The portal's links to features other apps provide: codes, repair rules, commitments,
notifications and reports.

Each is imported lazily and only when its app is installed, so the portal works (and shows
less) on a deployment without it, and no import cycle arises at start-up. Every function here is
a thin call of the other app's published contract (see docs/portal.md).
"""

from __future__ import annotations

import importlib
import importlib.util
from datetime import date
from types import ModuleType
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse


def installed(app: str) -> bool:
    return apps.is_installed(f"parkcredit.{app}")


def contract(app: str, module: str) -> ModuleType | None:
    """`parkcredit.<app>.<module>` when the app is installed and provides that module, else None.

    Only a missing module counts as "feature absent"; an error inside an existing module is
    raised, so a broken contract never hides behind an empty section.
    """
    if not installed(app):
        return None
    name = f"parkcredit.{app}.{module}"
    if importlib.util.find_spec(name) is None:
        return None
    return importlib.import_module(name)


def current_code(enterprise: Any) -> Any | None:
    """The enterprise's current code (contract S), None without one or without the codes app."""
    codes = contract("codes", "selectors")
    return None if codes is None else codes.code_current(enterprise)


def public_records(enterprise: Any, *, on: date | None = None) -> list[Any]:
    """Records the public may see on `on` (default today), each with `.window` (contract R); none
    without the repair app, because without its publicity rules nothing can be shown safely."""
    repair = contract("repair", "selectors")
    return [] if repair is None else list(repair.public_records(enterprise, on=on))


def record_windows(records: list[Any]) -> dict[int, Any]:
    """Publicity end and earliest repair date per record pk (contract R; one read of the rule
    book for all of them); empty without the repair app."""
    repair = contract("repair", "selectors")
    if repair is None or not records:
        return {}
    return dict(repair.record_windows(records))


def public_commitments(enterprise: Any) -> list[Any]:
    """Signed public commitments of the enterprise (contract C)."""
    commitments = contract("commitments", "selectors")
    return [] if commitments is None else list(commitments.public_commitments(enterprise))


def notifications_of(user: Any, *, latest: int) -> tuple[int, list[Any]] | None:
    """(unread count, the latest few notifications) of the user (contract N), None without the app."""
    notifications = contract("notifications", "selectors")
    if notifications is None:
        return None
    from parkcredit.notifications.models import Notification

    rows = list(Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:latest])
    return notifications.unread_count(user), rows


def url_or_empty(name: str, **kwargs: Any) -> str:
    """The URL of a page another app provides, or "" when that app is not installed."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""
