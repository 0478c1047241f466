"""Reads for the account pages: users, failed logins, current lock-outs, API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, QuerySet
from django.http import Http404
from django.utils import timezone

from parkcredit.accounts.lockout import LockoutPolicy, ip_locked_until, username_locked_until
from parkcredit.accounts.models import ApiToken, LockoutScope, LoginAttempt, User

# During a credential-stuffing wave thousands of names fail; the page checks the newest ones.
_LOCK_CANDIDATES = 200


@dataclass(frozen=True)
class Lock:
    """A username or client address that is locked now, and until when."""

    scope: str
    value: str
    until: datetime

    @property
    def scope_label(self) -> str:
        return str(LockoutScope(self.scope).label)


def failed_login_list(*, limit: int = 50) -> QuerySet[LoginAttempt]:
    """The most recent failed login attempts, newest first."""
    return LoginAttempt.objects.filter(succeeded=False).order_by("-at")[:limit]


def _recent_values(field: str, since: datetime, min_failures: int) -> list[str]:
    """Usernames or addresses with enough recent failures to be locked, most recent first.

    One grouped query: only values with at least `min_failures` failures in the look-back window
    can be locked, so a credential-stuffing wave of one-off names costs nothing per name.
    """
    rows = (
        LoginAttempt.objects.filter(succeeded=False, at__gte=since)
        .exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(failures=Count("id"), last=Max("at"))
        .filter(failures__gte=min_failures)
        .order_by("-last")
        .values_list(field, flat=True)
    )
    return list(rows[:_LOCK_CANDIDATES])


def lock_list(*, now: datetime | None = None) -> list[Lock]:
    """Usernames and client addresses locked now, the longest lock first."""
    now = now or timezone.now()
    policy = LockoutPolicy.from_settings()
    since = now - policy.lookback
    locks: list[Lock] = []
    for name in _recent_values("username", since, policy.max_failures):
        until = username_locked_until(name, now=now, policy=policy)
        if until is not None:
            locks.append(Lock(LockoutScope.USERNAME, name, until))
    for ip in _recent_values("ip", since, policy.max_failures):
        until = ip_locked_until(ip, now=now, policy=policy)
        if until is not None:
            locks.append(Lock(LockoutScope.IP, ip, until))
    return sorted(locks, key=lambda lock: lock.until, reverse=True)


def user_list() -> QuerySet[User]:
    """Every account with its organisation, for the system administrator."""
    return User.objects.select_related("organisation").order_by("username")


def user_get(*, pk: int) -> User:
    try:
        return User.objects.select_related("organisation").get(pk=pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc


def api_token_list_for(user: User) -> QuerySet[ApiToken]:
    """A user's own tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def api_token_get_for_actor(actor: User, pk: int) -> ApiToken:
    """One of the actor's own tokens; 404 for missing and for someone else's alike."""
    try:
        return ApiToken.objects.select_related("user").get(pk=pk, user=actor)
    except ApiToken.DoesNotExist as exc:
        raise Http404 from exc
