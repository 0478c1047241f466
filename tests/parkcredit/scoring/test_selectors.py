"""Reads: current score and history by visibility, park distribution, trend, movers, models, runs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.http import Http404

from parkcredit.scoring.models import Score, ScoringRun
from parkcredit.scoring.selectors import (
    grade_distribution,
    grade_trend,
    model_get_for_actor,
    model_list,
    model_what_if,
    movers,
    run_get_for_actor,
    run_list,
    score_current_for_actor,
    score_history,
)
from parkcredit.scoring.services import scoring_run_create, scoring_run_execute
from tests.parkcredit.scoring.conftest import AS_OF, SMALL_YAML, add_record

pytestmark = pytest.mark.django_db


def run_at(as_of: date) -> ScoringRun:
    return scoring_run_execute(run=scoring_run_create(actor=None, as_of=as_of))


@pytest.fixture
def scored(published: Any, park: dict[str, Any], ent_a: Any) -> dict[str, Any]:
    add_record(ent_a, decided_on=date(2026, 5, 1))
    add_record(ent_a, decided_on=date(2026, 5, 2))
    first = run_at(date(2026, 4, 30))
    second = run_at(AS_OF)
    return {"park": park, "ent_a": ent_a, "first": first, "second": second}


def test_current_score_by_visibility(scored: dict[str, Any], request: pytest.FixtureRequest) -> None:
    ent_a = scored["ent_a"]
    for who in ("park_admin", "inspector", "ent_a_user", "bank_user"):
        score = score_current_for_actor(request.getfixturevalue(who), ent_a)
        assert score is not None and score.run == scored["second"]
    for who in ("ent_b_user", "bank_unauthorised_user", "system_admin", "auditor"):
        with pytest.raises(Http404):
            score_current_for_actor(request.getfixturevalue(who), ent_a)
    with pytest.raises(Http404):
        score_current_for_actor(request.getfixturevalue("park_admin"), 999999)


def test_no_score_yet(park_admin: Any, ent_b: Any) -> None:
    assert score_current_for_actor(park_admin, ent_b.pk) is None


def test_history_one_point_per_date(scored: dict[str, Any], park_admin: Any, ent_a_user: Any) -> None:
    run_at(AS_OF)  # a rerun of the same date keeps one point, the newest
    history = score_history(ent_a_user, scored["ent_a"])
    assert [s.as_of for s in history] == [date(2026, 4, 30), AS_OF]
    assert history[0].score > history[1].score
    with pytest.raises(Http404):
        score_history(park_admin, 999999)


def test_history_keeps_every_date_however_often_a_day_was_rescored(
    scored: dict[str, Any], ent_a_user: Any
) -> None:
    # 300 incremental rescores of one day (more than any fixed over-fetch would cover) must not
    # push the earlier date out of the history.
    newest = Score.objects.get(run=scored["second"], enterprise=scored["ent_a"])
    copies = []
    for n in range(300):
        run = ScoringRun.objects.get(pk=scored["second"].pk)
        run.pk = None
        run._state.adding = True
        run.save()
        copy = Score.objects.get(pk=newest.pk)
        copy.pk, copy.run, copy.score, copy.is_current = None, run, n, False
        copies.append(copy)
    Score.objects.bulk_create(copies)
    history = score_history(ent_a_user, scored["ent_a"])
    assert [s.as_of for s in history] == [date(2026, 4, 30), AS_OF]
    assert history[1].pk == Score.objects.filter(as_of=AS_OF, enterprise=scored["ent_a"]).latest("id").pk
    assert [s.as_of for s in score_history(ent_a_user, scored["ent_a"], limit=1)] == [AS_OF]


def test_distribution_and_trend(scored: dict[str, Any], park_admin: Any, ent_a_user: Any) -> None:
    counts = grade_distribution(park_admin)
    assert sum(counts.values()) == 4
    assert set(counts) == {"A", "B", "C", "D"}
    assert sum(grade_distribution(ent_a_user).values()) == 1
    assert sum(grade_distribution(park_admin, as_of=date(2026, 5, 15)).values()) == 4
    assert grade_distribution(park_admin, as_of=date(2020, 1, 1)) == {"A": 0, "B": 0, "C": 0, "D": 0}
    trend = grade_trend(park_admin)
    assert [t["as_of"] for t in trend] == [date(2026, 4, 30), AS_OF]
    assert all(sum(t["grades"].values()) == 4 for t in trend)


def test_movers(scored: dict[str, Any], park_admin: Any, ent_b_user: Any) -> None:
    moved = movers(park_admin)
    assert moved, "the enterprise fined in May must move"
    top = moved[0]
    assert top["enterprise"] == scored["ent_a"]
    assert top["score_change"] < 0
    assert top["grade_change"] <= 0
    assert movers(ent_b_user) == []


def test_movers_need_two_runs(published: Any, park: Any, park_admin: Any) -> None:
    assert movers(park_admin) == []
    assert grade_trend(park_admin) == []
    run_at(AS_OF)
    assert movers(park_admin) == []


def test_models_and_runs_for_park_roles_only(
    scored: dict[str, Any], published: Any, inspector: Any, ent_a_user: Any
) -> None:
    assert list(model_list(inspector)) == [published]
    assert model_get_for_actor(inspector, published.pk) == published
    assert run_get_for_actor(inspector, scored["second"].pk) == scored["second"]
    assert run_list(inspector).count() == 2
    assert not model_list(ent_a_user).exists()
    assert not run_list(ent_a_user).exists()
    with pytest.raises(Http404):
        model_get_for_actor(ent_a_user, published.pk)
    with pytest.raises(Http404):
        run_get_for_actor(ent_a_user, scored["second"].pk)


def test_what_if(published: Any, park: Any, dept_staff: Any, inspector: Any) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    stricter = SMALL_YAML.replace("min_score: 650, max_score: 799", "min_score: 750, max_score: 799").replace(
        "min_score: 500, max_score: 649", "min_score: 500, max_score: 749"
    )
    result = model_what_if(dept_staff, spec_yaml=stricter, as_of=AS_OF)
    assert result["matrix"]["B"]["C"] == 1
    with pytest.raises(ValidationError):
        model_what_if(dept_staff, spec_yaml="bands: 1", as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        model_what_if(inspector, spec_yaml=stricter)
