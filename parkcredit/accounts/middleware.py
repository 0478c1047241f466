"""Idle session expiry and forced password change (等保 CES1-01/02, ASVS 7.3.1).

Runs after AuthenticationMiddleware. Signed-in requests refresh a last-activity time in the
session; a session idle for longer than SESSION_IDLE_SECONDS is deleted on the server and the
person is sent to the login page. A user whose password is due is kept on the password change
page until they change it.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parkcredit.accounts.services import LAST_ACTIVITY_KEY, password_expired
from parkcredit.audit.services import audit_log
from parkcredit.common.client import client_ip
from parkcredit.common.htmx import is_htmx

# The JSON API answers with a status code, never with a redirect to an HTML page.
API_PREFIX = "/api/"
# Automatic requests (htmx polling of a progress bar) send this header so an unattended page
# does not keep its session alive for ever: `hx-headers='{"X-Passive-Request": "1"}'`.
PASSIVE_HEADER = "X-Passive-Request"
# Writing the session on every request costs a database write; a coarser clock is enough.
_ACTIVITY_RESOLUTION = 15


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if is_htmx(request):
        # htmx would swap a redirected page into a fragment; HX-Redirect makes it navigate.
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class IdleSessionMiddleware:
    """End idle sessions; hold users with a due password on the password change page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)

        now = int(timezone.now().timestamp())
        last = request.session.get(LAST_ACTIVITY_KEY)
        if isinstance(last, int) and now - last > settings.SESSION_IDLE_SECONDS:
            return self._expire(request, idle_seconds=now - last)
        passive = request.headers.get(PASSIVE_HEADER) == "1"
        if not isinstance(last, int) or (not passive and now - last >= _ACTIVITY_RESOLUTION):
            request.session[LAST_ACTIVITY_KEY] = now

        if password_expired(user) and not self._allowed_while_expired(request.path):
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"detail": _("密码已过期,请先在网页上修改密码")}, status=403)
            query = urlencode({"next": request.get_full_path()}) if not is_htmx(request) else ""
            url = reverse("accounts:password_change") + (f"?{query}" if query else "")
            return _redirect(request, url)
        return self.get_response(request)

    def _expire(self, request: HttpRequest, *, idle_seconds: int) -> HttpResponse:
        user = request.user
        audit_log(
            actor=user,
            action="auth.session_expired",
            detail={"username": user.get_username(), "idle_seconds": idle_seconds},
            ip=client_ip(request),
            outcome="expired",
        )
        # logout() flushes the session server-side, so the old cookie is worthless afterwards.
        logout(request)
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": _("会话已超时,请重新登录")}, status=401)
        params = {"reason": "idle"}
        if request.method == "GET" and not is_htmx(request):
            params["next"] = request.get_full_path()
        return _redirect(request, reverse("accounts:login") + "?" + urlencode(params))

    @staticmethod
    def _allowed_while_expired(path: str) -> bool:
        exempt = (
            reverse("accounts:password_change"),
            reverse("accounts:logout"),
        )
        return path in exempt or path.startswith(settings.STATIC_URL)
