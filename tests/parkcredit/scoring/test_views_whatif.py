"""The what-if page of a draft model: the form, live re-scoring via htmx, errors, and saving."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from creditcore.scoring.spec import CappedLinear, Missing, Piecewise, load_spec
from parkcredit.scoring.forms import WhatIfForm, band_field, indicator_field, reweighted
from parkcredit.scoring.models import ModelState, ScoringModel
from tests import factories as f
from tests.parkcredit.scoring.test_views_support import SPEC_YAML, make_model

pytestmark = pytest.mark.django_db

SPEC = load_spec(SPEC_YAML)


@pytest.fixture(autouse=True)
def _passwords_not_due(settings: Any) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 0


@pytest.fixture
def draft(dept_staff: Any) -> ScoringModel:
    published = make_model(ModelState.PUBLISHED, version=1)
    return make_model(ModelState.DRAFT, version=2, created_by=dept_staff, base=published)


@pytest.fixture
def park(ent_a: Any) -> Any:
    # One penalty this year: 600 base + 150 + 100 (founded 2015) = 850, grade A under the spec.
    f.make_record(ent_a, decided_on=timezone.localdate().replace(day=1))
    return ent_a


def _data(**changes: int) -> dict[str, int]:
    data = {indicator_field(ind.code): ind.max_points for ind in SPEC.indicators}
    data |= {band_field(band.grade): band.min_score for band in SPEC.bands_desc[:-1]}
    data |= {key.replace("ind_", "ind__").replace("band_", "band__"): value for key, value in changes.items()}
    return data


def _url(model: ScoringModel) -> str:
    return reverse("scoring:whatif", args=[model.pk])


# --- the form ------------------------------------------------------------------------------------


def test_reweighting_scales_the_points_map() -> None:
    penalties, age = SPEC.indicators
    halved = reweighted(penalties, 150)
    assert halved.max_points == 150
    assert isinstance(halved.points, Piecewise)
    assert halved.points.breaks == ((1, 150.0), (2, 75.0), (None, 0.0))
    doubled = reweighted(age, 200)
    assert isinstance(doubled.points, CappedLinear)
    assert (doubled.points.slope, doubled.points.max_points) == (40.0, 200.0)
    assert reweighted(age, 100) is age
    fixed = dataclasses.replace(age, missing=Missing(rule="points", points=40))
    assert reweighted(fixed, 50).missing == Missing(rule="points", points=20.0)


def test_form_builds_a_valid_spec_and_moves_the_base_score() -> None:
    form = WhatIfForm(_data(ind_age=50, band_A=900), spec=SPEC)
    assert form.is_valid(), form.errors
    edited = form.edited_spec()
    assert edited.base_score == 650
    assert [(b.grade, b.min_score, b.max_score) for b in edited.bands_desc] == [
        ("A", 900, 1000),
        ("B", 600, 899),
        ("C", 400, 599),
        ("D", 0, 399),
    ]


def test_form_rejects_bands_out_of_order_naming_the_field() -> None:
    form = WhatIfForm(_data(band_B=850), spec=SPEC)
    assert not form.is_valid()
    assert form.errors[band_field("B")] == ["B 级下限 850 必须低于 A 级下限 800"]


def test_form_rejects_weights_over_1000() -> None:
    form = WhatIfForm(_data(ind_penalties=950), spec=SPEC)
    assert not form.is_valid()
    assert "各指标满分合计 1050 超过 1000 分" in form.non_field_errors()[0]


def test_form_reports_spec_problems() -> None:
    # An indicator weighted from 0 cannot be scaled back up: its map stays at 0 points.
    zero = WhatIfForm(_data(ind_age=0), spec=SPEC)
    assert zero.is_valid()
    again = WhatIfForm(_data(ind_age=100), spec=zero.edited_spec())
    assert not again.is_valid()
    assert "max_points=100" in again.non_field_errors()[0]


def test_edited_spec_needs_a_valid_form() -> None:
    with pytest.raises(ValueError):
        WhatIfForm(_data(band_B=850), spec=SPEC).edited_spec()


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("park_admin", 200),
        ("dept_staff", 200),
        ("inspector", 403),
        ("ent_a_user", 403),
        ("bank_user", 403),
        ("system_admin", 403),
        ("anon", 302),
    ],
)
def test_whatif_page_by_role(role: str, status: int, login: Any, draft: ScoringModel) -> None:
    assert login(role).get(_url(draft)).status_code == status


def test_whatif_page_shows_the_form_and_the_current_migration(
    login: Any, draft: ScoringModel, park: Any
) -> None:
    response = login("dept_staff").get(_url(draft))
    html = response.content.decode()
    assert 'hx-trigger="change delay:500ms"' in html
    assert f'name="{indicator_field("penalties")}"' in html and f'name="{band_field("A")}"' in html
    rows = response.context["whatif"]["matrix"]
    assert rows[0].cells[0].count == 1  # same spec: A stays A


def test_whatif_htmx_returns_the_migration_fragment_and_saves_nothing(
    login: Any, draft: ScoringModel, park: Any
) -> None:
    before = ScoringModel.objects.count()
    response = login("dept_staff").post(_url(draft), _data(band_A=900), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="whatif-result"' not in html  # the inside of the target
    assert 'data-testid="migration-matrix"' in html
    assert 'data-chart-spec="{' in html  # the chart spec rides in an attribute: htmx drops scripts
    rows = response.context["whatif"]["matrix"]
    assert [cell.count for cell in rows[0].cells] == [0, 1, 0, 0]  # 850: A -> B
    assert response.context["whatif"]["simulation"]["downgraded"] == 1
    assert ScoringModel.objects.count() == before


def test_whatif_htmx_shows_errors(login: Any, draft: ScoringModel) -> None:
    response = login("dept_staff").post(_url(draft), _data(band_B=850), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="whatif-errors"' in html
    assert "B 级下限 850 必须低于 A 级下限 800" in html
    assert response.context.get("whatif") is None


def test_whatif_save_creates_a_new_draft(login: Any, draft: ScoringModel, dept_staff: Any) -> None:
    response = login("park_admin").post(_url(draft), {**_data(band_A=900, ind_age=50), "save": "1"})
    saved = ScoringModel.objects.order_by("-version").first()
    assert saved is not None and saved.version == 3
    assert response.url == reverse("scoring:model_detail", args=[saved.pk])
    spec = load_spec(saved.spec_yaml)
    assert spec.band_by_grade("A").min_score == 900 and spec.base_score == 650
    assert saved.state == ModelState.DRAFT and saved.base == draft.base
    assert saved.created_by is not None and saved.created_by.username == "park_admin"


def test_whatif_is_only_for_drafts(login: Any, draft: ScoringModel) -> None:
    published = draft.base
    assert published is not None
    response = login("dept_staff").get(_url(published))
    assert response.url == reverse("scoring:model_detail", args=[published.pk])


def test_whatif_missing_model_is_404(login: Any) -> None:
    assert login("dept_staff").get(reverse("scoring:whatif", args=[999999])).status_code == 404


def test_as_of_is_today(login: Any, draft: ScoringModel) -> None:
    response = login("dept_staff").get(_url(draft))
    assert response.context["whatif"]["simulation"]["as_of"] == timezone.localdate().isoformat()


def test_whatif_save_refusal_is_shown(login: Any, draft: ScoringModel, monkeypatch: Any) -> None:
    from django.core.exceptions import ValidationError

    from parkcredit.scoring import services

    def refuse(**kwargs: Any) -> Any:
        raise ValidationError({"spec_yaml": "另一位用户刚刚保存了同一模型的新版本,请重试"})

    monkeypatch.setattr(services, "model_create_draft", refuse)
    before = ScoringModel.objects.count()
    response = login("dept_staff").post(_url(draft), {**_data(band_A=900), "save": "1"})
    assert response.status_code == 200  # the page again, with the message and the edited values
    assert "另一位用户刚刚保存了同一模型的新版本" in response.content.decode()
    assert 'value="900"' in response.content.decode()
    assert ScoringModel.objects.count() == before
