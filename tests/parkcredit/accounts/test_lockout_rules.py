"""The lock-out arithmetic, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from parkcredit.accounts.lockout import LockoutPolicy, locked_until

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = LockoutPolicy(max_failures=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15))


def at(*seconds: int) -> list[datetime]:
    return [T0 + timedelta(seconds=s) for s in seconds]


def test_fewer_failures_than_the_limit_do_not_lock() -> None:
    assert locked_until(at(0, 1, 2, 3), now=T0 + timedelta(seconds=4), policy=POLICY) is None


def test_the_fifth_failure_in_the_window_locks_until_lockout_after_it() -> None:
    failures = at(0, 60, 120, 180, 240)
    assert (
        locked_until(failures, now=T0 + timedelta(seconds=241), policy=POLICY)
        == failures[-1] + POLICY.lockout
    )


def test_failures_spread_wider_than_the_window_do_not_lock() -> None:
    failures = at(0, 300, 600, 900, 1200)  # any five span 20 minutes
    assert locked_until(failures, now=T0 + timedelta(seconds=1201), policy=POLICY) is None


def test_the_lock_ends() -> None:
    failures = at(0, 1, 2, 3, 4)
    end = failures[-1] + POLICY.lockout
    assert locked_until(failures, now=end - timedelta(seconds=1), policy=POLICY) == end
    assert locked_until(failures, now=end, policy=POLICY) is None


def test_a_later_lone_failure_does_not_shorten_an_earlier_lock() -> None:
    # Short window, long lock: a refused attempt during the lock must not end it.
    policy = LockoutPolicy(max_failures=3, window=timedelta(minutes=1), lockout=timedelta(minutes=30))
    failures = at(0, 1, 2, 600)
    assert (
        locked_until(failures, now=T0 + timedelta(seconds=601), policy=policy) == failures[2] + policy.lockout
    )


def test_zero_limit_never_locks() -> None:
    policy = LockoutPolicy(max_failures=0, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
    assert locked_until(at(0, 1, 2, 3, 4, 5), now=T0 + timedelta(seconds=6), policy=policy) is None


def oracle(failures: list[datetime], now: datetime, policy: LockoutPolicy) -> datetime | None:
    ends = [
        t + policy.lockout
        for t in failures
        if sum(1 for u in failures if t - policy.window <= u <= t) >= policy.max_failures
    ]
    end = max(ends, default=None)
    return end if end is not None and end > now else None


offsets = st.lists(st.integers(0, 4000), max_size=25).map(sorted)


@given(offsets=offsets, now_offset=st.integers(0, 6000), limit=st.integers(1, 6))
def test_agrees_with_the_definition(offsets: list[int], now_offset: int, limit: int) -> None:
    policy = LockoutPolicy(max_failures=limit, window=timedelta(seconds=900), lockout=timedelta(seconds=600))
    failures = at(*offsets)
    now = T0 + timedelta(seconds=now_offset)
    assert locked_until(failures, now=now, policy=policy) == oracle(failures, now, policy)


@given(offsets=offsets, extra=st.integers(0, 4000), now_offset=st.integers(0, 6000))
def test_one_more_failure_never_shortens_a_lock(offsets: list[int], extra: int, now_offset: int) -> None:
    now = T0 + timedelta(seconds=now_offset)
    before = locked_until(at(*offsets), now=now, policy=POLICY)
    after = locked_until(at(*sorted([*offsets, extra])), now=now, policy=POLICY)
    if before is not None:
        assert after is not None and after >= before


def test_window_boundary_is_inclusive() -> None:
    policy = LockoutPolicy(max_failures=2, window=timedelta(seconds=900), lockout=timedelta(seconds=600))
    assert locked_until(at(0, 900), now=T0 + timedelta(seconds=901), policy=policy) is not None
    assert locked_until(at(0, 901), now=T0 + timedelta(seconds=902), policy=policy) is None


@given(steps=st.lists(st.integers(0, 12), max_size=15), now_step=st.integers(0, 20), limit=st.integers(1, 4))
def test_agrees_with_the_definition_on_window_boundaries(steps: list[int], now_step: int, limit: int) -> None:
    # Multiples of 300 s land failures exactly on the window and lock-out edges.
    policy = LockoutPolicy(max_failures=limit, window=timedelta(seconds=900), lockout=timedelta(seconds=600))
    failures = at(*sorted(s * 300 for s in steps))
    now = T0 + timedelta(seconds=now_step * 300)
    assert locked_until(failures, now=now, policy=policy) == oracle(failures, now, policy)
