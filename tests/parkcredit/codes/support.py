"""Building blocks for the codes tests: give an enterprise a current grade, issue its code."""

from __future__ import annotations

from django.utils import timezone

from parkcredit.codes.models import EnterpriseCode
from parkcredit.codes.services import code_issue
from parkcredit.enterprises.models import Enterprise
from parkcredit.scoring.models import ModelState, Score, ScoringModel
from tests.parkcredit.scoring.test_views_support import make_model, make_run, make_score

COLOURS = {"A": "green", "B": "yellow", "C": "red", "D": "black"}
SCORES = {"A": 850, "B": 700, "C": 500, "D": 300}


def give_grade(enterprise: Enterprise, grade: str = "B") -> Score:
    """A current score with `grade` for the enterprise (the published test model, made if needed)."""
    model = ScoringModel.objects.filter(state=ModelState.PUBLISHED).first() or make_model(
        version=ScoringModel.objects.count() + 1
    )
    run = make_run(model, timezone.localdate())
    return make_score(enterprise, run, score=SCORES[grade], grade=grade, colour=COLOURS[grade])


def issued_code(enterprise: Enterprise, grade: str = "B") -> EnterpriseCode:
    give_grade(enterprise, grade)
    return code_issue(actor=None, enterprise=enterprise)
