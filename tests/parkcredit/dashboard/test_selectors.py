"""Dashboard selectors on their own: month buckets, scoping, withdrawn records and query counts."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from parkcredit.dashboard import selectors as s
from parkcredit.records.models import CreditRecord, RecordEvent
from tests import factories as f

TODAY = date(2026, 6, 15)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31)), st.integers(1, 120))
def test_month_starts_are_consecutive_and_end_with_this_month(today: date, months: int) -> None:
    starts = s.month_starts(today=today, months=months)
    assert len(starts) == months
    assert all(m.day == 1 for m in starts)
    assert starts[-1] == today.replace(day=1)
    for earlier, later in itertools.pairwise(starts):
        # consecutive months: the day after the last day of `earlier` is `later`
        assert (later - timedelta(days=1)).replace(day=1) == earlier


def test_month_starts_cross_the_new_year() -> None:
    assert s.month_starts(today=date(2026, 2, 28), months=3) == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_withdrawn_records_leave_the_negative_figure(db: Any, ent_a: Any) -> None:
    f.make_record(ent_a, "penalty", decided_on=TODAY - timedelta(days=10))
    upheld = f.make_record(ent_a, "penalty", decided_on=TODAY - timedelta(days=20))
    revoked = f.make_record(ent_a, "court-defaulter", decided_on=TODAY - timedelta(days=30))
    repaired = f.make_record(ent_a, "penalty", decided_on=TODAY - timedelta(days=40))
    RecordEvent.objects.create(record=upheld, event_type="disputed", at=timezone.now())
    RecordEvent.objects.create(record=upheld, event_type="dispute_upheld", at=timezone.now())
    RecordEvent.objects.create(record=revoked, event_type="revoked", at=timezone.now())
    # A repaired record ends its publicity but the fact stands.
    RecordEvent.objects.create(record=repaired, event_type="repaired", at=timezone.now())

    counts = s.record_counts(records=CreditRecord.objects.all(), today=TODAY)
    # the standing and the repaired penalty; not the withdrawn two
    assert counts == s.RecordCounts(total=4, negative=4, positive=0, negative_last_year=2)


def test_negative_last_year_window_is_365_days(db: Any, ent_a: Any) -> None:
    f.make_record(ent_a, "penalty", decided_on=TODAY - timedelta(days=364))
    f.make_record(ent_a, "penalty", decided_on=TODAY - timedelta(days=365))
    counts = s.record_counts(records=CreditRecord.objects.all(), today=TODAY)
    assert counts.negative_last_year == 1
    assert counts.negative == 2


def test_records_after_today_stay_out_of_the_monthly_chart(db: Any, ent_a: Any) -> None:
    f.make_record(ent_a, "penalty", decided_on=TODAY + timedelta(days=30))
    category, polarity = s.monthly_charts(records=CreditRecord.objects.all(), today=TODAY)
    assert category["series"] == []
    assert all(sum(item["data"]) == 0 for item in polarity["series"])


def test_enterprises_without_cluster_are_unclassified(db: Any) -> None:
    f.make_enterprise(cluster="")
    f.make_enterprise(cluster="")
    f.make_enterprise(cluster="新材料")
    spec = s.cluster_chart(enterprises=s.Enterprise.objects.all())
    assert spec["items"] == [{"name": "未分类", "value": 2}, {"name": "新材料", "value": 1}]


def test_park_dashboard_query_count_does_not_grow_with_data(
    db: Any, park_admin: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        enterprise = f.make_enterprise(cluster=f"集群{n % 3}")
        f.make_record(enterprise, "penalty", decided_on=TODAY - timedelta(days=30 * n))
        f.make_record(enterprise, "honour", decided_on=TODAY - timedelta(days=15 * n))
    with django_assert_max_num_queries(8):
        dashboard = s.park_dashboard_get(actor=park_admin, today=TODAY)
        assert len(dashboard.latest_records) == s.LATEST_RECORDS
        assert {r.enterprise.name for r in dashboard.latest_records}  # select_related: no extra queries


def test_dashboard_for_a_role_without_data_scope_is_empty(db: Any) -> None:
    from parkcredit.accounts.models import Role

    user = f.make_user(Role.AUDITOR, f.department("zhb"))
    dashboard = s.dashboard_get(actor=user)
    assert isinstance(dashboard, s.AdminDashboard)
    assert dashboard.areas == ("audit",)

    class Nobody:
        role = ""

    assert s.dashboard_get(actor=Nobody()) == s.AdminDashboard(role="", areas=())


@pytest.mark.parametrize("member", ["park_admin", "ent_a_user", "bank_user"])
def test_selectors_never_exceed_the_archive_scope(
    request: pytest.FixtureRequest, member: str, ent_b: Any
) -> None:
    user = request.getfixturevalue(member)
    f.make_record(ent_b, "penalty", decided_on=TODAY)
    dashboard = s.dashboard_get(actor=user, today=TODAY)
    visible = set(s.Enterprise.objects.visible_to(user).values_list("pk", flat=True))
    shown = [r.enterprise_id for r in getattr(dashboard, "latest_records", [])]
    shown += [e.pk for e in getattr(dashboard, "enterprises", [])]
    assert set(shown) <= visible
    if member != "park_admin":
        assert ent_b.pk not in shown
