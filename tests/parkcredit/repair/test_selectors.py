"""Record windows, the public record list and the repair notice, read from the ledger."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from creditcore.ledger import Status
from parkcredit.enterprises.models import Enterprise
from parkcredit.records.models import CreditRecord
from parkcredit.repair.selectors import (
    public_records,
    record_penalty_type,
    record_window,
    record_windows,
    repair_notice,
)
from tests import factories as f
from tests.parkcredit.repair.support import add_event, backdated_record

_backdated = backdated_record
_event = add_event


def test_record_window_uses_the_rule_in_force(ent_a: Enterprise) -> None:
    record = f.make_record(ent_a, "penalty", severity="general", decided_on=date(2026, 5, 10))
    window = record_window(record, on=date(2026, 6, 1))
    assert window is not None
    assert window.publicity_end == date(2027, 5, 10)
    assert window.earliest_repair == date(2026, 8, 10)
    assert "第36号" in window.rule


def test_record_window_reads_the_penalty_type_from_the_payload(ent_a: Enterprise) -> None:
    record = f.make_record(
        ent_a,
        "penalty",
        decided_on=date(2025, 6, 1),
        payload={"处罚类别": "罚款", "违法行为类型": "违反安全生产法"},
    )
    assert record_penalty_type(record) == "罚款;违反安全生产法"
    window = record_window(record, on=date(2025, 7, 1))
    assert window is not None and window.min_months == 12  # the safety field's longer minimum


def test_positive_records_have_no_window(ent_a: Enterprise) -> None:
    record = f.make_record(ent_a, "honour", severity="", amount=None)
    assert record_window(record) is None


def test_record_windows_reads_the_rule_book_once(ent_a: Enterprise, django_assert_num_queries: Any) -> None:
    records = [f.make_record(ent_a, "penalty") for _ in range(5)]
    loaded = list(CreditRecord.objects.filter(pk__in=[r.pk for r in records]).select_related("kind"))
    with django_assert_num_queries(1):
        windows = record_windows(loaded, on=date(2025, 7, 1))
    assert all(w is not None for w in windows.values())


def test_public_records_filters_status_dispute_period_and_publication(
    ent_a: Enterprise, ent_b: Enterprise
) -> None:
    on = date(2026, 6, 1)
    shown = _backdated(ent_a, severity="general", decided_on=date(2026, 4, 10))
    _backdated(ent_a, severity="minor", decided_on=date(2026, 5, 1))  # new regime: minor not published
    ended = _backdated(ent_a, severity="general", decided_on=date(2025, 5, 1))  # past 1 year (favourable)
    repaired = _backdated(ent_a, severity="serious", decided_on=date(2026, 4, 20))
    _event(repaired, "repaired", datetime(2026, 5, 20, tzinfo=UTC))
    disputed = _backdated(ent_a, severity="serious", decided_on=date(2026, 4, 21))
    _event(disputed, "disputed", datetime(2026, 5, 21, tzinfo=UTC))
    _backdated(ent_a, "park-rent-arrears", severity="general", decided_on=date(2026, 4, 22))  # park only
    _backdated(ent_a, "honour", severity="", decided_on=date(2026, 4, 23))
    future = _backdated(ent_a, severity="general", decided_on=date(2026, 6, 2))
    other = _backdated(ent_b, severity="general", decided_on=date(2026, 4, 10))
    records = public_records(ent_a, on=on)
    assert [r.pk for r in records] == [shown.pk]
    assert records[0].window.publicity_end == date(2027, 4, 10)  # type: ignore[attr-defined]
    # The dispute was raised after 2026-05-01: on that day the record was still public.
    assert disputed.pk in {r.pk for r in public_records(ent_a, on=date(2026, 5, 1))}
    assert ended.pk not in {r.pk for r in public_records(ent_a, on=date(2026, 5, 1))}
    assert future.pk in {r.pk for r in public_records(ent_a, on=date(2026, 6, 2))}
    assert other.pk not in {r.pk for r in public_records(ent_a, on=on)}


def test_public_records_costs_three_queries(ent_a: Enterprise, django_assert_num_queries: Any) -> None:
    for day in range(1, 21):
        _backdated(ent_a, severity="general", decided_on=date(2026, 5, day))
    with django_assert_num_queries(3):
        records = public_records(ent_a, on=date(2026, 6, 1))
    assert len(records) == 20


def test_repair_notice(ent_a: Enterprise) -> None:
    record = _backdated(ent_a, severity="general", decided_on=date(2026, 4, 10))
    notice = repair_notice(record, on=date(2026, 6, 1))
    assert notice is not None
    assert notice.status is Status.ACTIVE and not notice.repairable_now
    assert notice.days_until_repair == (date(2026, 7, 10) - date(2026, 6, 1)).days
    later = repair_notice(record, on=date(2026, 7, 10))
    assert later is not None and later.repairable_now
    assert "信用承诺书(承诺材料真实,违诺愿担责)" in later.window.materials
