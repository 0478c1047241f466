"""Signal receivers of the codes app: a grade change re-issues the enterprise's code."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from parkcredit.scoring.signals import grades_changed


@receiver(grades_changed, dispatch_uid="codes.reissue_on_grade_change")
def reissue_on_grade_change(
    sender: Any, *, changes: list[tuple[int, str | None, str]], **kwargs: Any
) -> None:
    from parkcredit.codes.services import code_reissue_on_grade_change

    code_reissue_on_grade_change(changes=changes)
