"""Function-level access for views (ASVS 8.2.1): which roles may open a page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from parkcredit.audit.services import audit_log
from parkcredit.common.client import client_ip

ViewFunc = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Anonymous visitors go to the login page; signed-in users of other roles get 403.

    Refusals are audited (ASVS 16.3.2), so probing for administrator pages leaves a trace.
    """
    allowed = frozenset(roles)

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.role not in allowed:
                with transaction.atomic():
                    audit_log(
                        actor=user,
                        action="access.denied",
                        detail={"path": request.path},
                        ip=client_ip(request),
                        outcome="denied",
                    )
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
