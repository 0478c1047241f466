"""Shared helpers of the race tests that run on PostgreSQL: two real threads, two connections.

A page sent twice at the same moment is two requests on two database connections; only the
database (a unique constraint, a row lock) can make one of them wait for the other. These tests
run both for real and assert on every outcome, an unexpected error included.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
# Real threads need committed rows; the marker (not only the fixture the root conftest adds) makes
# pytest-django save the migrations' seeded rows at setup, so they come back after the flush.
two_connections = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def in_threads(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread (its own database connection) and wait for all of them:
    what each returned or raised, in the order they finished."""
    outcomes: list[Any] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            outcomes.append(call())
        except BaseException as exc:  # every outcome, an unexpected error too, is asserted on
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def wait_until_another_connection_waits_for_a_lock(what: str) -> None:
    """Block until another connection is blocked by this one (typically the second request's
    SELECT ... FOR UPDATE, or its insert into a unique index); without the lock it never is, and
    this gives up. `what` names the lock in the failure message."""
    for _attempt in range(600):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else frozen for the transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            row = cursor.fetchone()
        if row is not None and row[0]:
            return
        time.sleep(0.1)
    raise AssertionError(f"the second request never waited for {what}")


def first_call_runs[T](
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, other: Callable[[], T], *, after: bool = False
) -> list[T]:
    """A step-by-step race in one thread: the first call of `owner.name` runs `other` (the other
    request, to its end) before the real call, or right after it with `after`; later calls, the
    nested ones of `other` included, are the real thing. The returned list then holds what
    `other` returned."""
    real = getattr(owner, name)
    ran: list[Any] = []

    def racing(*args: Any, **kwargs: Any) -> Any:
        if ran:
            return real(*args, **kwargs)
        ran.append(None)  # the race has run: the nested calls of `other` go straight through
        result = real(*args, **kwargs) if after else None
        ran[0] = other()
        return result if after else real(*args, **kwargs)

    monkeypatch.setattr(owner, name, racing)
    return ran
