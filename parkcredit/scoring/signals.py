"""Signals of the scoring app.

`grades_changed` is sent once a scoring run (full or incremental) has committed scores that
changed some enterprises' current grade. Keyword arguments: `run` (the ScoringRun) and
`changes`, a list of `(enterprise_id, old_grade or None, new_grade)`; an enterprise graded for
the first time has old grade None. Subscribers: enterprise codes are re-issued
(`parkcredit.codes.receivers`); alert rules may watch for downgrades. Receivers run after the
commit and through `send_robust`: a failing receiver is logged and never undoes the scores.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

grades_changed = Signal()

GradeChange = tuple[int, str | None, str]


def current_grades(enterprise_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Enterprise id -> current grade, for all enterprises or the given ones (read before a write)."""
    from parkcredit.scoring.models import Score

    current = Score.objects.filter(is_current=True)
    if enterprise_ids is not None:
        current = current.filter(enterprise_id__in=list(enterprise_ids))
    return dict(current.order_by().values_list("enterprise_id", "grade"))


def grade_changes(before: dict[int, str], scores: Iterable[Any]) -> list[GradeChange]:
    """The `(enterprise_id, old, new)` triples of the scores that became current with another grade."""
    return [
        (score.enterprise_id, before.get(score.enterprise_id), score.grade)
        for score in scores
        if score.is_current and before.get(score.enterprise_id) != score.grade
    ]


def grades_changed_on_commit(*, run: Any, before: dict[int, str], scores: Iterable[Any]) -> None:
    """Send `grades_changed` for `scores` once the current transaction commits (if any changed)."""
    changes = grade_changes(before, scores)
    if not changes:
        return

    def send() -> None:
        for receiver, result in grades_changed.send_robust(sender=type(run), run=run, changes=changes):
            if isinstance(result, Exception):
                logger.error("grades_changed receiver %r failed", receiver, exc_info=result)

    transaction.on_commit(send)
