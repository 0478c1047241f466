"""Absolute addresses for what leaves the platform: QR codes, printed reports, e-mails."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def public_url(path: str, request: Any = None) -> str:
    """The absolute address of a platform path as someone outside should open it.

    The configured PUBLIC_BASE_URL wins: staff often reach the platform at an intranet address that a
    bank scanning a plaque or a report could not open. Without it, the address the requester used;
    with neither (commands, background jobs), the bare path.
    """
    base = str(settings.PUBLIC_BASE_URL or "").rstrip("/")
    if not path.startswith("/"):
        return path
    if base:
        return base + path
    if request is not None:
        return str(request.build_absolute_uri(path))
    return path
