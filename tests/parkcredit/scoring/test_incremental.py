"""Incremental rescore: a ledger write commits, the enterprise gets a new current score."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from parkcredit.records.services import record_event_append, record_register
from parkcredit.scoring.models import RunKind, Score, ScoringRun
from parkcredit.scoring.services import scoring_on_commit, scoring_on_ledger_change
from tests import factories as f
from tests.parkcredit.scoring.conftest import add_record

pytestmark = pytest.mark.django_db


def register_penalty(actor: Any, enterprise: Any, ref: str) -> Any:
    return record_register(
        actor=actor,
        enterprise=enterprise,
        kind="penalty",
        source=f.data_source(),
        source_ref=ref,
        decided_on=timezone.localdate() - timedelta(days=10),
        severity="general",
        amount="5000",
    )


def current(enterprise: Any) -> Score:
    return Score.objects.get(enterprise=enterprise, is_current=True)


def test_record_register_rescores_after_commit(
    published: Any, park: dict[str, Any], dept_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    clean = park["clean"]
    scoring_on_ledger_change([clean.pk])
    before = current(clean)
    assert before.run.kind == RunKind.INCREMENTAL
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        register_penalty(dept_staff, clean, "增测〔2026〕1号")
    # Nothing is rescored before the write commits.
    assert current(clean).pk == before.pk
    for callback in callbacks:
        callback()
    after = current(clean)
    assert after.pk != before.pk
    assert after.score < before.score
    assert after.as_of == timezone.localdate()
    assert after.run.kind == RunKind.INCREMENTAL
    assert after.run.enterprises == 1
    before.refresh_from_db()
    assert before.is_current is False


def test_record_event_append_rescores(
    published: Any, park: dict[str, Any], dept_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    clean = park["clean"]
    with django_capture_on_commit_callbacks(execute=True):
        record = register_penalty(dept_staff, clean, "增测〔2026〕2号")
    penalised = current(clean).score
    with django_capture_on_commit_callbacks(execute=True):
        record_event_append(actor=dept_staff, record=record, event_type="revoked", note="原决定撤销")
    assert current(clean).score > penalised


def test_writes_in_one_transaction_coalesce(
    published: Any, park: dict[str, Any], dept_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        register_penalty(dept_staff, park["clean"], "增测〔2026〕3号")
        register_penalty(dept_staff, park["late"], "增测〔2026〕4号")
        register_penalty(dept_staff, park["clean"], "增测〔2026〕5号")
    # One rescore for the three writes (the rescore itself may queue its grades_changed signal).
    assert [c.__name__ for c in callbacks].count("flush") == 1
    run = ScoringRun.objects.get(kind=RunKind.INCREMENTAL)
    assert set(run.scores.values_list("enterprise_id", flat=True)) == {park["clean"].pk, park["late"].pk}


def test_rolled_back_write_schedules_nothing(
    published: Any, park: dict[str, Any], dept_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            register_penalty(dept_staff, park["clean"], "增测〔2026〕6号")
            raise RuntimeError("回滚")
        with transaction.atomic():
            register_penalty(dept_staff, park["late"], "增测〔2026〕7号")
    run = ScoringRun.objects.get(kind=RunKind.INCREMENTAL)
    assert list(run.scores.values_list("enterprise_id", flat=True)) == [park["late"].pk]


def test_outside_autocommit_runs_at_once(published: Any, park: dict[str, Any], monkeypatch: Any) -> None:
    import parkcredit.scoring.services as services

    monkeypatch.setattr(services, "_in_transaction", lambda: False)
    scoring_on_commit([park["late"].pk])
    assert current(park["late"]).run.kind == RunKind.INCREMENTAL


def test_no_published_model_is_a_no_op(park: dict[str, Any]) -> None:
    assert scoring_on_ledger_change([park["clean"].pk]) is None
    assert not Score.objects.exists()


def test_empty_and_outside_enterprises(published: Any, park: dict[str, Any]) -> None:
    assert scoring_on_ledger_change([]) is None
    assert scoring_on_ledger_change([park["outside"].pk]) is None


def test_failure_is_logged_not_raised(
    published: Any, park: dict[str, Any], monkeypatch: Any, caplog: Any
) -> None:
    import parkcredit.scoring.runner as runner

    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("评分失败")

    monkeypatch.setattr(runner, "ledger_extract", boom)
    assert scoring_on_ledger_change([park["clean"].pk]) is None
    assert "incremental rescore" in caplog.text


def test_percentile_against_the_park(published: Any, park: dict[str, Any]) -> None:
    from parkcredit.scoring.services import scoring_run_create, scoring_run_execute

    fourth = f.make_enterprise("第四家有限公司", founded_on=date(2012, 1, 1))
    scoring_run_execute(run=scoring_run_create(actor=None))
    full = {s.enterprise_id: s.percentile for s in Score.objects.filter(is_current=True)}
    scoring_on_ledger_change([park["clean"].pk])
    assert current(park["clean"]).percentile == pytest.approx(full[park["clean"].pk])
    # Many at once take the other branch of the percentile computation.
    scoring_on_ledger_change([park["clean"].pk, park["late"].pk, park["penalised"].pk, fourth.pk, 999999])
    assert {s.enterprise_id: s.percentile for s in Score.objects.filter(is_current=True)} == pytest.approx(
        full
    )


def test_old_record_entered_today_counts_today(published: Any, park: dict[str, Any]) -> None:
    clean = park["clean"]
    scoring_on_ledger_change([clean.pk])
    before = current(clean).score
    add_record(clean, decided_on=date(2026, 1, 5), entered=timezone.localdate())
    scoring_on_ledger_change([clean.pk])
    assert current(clean).score < before
