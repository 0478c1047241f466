from __future__ import annotations

from typing import Any

from django.utils import timezone

from parkcredit.accounts.models import LoginAttempt
from parkcredit.accounts.selectors import lock_list


def test_a_wave_of_one_off_names_costs_no_query_per_name(db: Any, django_assert_max_num_queries: Any) -> None:
    now = timezone.now()
    LoginAttempt.objects.bulk_create(
        LoginAttempt(username=f"guess{i}", ip=f"10.0.{i // 250}.{i % 250}", at=now, succeeded=False)
        for i in range(300)
    )
    with django_assert_max_num_queries(4):
        assert lock_list(now=now) == []


def test_a_name_with_enough_failures_is_listed(db: Any, settings: Any) -> None:
    now = timezone.now()
    LoginAttempt.objects.bulk_create(
        LoginAttempt(username="victim", ip=f"10.1.0.{i}", at=now, succeeded=False)
        for i in range(settings.LOGIN_MAX_FAILURES)
    )
    locks = lock_list(now=now)
    assert [(lock.value, lock.scope) for lock in locks] == [("victim", "username")]
