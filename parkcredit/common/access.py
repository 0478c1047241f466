"""Every refused request leaves an audit trace (ASVS 16.3.2), whichever check refused it."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from parkcredit.audit.services import audit_log
from parkcredit.common.client import client_ip


class AccessDeniedAuditMiddleware:
    """Audits `PermissionDenied` raised by any view, then lets Django answer with its 403 page.

    Views check access in several ways (the `role_required` decorator, a role test in the view,
    a service refusing the actor); auditing here, once, covers them all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, PermissionDenied):
            user = getattr(request, "user", None)
            audit_log(
                actor=user,
                action="access.denied",
                detail={"path": request.path, "method": request.method},
                ip=client_ip(request),
                outcome="denied",
            )
