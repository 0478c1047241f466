"""Ledger reads: the timeline, the record list and its filters, states as of a moment, scoping."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from creditcore.ledger import Status
from parkcredit.records import selectors
from parkcredit.records.models import RecordEvent
from parkcredit.records.selectors import record_get_for_actor, record_list, record_state, record_timeline
from parkcredit.records.services import record_event_append, record_register
from tests import factories as f

pytestmark = pytest.mark.django_db


def add(enterprise: Any, ref: str, *, kind: str = "penalty", severity: str = "general", **fields: Any) -> Any:
    return record_register(
        actor=None,
        enterprise=enterprise,
        kind=kind,
        source=f.data_source(),
        source_ref=ref,
        severity=severity,
        decided_on=fields.pop("decided_on", date(2025, 6, 1)),
        amount=fields.pop("amount", "100" if kind in {"penalty", "tax-arrears"} else None),
        **fields,
    )


def test_timeline_newest_first_with_events_and_state(ent_a: Any, ent_b: Any, park_admin: Any) -> None:
    old = add(ent_a, "A-1", decided_on=date(2024, 1, 5))
    new = add(ent_a, "A-2", decided_on=date(2025, 3, 1))
    add(ent_b, "B-1")
    record_event_append(actor=None, record=old, event_type="repaired")
    timeline = record_timeline(actor=park_admin, enterprise=ent_a)
    assert [entry.record.pk for entry in timeline] == [new.pk, old.pk]
    assert [e.event_type for e in timeline[1].events] == ["created", "repaired"]
    assert timeline[1].state.status is Status.REPAIRED
    assert timeline[0].state.status is Status.ACTIVE


def test_timeline_as_of_shows_what_the_ledger_knew_then(ent_a: Any, park_admin: Any) -> None:
    now = timezone.now()
    record = add(ent_a, "A-1", at=now - timedelta(days=10))
    record_event_append(actor=None, record=record, event_type="disputed", at=now - timedelta(days=5))
    before_dispute = record_timeline(actor=park_admin, enterprise=ent_a, as_of=now - timedelta(days=7))
    assert not before_dispute[0].state.disputed
    assert record_timeline(actor=park_admin, enterprise=ent_a)[0].state.disputed
    # A record created after the moment is not part of the past timeline.
    assert record_timeline(actor=park_admin, enterprise=ent_a, as_of=now - timedelta(days=11)) == []


def test_timeline_is_scoped_to_the_actor(ent_a: Any, ent_b_user: Any, ent_a_user: Any, auditor: Any) -> None:
    add(ent_a, "A-1")
    assert len(record_timeline(actor=ent_a_user, enterprise=ent_a)) == 1
    assert record_timeline(actor=ent_b_user, enterprise=ent_a) == []
    assert record_timeline(actor=auditor, enterprise=ent_a) == []


def test_timeline_query_count_does_not_grow_with_records(
    ent_a: Any, park_admin: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        record = add(ent_a, f"A-{n}")
        record_event_append(actor=park_admin, record=record, event_type="disputed")
    with django_assert_max_num_queries(3) as few:
        record_timeline(actor=park_admin, enterprise=ent_a)
    for n in range(3, 15):
        record = add(ent_a, f"A-{n}")
        record_event_append(actor=park_admin, record=record, event_type="disputed")
    with django_assert_max_num_queries(len(few.captured_queries)):
        timeline = record_timeline(actor=park_admin, enterprise=ent_a)
        # Touching what the page shows must not query either.
        for entry in timeline:
            _ = (entry.record.kind.name, entry.record.source.name, [e.actor for e in entry.events])
    assert len(timeline) == 15


def test_record_get_for_actor_hides_missing_and_forbidden_alike(
    ent_a: Any, ent_b_user: Any, ent_a_user: Any
) -> None:
    record = add(ent_a, "A-1")
    assert record_get_for_actor(ent_a_user, record.pk) == record
    with pytest.raises(Http404):
        record_get_for_actor(ent_b_user, record.pk)
    with pytest.raises(Http404):
        record_get_for_actor(ent_a_user, record.pk + 1000)


def test_record_state_as_of(ent_a: Any) -> None:
    now = timezone.now()
    record = add(ent_a, "A-1", at=now - timedelta(days=3))
    record_event_append(actor=None, record=record, event_type="revoked", at=now - timedelta(days=1))
    assert record_state(record, as_of=now - timedelta(days=4)).exists is False
    assert record_state(record, as_of=now - timedelta(days=2)).status is Status.ACTIVE
    assert record_state(record).status is Status.REVOKED


def test_record_states_fold_many_records_in_chunks_as_of_a_moment(
    ent_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    early = add(ent_a, "S-1", at=now - timedelta(days=3))
    late = add(ent_a, "S-2", at=now - timedelta(days=1))
    revoked = add(ent_a, "S-3", at=now - timedelta(days=3))
    record_event_append(actor=None, record=revoked, event_type="revoked", at=now - timedelta(days=2))
    # A stray history the write path would refuse (revoked twice): the fold skips the second row.
    RecordEvent.objects.create(record=revoked, event_type="revoked", at=now - timedelta(days=2))
    # Two records per query, so the three records take two queries and their states still join up.
    monkeypatch.setattr(selectors, "STATES_CHUNK", 2)
    ids = [early.pk, late.pk, revoked.pk]
    with CaptureQueriesContext(connection) as queries:
        states = selectors.record_states(ids, now - timedelta(hours=36))
    assert len(queries) == 2
    assert set(states) == {early.pk, revoked.pk}  # S-2 had not entered the ledger yet
    assert states[early.pk].status is Status.ACTIVE and states[revoked.pk].status is Status.REVOKED
    # The same answer as one record's own fold (which, unlike the set-based read, raises on the
    # stray row of S-3).
    assert states[early.pk] == record_state(early, as_of=now - timedelta(hours=36))


def test_enterprise_record_states_fold_by_enterprise_in_one_query(ent_a: Any, ent_b: Any) -> None:
    now = timezone.now()
    a1 = add(ent_a, "E-1", at=now - timedelta(days=3))
    a2 = add(ent_a, "E-2", at=now - timedelta(days=3), decided_on=date(2025, 7, 1))
    b1 = add(ent_b, "E-3", at=now - timedelta(days=3))
    record_event_append(actor=None, record=b1, event_type="revoked", at=now - timedelta(days=2))
    with CaptureQueriesContext(connection) as queries:
        states = selectors.enterprise_record_states([ent_a.pk, ent_b.pk], now, decided_by=date(2025, 6, 30))
    assert len(queries) == 1  # joined in the database: no record ids sent back
    assert set(states) == {a1.pk, b1.pk}  # E-2 was decided after the cut
    assert states[b1.pk].status is Status.REVOKED
    # The same states as the fold by record ids.
    assert states == selectors.record_states([a1.pk, b1.pk], now)
    assert set(selectors.enterprise_record_states([ent_a.pk], now)) == {a1.pk, a2.pk}


def test_record_list_filters(ent_a: Any, ent_b: Any, park_admin: Any, bank_user: Any) -> None:
    penalty = add(ent_a, "P-1", severity="serious", decided_on=date(2024, 5, 1))
    arrears = add(ent_a, "T-1", kind="tax-arrears", decided_on=date(2025, 2, 1))
    honour = add(ent_b, "H-1", kind="honour", severity="", decided_on=date(2025, 4, 1))

    def pks(**filters: Any) -> list[int]:
        return [r.pk for r in record_list(actor=park_admin, filters=filters)]

    assert pks() == [honour.pk, arrears.pk, penalty.pk]
    assert pks(kind="penalty") == [penalty.pk]
    assert pks(category="operations") == [arrears.pk]
    assert pks(polarity="positive") == [honour.pk]
    assert pks(severity="serious") == [penalty.pk]
    assert pks(enterprise=ent_b) == [honour.pk]
    assert pks(enterprise=ent_a.pk) == [arrears.pk, penalty.pk]
    assert pks(since=date(2025, 1, 1)) == [honour.pk, arrears.pk]
    assert pks(until="2025-02-01") == [arrears.pk, penalty.pk]
    assert pks(since="2025-02-01", until=date(2025, 3, 31)) == [arrears.pk]
    assert pks(since="not a date") == [honour.pk, arrears.pk, penalty.pk]
    assert pks(kind="no-such") == []
    # The bank sees only the enterprise that authorised it.
    assert [r.pk for r in record_list(actor=bank_user)] == [arrears.pk, penalty.pk]
