"""Template context shared by every page: the park name and the role-aware navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from parkcredit.common.navigation import navigation_for, navigation_menu


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {
        "PARK_NAME": settings.PARK_NAME,
        "nav_items": navigation_for(request.user),
        "nav_menu": navigation_menu(request.user),
    }
