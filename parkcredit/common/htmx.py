"""Small helpers for views that answer both full-page and htmx requests."""

from __future__ import annotations

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """True for an htmx request that wants a fragment.

    A history-restore request (the browser's back button after the cache was evicted) also
    carries HX-Request but needs the whole page, so it counts as a full-page request.
    """
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"
