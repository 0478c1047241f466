"""Who reads the audit log, and how its filters narrow it (days follow Beijing time)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from parkcredit.audit.selectors import AuditFilters, audit_entry_list
from parkcredit.audit.services import audit_log

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def entries(park_admin: Any, dept_staff: Any) -> dict[str, Any]:
    with time_machine.travel(datetime(2026, 3, 1, 23, 30, tzinfo=BEIJING), tick=False):
        late = audit_log(
            actor=park_admin, action="record.create", object_type="records.creditrecord", object_id="7"
        )
    with time_machine.travel(datetime(2026, 3, 2, 0, 30, tzinfo=BEIJING), tick=False):
        early = audit_log(
            actor=dept_staff, action="record.revoke", object_type="records.creditrecord", object_id="8"
        )
    with time_machine.travel(datetime(2026, 3, 5, 9, 0, tzinfo=BEIJING), tick=False):
        login = audit_log(actor=None, action="auth.login", outcome="failure", detail={"username": "x"})
    return {"late": late, "early": early, "login": login}


def seqs(reader: Any, **filters: Any) -> set[int]:
    return set(audit_entry_list(actor=reader, filters=AuditFilters(**filters)).values_list("seq", flat=True))


@pytest.mark.parametrize("reader", ["auditor", "security_admin"])
def test_readers_see_everything_newest_first(
    request: pytest.FixtureRequest, reader: str, entries: Any
) -> None:
    actor = request.getfixturevalue(reader)
    listed = list(audit_entry_list(actor=actor))
    assert [e.seq for e in listed] == sorted((e.seq for e in listed), reverse=True)
    assert {e.seq for e in entries.values()} <= {e.seq for e in listed}


@pytest.mark.parametrize(
    "other",
    ["park_admin", "dept_staff", "inspector", "ent_a_user", "bank_user", "system_admin"],
)
def test_everyone_else_sees_nothing(request: pytest.FixtureRequest, other: str, entries: Any) -> None:
    assert not audit_entry_list(actor=request.getfixturevalue(other)).exists()


def test_anonymous_sees_nothing(entries: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not audit_entry_list(actor=AnonymousUser()).exists()


def test_filters(auditor: Any, entries: Any) -> None:
    late, early, login = entries["late"].seq, entries["early"].seq, entries["login"].seq
    assert seqs(auditor, action="record.") == {late, early}
    assert seqs(auditor, action="record.rev") == {early}
    assert seqs(auditor, actor="park_admin") == {late}
    assert seqs(auditor, actor="system") >= {login}
    assert seqs(auditor, object_type="records.creditrecord", object_id="8") == {early}
    assert seqs(auditor, outcome="failure") >= {login}
    assert late not in seqs(auditor, outcome="failure")


def test_date_range_uses_beijing_days(auditor: Any, entries: Any) -> None:
    late, early, login = entries["late"].seq, entries["early"].seq, entries["login"].seq
    # 23:30 on 1 March Beijing is 15:30 UTC: still 1 March for the user.
    assert seqs(auditor, date_from=date(2026, 3, 1), date_to=date(2026, 3, 1)) == {late}
    assert seqs(auditor, date_from=date(2026, 3, 2), date_to=date(2026, 3, 4)) == {early}
    assert login in seqs(auditor, date_from=date(2026, 3, 5))
    assert seqs(auditor, date_to=date(2026, 2, 28)).isdisjoint({late, early, login})
