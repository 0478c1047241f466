"""Lock-out arithmetic (等保 CES1-02, ASVS 6.3.1): when is a username or client address locked?

Two counters, one per username and one per client address, are read from `LoginAttempt` rows.
Failures before a successful login (username counter only) or before a security
administrator's release no longer count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, QuerySet

from parkcredit.accounts.models import LockoutRelease, LockoutScope, LoginAttempt


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int
    window: timedelta
    lockout: timedelta

    @classmethod
    def from_settings(cls) -> LockoutPolicy:
        return cls(
            max_failures=settings.LOGIN_MAX_FAILURES,
            window=timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS),
            lockout=timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS),
        )

    @property
    def lookback(self) -> timedelta:
        """How far back a failure can still matter for a lock that has not yet expired."""
        return self.window + self.lockout


def locked_until(failures: Sequence[datetime], *, now: datetime, policy: LockoutPolicy) -> datetime | None:
    """When the lock ends, or None if not locked now.

    `failures` are the counting failure times in ascending order. Every failure that completes
    `max_failures` failures within `window` locks until `lockout` after it. Taking the latest
    such failure, rather than only the very last failure, keeps a lock in force when attempts
    refused during the lock are recorded as failures too.
    """
    if policy.max_failures < 1:
        return None
    until: datetime | None = None
    start = 0
    for end, at in enumerate(failures):
        while failures[start] < at - policy.window:
            start += 1
        if end - start + 1 >= policy.max_failures:
            until = at + policy.lockout
    if until is None or until <= now:
        return None
    return until


def _latest(qs: QuerySet[Any]) -> datetime | None:
    return qs.aggregate(m=Max("at"))["m"]


def _counting_failures(
    qs: QuerySet[LoginAttempt], *, now: datetime, policy: LockoutPolicy, reset: datetime | None
) -> list[datetime]:
    times = (
        qs.filter(succeeded=False, at__gte=now - policy.lookback).order_by("at").values_list("at", flat=True)
    )
    return [t for t in times if reset is None or t > reset]


def username_locked_until(username: str, *, now: datetime, policy: LockoutPolicy) -> datetime | None:
    """Lock end for a username (existing or not), or None."""
    resets = [
        _latest(LoginAttempt.objects.filter(username=username, succeeded=True)),
        _latest(LockoutRelease.objects.filter(scope=LockoutScope.USERNAME, value=username)),
    ]
    reset = max((r for r in resets if r is not None), default=None)
    times = _counting_failures(
        LoginAttempt.objects.filter(username=username), now=now, policy=policy, reset=reset
    )
    return locked_until(times, now=now, policy=policy)


def ip_locked_until(ip: str | None, *, now: datetime, policy: LockoutPolicy) -> datetime | None:
    """Lock end for a client address, or None.

    Successful logins do not reset this counter, so one valid account cannot be used to keep
    guessing at others from the same address.
    """
    if not ip:
        return None
    reset = _latest(LockoutRelease.objects.filter(scope=LockoutScope.IP, value=ip))
    times = _counting_failures(LoginAttempt.objects.filter(ip=ip), now=now, policy=policy, reset=reset)
    return locked_until(times, now=now, policy=policy)
