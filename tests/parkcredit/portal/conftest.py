"""Fixtures for the portal tests: a published model and graded enterprises."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from parkcredit.enterprises.models import Enterprise
from parkcredit.scoring.models import ScoringModel, ScoringRun
from tests.parkcredit.scoring.test_views_support import make_model, make_run, make_score


@pytest.fixture(autouse=True)
def _passwords_not_due(settings: Any) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 0


@pytest.fixture
def published_model(db: Any) -> ScoringModel:
    return make_model()


@pytest.fixture
def run(published_model: ScoringModel) -> ScoringRun:
    return make_run(published_model, date(2026, 11, 1))


@pytest.fixture
def grade(run: ScoringRun) -> Any:
    """`grade(enterprise, "A")` gives the enterprise a current score of that grade."""
    points = {"A": 900, "B": 700, "C": 500, "D": 300}
    colours = {"A": "green", "B": "yellow", "C": "red", "D": "black"}

    def _grade(enterprise: Enterprise, letter: str) -> Any:
        return make_score(enterprise, run, score=points[letter], grade=letter, colour=colours[letter])

    return _grade
