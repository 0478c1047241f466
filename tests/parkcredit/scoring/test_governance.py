"""Model governance: draft -> simulated -> approved by a second person -> published, all audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from parkcredit.audit.models import AuditEntry
from parkcredit.scoring.models import ModelState, RunKind, ScoringModel, ScoringRun
from parkcredit.scoring.services import (
    model_approve,
    model_create_draft,
    model_publish,
    model_seed,
    model_simulate,
)
from tests.parkcredit.scoring.conftest import AS_OF, SMALL_YAML

pytestmark = pytest.mark.django_db

# Raising the B band's floor to 750 moves the late payer (740 points) from B down to C.
STRICTER = SMALL_YAML.replace("min_score: 650, max_score: 799", "min_score: 750, max_score: 799").replace(
    "min_score: 500, max_score: 649", "min_score: 500, max_score: 749"
)


def audited(action: str, model: ScoringModel) -> bool:
    return AuditEntry.objects.filter(action=action, object_id=str(model.pk)).exists()


def test_seed_publishes_default_model_once() -> None:
    first = model_seed()
    assert first.state == ModelState.PUBLISHED
    assert first.version == 1
    assert first.name == "园区企业信用评价模型"
    again = model_seed()
    assert again.pk == first.pk
    assert ScoringModel.objects.count() == 1
    assert AuditEntry.objects.filter(action="scoring.model_seeded").count() == 1


def test_seed_keeps_an_existing_published_model(published: ScoringModel) -> None:
    assert model_seed().pk == published.pk


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("park_admin", True),
        ("dept_staff", True),
        ("inspector", False),
        ("ent_a_user", False),
        ("bank_user", False),
        ("system_admin", False),
        ("auditor", False),
    ],
)
def test_who_may_draft(who: str, allowed: bool, request: pytest.FixtureRequest, published: Any) -> None:
    actor = request.getfixturevalue(who)
    if allowed:
        draft = model_create_draft(actor=actor, spec_yaml=STRICTER, base=published)
        assert draft.state == ModelState.DRAFT
        assert draft.version == 2
        assert draft.created_by == actor
        assert audited("scoring.model_drafted", draft)
    else:
        with pytest.raises(PermissionDenied):
            model_create_draft(actor=actor, spec_yaml=STRICTER)
        assert ScoringModel.objects.count() == 1


def test_anonymous_may_not_draft(db: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        model_create_draft(actor=AnonymousUser(), spec_yaml=SMALL_YAML)


def test_invalid_spec_reports_paths_in_chinese(dept_staff: Any) -> None:
    bad = SMALL_YAML.replace("kinds: [penalty]", "kinds: [no-such-kind]")
    with pytest.raises(ValidationError) as err:
        model_create_draft(actor=dept_staff, spec_yaml=bad)
    messages = err.value.message_dict["spec_yaml"]
    assert any("dimensions[0].indicators[0].kinds[0]" in m for m in messages)
    assert any("no-such-kind" in m for m in messages)
    assert not ScoringModel.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "code: [unclosed"])
def test_empty_or_broken_yaml(dept_staff: Any, text: str) -> None:
    with pytest.raises(ValidationError) as err:
        model_create_draft(actor=dept_staff, spec_yaml=text)
    assert err.value.message_dict["spec_yaml"]


def test_base_of_another_code_refused(dept_staff: Any, published: ScoringModel) -> None:
    other = SMALL_YAML.replace("code: test_model", "code: other_model")
    with pytest.raises(ValidationError) as err:
        model_create_draft(actor=dept_staff, spec_yaml=other, base=published)
    assert "other_model" in str(err.value)


def test_full_lifecycle(dept_staff: Any, park_admin: Any, published: ScoringModel, park: Any) -> None:
    draft = model_create_draft(actor=dept_staff, spec_yaml=STRICTER, base=published)
    simulated = model_simulate(actor=dept_staff, model=draft, as_of=AS_OF)
    assert simulated.state == ModelState.SIMULATED
    sim = simulated.simulation
    assert sim["enterprises"] == 3
    assert sim["baseline"] == {"id": published.pk, "version": 1}
    assert sum(sum(row.values()) for row in sim["matrix"].values()) == 3
    assert sum(sim["draft"]["histogram"]) == 3
    assert sum(sim["published"]["grades"].values()) == 3
    assert sim["changed"] == sim["downgraded"] == 1
    assert sim["matrix"]["B"]["C"] == 1
    assert sim["matrix"]["A"]["A"] == 1
    assert audited("scoring.model_simulated", simulated)

    with pytest.raises(PermissionDenied):
        model_approve(actor=dept_staff, model=simulated)  # the creator cannot approve
    approved = model_approve(actor=park_admin, model=simulated)
    assert approved.state == ModelState.APPROVED
    assert approved.approved_by == park_admin
    assert audited("scoring.model_approved", approved)

    with pytest.raises(PermissionDenied):
        model_publish(actor=dept_staff, model=approved)
    live = model_publish(actor=park_admin, model=approved)
    assert live.state == ModelState.PUBLISHED
    published.refresh_from_db()
    assert published.state == ModelState.RETIRED
    assert published.retired_at is not None
    assert audited("scoring.model_published", live)
    assert audited("scoring.model_retired", published)


def test_publish_starts_full_rescore(
    dept_staff: Any,
    park_admin: Any,
    published: ScoringModel,
    park: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    draft = model_simulate(
        actor=dept_staff, model=model_create_draft(actor=dept_staff, spec_yaml=STRICTER), as_of=AS_OF
    )
    approved = model_approve(actor=park_admin, model=draft)
    with django_capture_on_commit_callbacks(execute=True):
        live = model_publish(actor=park_admin, model=approved)
    run = ScoringRun.objects.get(model=live)
    assert run.kind == RunKind.FULL
    assert run.scores.filter(is_current=True).count() == 3


def test_simulate_without_published_model(dept_staff: Any, park: Any) -> None:
    draft = model_simulate(
        actor=dept_staff, model=model_create_draft(actor=dept_staff, spec_yaml=SMALL_YAML), as_of=AS_OF
    )
    assert draft.simulation["matrix"] is None
    assert draft.simulation["published"] is None
    assert draft.simulation["baseline"] is None


def test_steps_out_of_order_refused(dept_staff: Any, park_admin: Any, published: ScoringModel) -> None:
    draft = model_create_draft(actor=dept_staff, spec_yaml=STRICTER)
    with pytest.raises(ValidationError) as err:
        model_approve(actor=park_admin, model=draft)
    assert "草稿" in str(err.value)
    with pytest.raises(ValidationError):
        model_publish(actor=park_admin, model=draft)
    with pytest.raises(ValidationError):
        model_simulate(actor=dept_staff, model=published)
    assert ScoringModel.objects.get(pk=draft.pk).state == ModelState.DRAFT


@pytest.mark.parametrize(
    ("who", "allowed"), [("inspector", False), ("bank_user", False), ("park_admin", True)]
)
def test_who_may_simulate_and_approve(
    who: str, allowed: bool, request: pytest.FixtureRequest, dept_staff: Any, published: ScoringModel
) -> None:
    actor = request.getfixturevalue(who)
    draft = model_create_draft(actor=dept_staff, spec_yaml=STRICTER)
    if not allowed:
        with pytest.raises(PermissionDenied):
            model_simulate(actor=actor, model=draft, as_of=AS_OF)
        simulated = model_simulate(actor=dept_staff, model=draft, as_of=AS_OF)
        with pytest.raises(PermissionDenied):
            model_approve(actor=actor, model=simulated)
    else:
        simulated = model_simulate(actor=actor, model=draft, as_of=AS_OF)
        assert model_approve(actor=actor, model=simulated).state == ModelState.APPROVED


def test_database_refuses_self_approval(dept_staff: Any) -> None:
    model = ScoringModel(code="x", version=1, name="x", spec_yaml=SMALL_YAML, created_by=dept_staff)
    model.save()
    model.approved_by = dept_staff
    with pytest.raises(IntegrityError), transaction.atomic():
        model.save()


def test_database_refuses_two_published(published: ScoringModel) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringModel.objects.create(
            code="test_model", version=2, name="x", spec_yaml="", state=ModelState.PUBLISHED
        )


def test_versions_are_unique_per_code(published: ScoringModel) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringModel.objects.create(code="test_model", version=1, name="x", spec_yaml="")
