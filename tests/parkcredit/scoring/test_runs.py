"""Full runs: every in-park enterprise scored, current flags flipped, past dates reproducible."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from parkcredit.audit.models import AuditEntry
from parkcredit.jobs.models import Job, JobState
from parkcredit.scoring.models import RunKind, RunState, Score, ScoringRun
from parkcredit.scoring.services import scoring_run_create, scoring_run_execute, scoring_run_start
from tests.parkcredit.scoring.conftest import AS_OF, add_event, add_record

pytestmark = pytest.mark.django_db


def run_at(as_of: date = AS_OF, **kwargs: Any) -> ScoringRun:
    run = scoring_run_create(actor=None, as_of=as_of, **kwargs)
    return scoring_run_execute(run=run)


def scores_of(run: ScoringRun) -> dict[int, tuple[int, str, str]]:
    return {s.enterprise_id: (s.score, s.grade, s.fingerprint) for s in run.scores.all()}


def test_full_run_scores_every_in_park_enterprise(published: Any, park: dict[str, Any]) -> None:
    progress: list[tuple[int, int, str]] = []
    run = scoring_run_execute(
        run=scoring_run_create(actor=None, as_of=AS_OF), progress=lambda d, t, m: progress.append((d, t, m))
    )
    assert run.state == RunState.SUCCEEDED
    scored = set(run.scores.values_list("enterprise_id", flat=True))
    assert scored == {park["clean"].pk, park["penalised"].pk, park["late"].pk}
    assert run.enterprises == 3
    assert sum(run.counts[g] for g in "ABCD") == 3
    assert progress[-1][0] == progress[-1][1]
    by_ent = {s.enterprise_id: s for s in run.scores.all()}
    clean, penalised, late = (by_ent[park[k].pk] for k in ("clean", "penalised", "late"))
    assert clean.score > penalised.score
    assert clean.score > late.score
    assert all(s.is_current for s in by_ent.values())
    assert len(clean.fingerprint) == 64
    # The penalties are the evidence behind the reason that cost most.
    top = penalised.reasons[0]
    assert top["code"] == "penalties"
    assert set(top["evidence"]) == set(park["penalised"].records.values_list("pk", flat=True))
    assert {i["code"] for i in clean.indicators} == {"penalties", "rent_late_share", "age"}
    assert 0 < clean.percentile <= 100
    assert clean.percentile > penalised.percentile
    assert AuditEntry.objects.filter(action="scoring.run_finished", object_id=str(run.pk)).exists()


def test_second_run_flips_current(published: Any, park: dict[str, Any]) -> None:
    first = run_at()
    second = run_at()
    assert not Score.objects.filter(run=first, is_current=True).exists()
    assert Score.objects.filter(run=second, is_current=True).count() == 3
    assert Score.objects.filter(is_current=True).count() == 3


def test_past_run_does_not_replace_current(published: Any, park: dict[str, Any]) -> None:
    latest = run_at(AS_OF)
    past = run_at(date(2026, 1, 31))
    assert not past.scores.filter(is_current=True).exists()
    assert latest.scores.filter(is_current=True).count() == 3
    assert past.counts["current"] is False


def test_reproducible_after_later_ledger_writes(published: Any, park: dict[str, Any]) -> None:
    before = run_at(AS_OF)
    penalised = park["penalised"]
    # Entered after the as-of date: a new record, and a repair of an old one.
    add_record(park["clean"], decided_on=date(2026, 6, 1), entered=date(2026, 7, 15))
    add_event(penalised.records.order_by("pk").first(), "repaired", date(2026, 7, 20))
    again = run_at(AS_OF)
    assert scores_of(again) == scores_of(before)
    assert again.fingerprint == before.fingerprint
    # As of today the new facts count.
    today = run_at(date(2026, 8, 1))
    assert scores_of(today)[park["clean"].pk][0] < scores_of(before)[park["clean"].pk][0]


def test_repaired_after_as_of_still_counts_but_not_after(published: Any, park: dict[str, Any]) -> None:
    penalised = park["penalised"]
    for record in penalised.records.all():
        add_event(record, "repaired", date(2026, 7, 1))
    on_as_of = scores_of(run_at(AS_OF))[penalised.pk][0]
    after_repair = scores_of(run_at(date(2026, 7, 2)))[penalised.pk][0]
    assert after_repair > on_as_of


def test_disputed_record_is_frozen(published: Any, park: dict[str, Any]) -> None:
    penalised = park["penalised"]
    baseline = scores_of(run_at(AS_OF))[penalised.pk][0]
    for record in penalised.records.all():
        add_event(record, "disputed", date(2026, 6, 10))
    frozen = scores_of(run_at(AS_OF))[penalised.pk][0]
    assert frozen > baseline


def test_veto_sends_grade_to_d(published: Any, park: dict[str, Any]) -> None:
    add_record(park["clean"], "court-defaulter", decided_on=date(2026, 5, 1), severity="serious")
    score = run_at(AS_OF).scores.get(enterprise=park["clean"])
    assert score.grade == "D"
    assert score.colour == "black"
    assert score.vetoes == ["court_defaulter"]


def test_founded_after_as_of_is_not_scored(published: Any, park: dict[str, Any]) -> None:
    from tests import factories as f

    f.make_enterprise("未来有限公司", founded_on=date(2026, 7, 1))
    assert run_at(AS_OF).enterprises == 3


def test_run_start_runs_as_job(published: Any, park: dict[str, Any], park_admin: Any) -> None:
    job = scoring_run_start(actor=park_admin, as_of=AS_OF)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    run = ScoringRun.objects.get(job=job)
    assert run.kind == RunKind.FULL
    assert run.state == RunState.SUCCEEDED
    assert job.result["enterprises"] == 3
    assert run.triggered_by == park_admin


def test_run_start_refused_for_inspector(published: Any, inspector: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        scoring_run_start(actor=inspector)
    assert not Job.objects.exists()


def test_future_as_of_refused(published: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        scoring_run_create(actor=None, as_of=date(2999, 1, 1))
    assert "2999-01-01" in str(err.value)


def test_failed_run_is_marked(published: Any, park: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import parkcredit.scoring.runner as runner

    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("账本读取失败")

    monkeypatch.setattr(runner, "ledger_extract", boom)
    run = scoring_run_create(actor=None, as_of=AS_OF)
    with pytest.raises(RuntimeError):
        scoring_run_execute(run=run)
    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert "账本读取失败" in run.error
    assert not Score.objects.exists()


def test_engine_and_reference_agree(published: Any, park: dict[str, Any]) -> None:
    from parkcredit.scoring.extract import ledger_extract
    from parkcredit.scoring.scorer import engine_available, score_inputs, spec_cached

    if not engine_available():
        pytest.skip("DuckDB engine not available")
    spec = spec_cached(published.spec_yaml)
    inputs = ledger_extract(as_of=AS_OF)
    ref, _ = score_inputs(spec, inputs, engine="reference")
    sql, _ = score_inputs(spec, inputs, engine="duckdb")
    assert [(r.enterprise_id, r.score, r.grade) for r in ref] == [
        (r.enterprise_id, r.score, r.grade) for r in sql
    ]


def test_bootstrap_seeds_and_scores(park: dict[str, Any]) -> None:
    from parkcredit.scoring.services import scoring_bootstrap

    run = scoring_bootstrap(as_of=AS_OF)
    assert run.state == RunState.SUCCEEDED
    assert run.model.code == "park_credit"
    assert Score.objects.filter(is_current=True).count() == 3
