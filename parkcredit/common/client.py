"""Request helpers shared by every app."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client address recorded in audit entries and counted by the login lock-out.

    Only REMOTE_ADDR is trusted: a forwarded-for header is set by the client and would let an
    attacker pick a fresh address for every guess. Behind a reverse proxy, the WSGI server must
    be told which proxy to trust so that REMOTE_ADDR is the visitor's address.
    """
    return request.META.get("REMOTE_ADDR") or None
