"""An import batch moves grades: it rescores what it touched once it commits."""

from __future__ import annotations

from typing import Any

import pytest

from parkcredit.accounts.models import User
from parkcredit.jobs.models import Job
from parkcredit.records.importing import services
from parkcredit.records.importing.services import import_batch_undo, import_run
from parkcredit.records.models import ImportBatch
from parkcredit.scoring.models import Score
from parkcredit.scoring.services import model_seed
from tests.parkcredit.records.importing.helpers import penalty_csv, penalty_line

pytestmark = pytest.mark.django_db


def _import(actor: User, ent: Any, *refs: str) -> Any:
    lines = [penalty_line(ent.name, ent.uscc, ref) for ref in refs]
    return import_run(actor=actor, profile="penalty", data=penalty_csv(*lines), file_name="p.csv")


def test_a_small_batch_rescores_its_enterprises_after_commit(
    park_admin: User, ent_a: Any, ent_b: Any, django_capture_on_commit_callbacks: Any
) -> None:
    model_seed(actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        _import(park_admin, ent_a, "豫罚〔2025〕101号", "豫罚〔2025〕102号")
    assert Score.objects.filter(enterprise=ent_a, is_current=True).exists()
    assert not Score.objects.filter(enterprise=ent_b).exists()


def test_a_batch_that_writes_nothing_rescores_nothing(
    park_admin: User, ent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    model_seed(actor=None)
    _import(park_admin, ent_a, "豫罚〔2025〕103号")
    Score.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _import(park_admin, ent_a, "豫罚〔2025〕103号")  # a pure duplicate
    assert callbacks == []
    assert not Score.objects.exists()


def test_a_large_batch_starts_one_full_rescore_job(
    park_admin: User, ent_a: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    model_seed(actor=None)
    monkeypatch.setattr(services, "FULL_RESCORE_ROWS", 2)
    with django_capture_on_commit_callbacks(execute=True):
        _import(park_admin, ent_a, "豫罚〔2025〕201号", "豫罚〔2025〕202号", "豫罚〔2025〕203号")
    assert Job.objects.filter(kind__startswith="scoring").count() == 1
    assert Score.objects.filter(enterprise=ent_a, is_current=True).exists()


def test_undo_rescores_the_enterprises_again(
    park_admin: User, ent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    model_seed(actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        report = _import(park_admin, ent_a, "豫罚〔2025〕301号")
    before = Score.objects.filter(enterprise=ent_a).count()
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_undo(actor=park_admin, batch=ImportBatch.objects.get(pk=report.batch_id))
    assert Score.objects.filter(enterprise=ent_a).count() == before + 1
