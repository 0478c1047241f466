"""Scoring pages: who sees what, the enterprise score panel, governance buttons and actions,
the rescore button, and the what-if page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parkcredit.jobs.models import Job
from parkcredit.scoring.models import ModelState, ScoringModel, ScoringRun
from tests import factories as f
from tests.conftest import CAST
from tests.parkcredit.scoring.test_views_support import SPEC_YAML, make_model, make_run, make_score

pytestmark = pytest.mark.django_db

ROLES = (*CAST, "anon")
PARK = {"park_admin", "dept_staff", "inspector"}


@pytest.fixture(autouse=True)
def _passwords_not_due(settings: Any) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 0


@pytest.fixture
def published(db: Any) -> ScoringModel:
    return make_model(ModelState.PUBLISHED, version=1)


@pytest.fixture
def simulated(published: ScoringModel, dept_staff: Any) -> ScoringModel:
    return make_model(ModelState.SIMULATED, version=2, created_by=dept_staff, base=published)


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", ["scoring:overview", "scoring:runs", "scoring:models"])
def test_park_pages_by_role(role: str, url_name: str, login: Any) -> None:
    response = login(role).get(reverse(url_name))
    expected = 302 if role == "anon" else 200 if role in PARK else 403
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_model_detail_by_role(role: str, login: Any, published: ScoringModel) -> None:
    response = login(role).get(reverse("scoring:model_detail", args=[published.pk]))
    expected = 302 if role == "anon" else 200 if role in PARK else 403
    assert response.status_code == expected


def test_missing_model_is_404(login: Any) -> None:
    assert login("inspector").get(reverse("scoring:model_detail", args=[999999])).status_code == 404


# --- the enterprise panel ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["park_admin", "inspector", "ent_a_user", "bank_user"])
def test_panel_shows_grade_and_score_to_whoever_sees_the_enterprise(
    role: str, login: Any, ent_a: Any, published: ScoringModel
) -> None:
    make_score(ent_a, make_run(published, date(2026, 10, 1)), score=712, grade="B", colour="yellow")
    response = login(role).get(reverse("enterprises:detail", args=[ent_a.pk]))
    assert response.status_code == 200
    panel = response.context["score_panel"]
    assert panel.score.score == 712
    html = response.content.decode()
    assert 'data-testid="score-value">712<' in html
    assert 'data-grade="B"' in html and "bg-yellow" in html
    assert 'id="chart-score-gauge"' in html
    assert "行政处罚次数" in html  # indicator table
    assert "数据缺失" in html  # the missing-data flag of the age indicator
    assert "288" in html  # the reason's lost points


@pytest.mark.parametrize("role", ["ent_b_user", "bank_unauthorised_user", "auditor"])
def test_panel_does_not_leak_to_those_who_cannot_see_the_enterprise(
    role: str, login: Any, ent_a: Any, published: ScoringModel
) -> None:
    make_score(ent_a, make_run(published, date(2026, 10, 1)), score=713)
    response = login(role).get(reverse("enterprises:detail", args=[ent_a.pk]))
    assert response.status_code == 404
    assert b"713" not in response.content


def test_panel_empty_state_without_a_score(login: Any, ent_a: Any) -> None:
    response = login("park_admin").get(reverse("enterprises:detail", args=[ent_a.pk]))
    assert response.context["score_panel"].score is None
    assert "尚未评分" in response.content.decode()
    assert b"chart-score-gauge" not in response.content


def test_panel_colours_the_badge_by_grade(login: Any, ent_a: Any, published: ScoringModel) -> None:
    make_score(ent_a, make_run(published, date(2026, 10, 1)), score=300, grade="D", colour="black")
    html = login("park_admin").get(reverse("enterprises:detail", args=[ent_a.pk])).content.decode()
    assert 'badge grade-badge bg-dark text-white" data-grade="D"' in html


def test_panel_history_and_gauge_bands(login: Any, ent_a: Any, published: ScoringModel) -> None:
    make_score(ent_a, make_run(published, date(2026, 9, 1)), score=650, current=False)
    make_score(ent_a, make_run(published, date(2026, 10, 1)), score=712)
    panel = login("park_admin").get(reverse("enterprises:detail", args=[ent_a.pk])).context["score_panel"]
    assert panel.history["series"][0]["data"] == [650, 712]
    assert panel.history["categories"] == ["2026-09-01", "2026-10-01"]
    assert panel.gauge["value"] == 712
    assert [band["colour"] for band in panel.gauge["bands"]] == ["black", "red", "yellow", "green"]
    assert [dim.name for dim in panel.dimensions] == ["公共信用合规", "基本情况"]
    assert panel.dimensions[0].points == 12.0 and panel.dimensions[0].max_points == 300


def test_panel_names_the_overrides_that_fired(login: Any, ent_a: Any, published: ScoringModel) -> None:
    score = make_score(ent_a, make_run(published, date(2026, 10, 1)), score=399, grade="D", colour="black")
    score.vetoes = ["court_defaulter"]
    score.caps = ["retired_cap"]  # no longer in the spec: shown by its code
    score.save()
    panel = login("park_admin").get(reverse("enterprises:detail", args=[ent_a.pk])).context["score_panel"]
    assert panel.overrides == ["失信被执行人", "retired_cap"]


def test_panel_shows_how_to_improve_and_from_when(login: Any, ent_a: Any, published: ScoringModel) -> None:
    from decimal import Decimal

    from parkcredit.records.models import Observation

    today = timezone.localdate()
    older = f.make_record(ent_a, decided_on=today - timedelta(days=200))
    f.make_record(ent_a, decided_on=today - timedelta(days=100))
    Observation.objects.create(
        enterprise=ent_a,
        metric="rent_bill",
        period=date(today.year - 1, 1, 1),
        value=Decimal("5000"),
        due_on=date(today.year - 1, 1, 10),
        source=f.data_source(),
    )
    # Two penalties in three years: 600 + 0 + 100 = 700, grade B; either repair or the older one
    # leaving its 1095-day window brings back 150 points and grade A.
    make_score(ent_a, make_run(published, today), score=700, grade="B", colour="yellow")
    response = login("ent_a_user").get(reverse("enterprises:detail", args=[ent_a.pk]))
    steps = response.context["score_panel"].improvements
    repairs = [s for s in steps if "信用修复" in s.text]
    assert len(repairs) == 2 and all(s.grade_after == "A" and s.gain == 150 for s in repairs)
    assert any("缴清" in s.text and "房租账单" in s.text for s in steps)
    (timeline,) = [s for s in steps if s.effective_on is not None]
    assert timeline.effective_on == older.decided_on + timedelta(days=1095)
    assert timeline.grade_after == "A"
    assert [link.pk for link in timeline.records] == [older.pk]
    html = response.content.decode()
    assert 'data-testid="score-improvements"' in html
    assert f"{timeline.effective_on:%Y-%m-%d} 起" in html


def test_reasons_link_only_records_the_viewer_may_open(
    login: Any, ent_a: Any, ent_b: Any, published: ScoringModel
) -> None:
    own = f.make_record(ent_a)
    foreign = f.make_record(ent_b)  # a stray id: the panel must not link another firm's record
    make_score(ent_a, make_run(published, date(2026, 10, 1)), evidence=(own.pk, foreign.pk))
    html = login("ent_a_user").get(reverse("enterprises:detail", args=[ent_a.pk])).content.decode()
    assert reverse("records:detail", args=[own.pk]) in html
    assert reverse("records:detail", args=[foreign.pk]) not in html


# --- overview and runs ---------------------------------------------------------------------------


def test_overview_distribution_trend_and_movers(
    login: Any, ent_a: Any, ent_b: Any, published: ScoringModel
) -> None:
    before = make_run(published, date(2026, 9, 1), enterprises=2)
    after = make_run(published, date(2026, 10, 1), enterprises=2)
    make_score(ent_a, before, score=650, grade="B", colour="yellow", current=False)
    make_score(ent_b, before, score=820, grade="A", colour="green", current=False)
    make_score(ent_a, after, score=850, grade="A", colour="green")
    make_score(ent_b, after, score=550, grade="C", colour="red")
    response = login("inspector").get(reverse("scoring:overview"))
    context = response.context
    assert {row["grade"]: row["count"] for row in context["counts"]} == {"A": 1, "B": 0, "C": 1, "D": 0}
    assert [item["colour"] for item in context["pie"]["items"]] == ["green", "red"]
    assert context["trend"]["categories"] == ["2026-09-01", "2026-10-01"]
    assert [s["data"] for s in context["trend"]["series"]] == [[1, 1], [1, 0], [0, 1], [0, 0]]
    (_, ups, _), (_, downs, _) = context["movers_blocks"]
    assert [m.name for m in ups] == [ent_a.name]
    assert [m.name for m in downs] == [ent_b.name]
    html = response.content.decode()
    assert 'data-testid="movers-up"' in html and 'data-testid="last-run"' in html
    assert b'data-testid="rescore"' not in response.content  # inspectors do not act


def test_overview_empty_park(login: Any) -> None:
    html = login("park_admin").get(reverse("scoring:overview")).content.decode()
    assert "尚无评分结果" in html
    assert 'data-testid="rescore"' in html


def test_runs_page_lists_runs_with_state_and_counts(login: Any, published: ScoringModel) -> None:
    make_run(published, date(2026, 10, 1), counts={"A": 3, "B": 2, "C": 1, "D": 0}, enterprises=6)
    make_run(published, date(2026, 10, 2), state="failed", error="数据库连接中断")
    html = login("dept_staff").get(reverse("scoring:runs")).content.decode()
    assert "A 3" in html and "C 1" in html
    assert "失败" in html and "数据库连接中断" in html


def test_rescore_button_starts_a_job(login: Any, published: ScoringModel, ent_a: Any) -> None:
    response = login("dept_staff").post(reverse("scoring:run_start"))
    job = Job.objects.get(kind="scoring.run")
    assert response.status_code == 302
    assert response.url == reverse("jobs:detail", args=[job.pk])
    run = ScoringRun.objects.get(job=job)
    assert run.model == published


@pytest.mark.parametrize("role", ["inspector", "ent_a_user", "bank_user", "system_admin"])
def test_rescore_is_for_editors_only(role: str, login: Any, published: ScoringModel) -> None:
    assert login(role).post(reverse("scoring:run_start")).status_code == 403
    assert not Job.objects.filter(kind="scoring.run").exists()


def test_rescore_refusal_is_shown(login: Any, monkeypatch: Any) -> None:
    from django.core.exceptions import ValidationError

    from parkcredit.scoring import services

    def refuse(**kwargs: Any) -> Any:
        raise ValidationError({"model": "模型尚未发布,不能用于正式评分"})

    monkeypatch.setattr(services, "scoring_run_start", refuse)
    response = login("park_admin").post(reverse("scoring:run_start"))
    assert response.url == reverse("scoring:overview")
    assert _messages(response) == ["模型尚未发布,不能用于正式评分"]


# --- models and governance -----------------------------------------------------------------------


def _buttons(client: Client, model: ScoringModel) -> set[str]:
    html = client.get(reverse("scoring:model_detail", args=[model.pk])).content.decode()
    return {
        name
        for name in ("draft", "simulate", "approve", "publish", "whatif")
        if f'data-action="{name}"' in html
    }


def test_models_page_lists_versions_with_state(login: Any, simulated: ScoringModel) -> None:
    html = login("inspector").get(reverse("scoring:models")).content.decode()
    assert 'data-state="published"' in html and 'data-state="simulated"' in html
    assert reverse("scoring:model_detail", args=[simulated.pk]) in html


def test_governance_buttons_by_role(
    login: Any,
    published: ScoringModel,
    simulated: ScoringModel,
    park_admin: Any,
    dept_staff: Any,
    inspector: Any,
    client: Client,
) -> None:
    client.force_login(park_admin)
    assert _buttons(client, published) == {"draft"}
    assert _buttons(client, simulated) == {"simulate", "approve", "whatif"}
    client.force_login(dept_staff)  # the creator: may simulate, may not approve
    assert _buttons(client, simulated) == {"simulate", "whatif"}
    client.force_login(inspector)
    assert _buttons(client, published) == set()
    assert _buttons(client, simulated) == set()
    simulated.state = ModelState.APPROVED
    simulated.approved_by = park_admin
    simulated.save()
    client.force_login(dept_staff)
    assert _buttons(client, simulated) == set()
    client.force_login(park_admin)
    assert _buttons(client, simulated) == {"publish"}


def test_model_detail_shows_yaml_diff_and_simulation(
    login: Any, published: ScoringModel, dept_staff: Any
) -> None:
    changed = (
        SPEC_YAML.replace("base_score: 600", "base_score: 650")
        .replace("{grade: A, min_score: 800", "{grade: A, min_score: 850")
        .replace("max_score: 799", "max_score: 849")
    )
    changed = changed.replace(
        "max_points: 100\n        points: {linear: {intercept: 0, slope: 20, min: 0, max: 100}}",
        "max_points: 50\n        points: {linear: {intercept: 0, slope: 10, min: 0, max: 50}}",
    )
    draft = make_model(
        ModelState.SIMULATED,
        version=2,
        spec_yaml=changed,
        created_by=dept_staff,
        simulation={
            "as_of": "2026-10-01",
            "enterprises": 10,
            "grades": ["A", "B", "C", "D"],
            "bins": [[0, 500], [500, 1000]],
            "draft": {"grades": {"A": 3}, "histogram": [2, 8], "mean": 700},
            "published": {"grades": {"A": 5}, "histogram": [1, 9], "mean": 720},
            "matrix": {
                "A": {"A": 3, "B": 2, "C": 0, "D": 0},
                "B": {"A": 0, "B": 4, "C": 1, "D": 0},
                "C": {"A": 0, "B": 0, "C": 0, "D": 0},
                "D": {"A": 0, "B": 0, "C": 0, "D": 0},
            },
            "changed": 3,
            "upgraded": 0,
            "downgraded": 3,
        },
    )
    response = login("inspector").get(reverse("scoring:model_detail", args=[draft.pk]))
    html = response.content.decode()
    assert "base_score: 650" in html  # the YAML
    assert any("base_score" in line and "600" in line and "650" in line for line in response.context["diff"])
    assert 'data-testid="migration-matrix"' in html
    rows = response.context["matrix"]
    assert [cell.count for cell in rows[0].cells] == [3, 2, 0, 0]
    assert rows[0].cells[0].css == "bg-azure-lt"  # unchanged
    assert rows[0].cells[1].css == "bg-red text-white"  # 2 of 5 moved down: strong
    assert rows[1].cells[2].css == "bg-red text-white"
    assert rows[2].cells[0].css == "text-secondary"
    chart = response.context["distribution_chart"]
    assert chart["categories"] == ["0-499", "500-999"]
    assert [s["data"] for s in chart["series"]] == [[1, 9], [2, 8]]


def test_published_model_has_no_diff(login: Any, published: ScoringModel) -> None:
    response = login("park_admin").get(reverse("scoring:model_detail", args=[published.pk]))
    assert response.context["diff"] is None
    assert "本版本即现行发布模型" in response.content.decode()


def _act(client: Client, model: ScoringModel, action: str) -> Any:
    return client.post(reverse("scoring:model_action", args=[model.pk]), {"action": action})


def test_create_draft_from_published(login: Any, published: ScoringModel) -> None:
    response = _act(login("dept_staff"), published, "draft")
    draft = ScoringModel.objects.get(state=ModelState.DRAFT)
    assert response.url == reverse("scoring:model_detail", args=[draft.pk])
    assert draft.base == published and draft.spec_yaml == published.spec_yaml
    assert draft.created_by is not None and draft.created_by.username == "dept_staff"


def test_simulate_then_approve_by_a_second_person_then_publish(
    login: Any, published: ScoringModel, ent_a: Any, park_admin: Any, dept_staff: Any, client: Client
) -> None:
    client.force_login(dept_staff)
    _act(client, published, "draft")
    draft = ScoringModel.objects.get(state=ModelState.DRAFT)
    response = _act(client, draft, "simulate")
    draft.refresh_from_db()
    assert draft.state == ModelState.SIMULATED and draft.simulation["enterprises"] >= 1
    assert "模拟完成,请查看等级迁移矩阵" in _messages(response)

    response = _act(client, draft, "approve")  # the creator
    draft.refresh_from_db()
    assert draft.state == ModelState.SIMULATED
    assert any("创建人" in message for message in _messages(response))

    client.force_login(park_admin)
    _act(client, draft, "approve")
    draft.refresh_from_db()
    assert draft.state == ModelState.APPROVED and draft.approved_by == park_admin
    _act(client, draft, "publish")
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.state == ModelState.PUBLISHED and published.state == ModelState.RETIRED


def test_dept_staff_may_not_publish(login: Any, simulated: ScoringModel, park_admin: Any) -> None:
    simulated.state = ModelState.APPROVED
    simulated.approved_by = park_admin
    simulated.save()
    response = _act(login("dept_staff"), simulated, "publish")
    simulated.refresh_from_db()
    assert simulated.state == ModelState.APPROVED
    assert _messages(response) == ["只有园区管理员可以发布评价模型"]


def test_wrong_state_and_unknown_action_are_explained(login: Any, published: ScoringModel) -> None:
    client = login("park_admin")
    response = _act(client, published, "approve")
    assert "不能审核" in _messages(response)[0]
    response = _act(client, published, "explode")
    assert _messages(response)[-1] == "未知操作:explode"


@pytest.mark.parametrize("role", ["inspector", "ent_a_user", "auditor"])
def test_actions_refused_to_non_editors(role: str, login: Any, simulated: ScoringModel) -> None:
    assert _act(login(role), simulated, "simulate").status_code == 403
    simulated.refresh_from_db()
    assert simulated.simulated_at is None


def test_rescore_job_page_shows_the_grade_counts(login: Any, published: ScoringModel, ent_a: Any) -> None:
    client = login("park_admin")
    response = client.post(reverse("scoring:run_start"), follow=True)
    html = response.content.decode()
    assert 'data-testid="scoring-run-result"' in html
    run = ScoringRun.objects.get()
    assert run.state == "succeeded" and run.enterprises >= 1
    assert reverse("scoring:overview") in html


def test_no_improvement_path_outside_the_park_or_without_a_spec(
    login: Any, ent_a: Any, published: ScoringModel
) -> None:
    from parkcredit.scoring.presentation import improvement_path

    score = make_score(ent_a, make_run(published, timezone.localdate()))
    assert improvement_path(score=score, spec=None) == []
    ent_a.in_park = False
    ent_a.save()
    html = login("park_admin").get(reverse("enterprises:detail", args=[ent_a.pk])).content.decode()
    assert "暂无可提升的事项" in html


def test_panel_survives_a_model_whose_spec_no_longer_parses(login: Any, ent_a: Any) -> None:
    broken = make_model(ModelState.RETIRED, version=9, spec_yaml="code: [unclosed")
    make_score(ent_a, make_run(broken, date(2026, 10, 1)), score=640, grade="C", colour="")
    panel = login("park_admin").get(reverse("enterprises:detail", args=[ent_a.pk])).context["score_panel"]
    assert panel.score.score == 640
    assert panel.colour == "red"  # from the grade when the row has no colour
    assert panel.gauge["bands"] == [] and panel.improvements == []
    assert [dim.name for dim in panel.dimensions] == ["compliance", "basic"]  # codes stand in for names
