"""The database as alert inputs: the grade frame's current and previous grade."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from parkcredit.alerts.extract import grades_frame
from tests import factories as f
from tests.parkcredit.alerts.support import today
from tests.parkcredit.scoring.test_views_support import make_model, make_run, make_score


def test_previous_grade_is_the_score_before_the_current_one(db: Any) -> None:
    model = make_model()
    day = today()
    runs = [make_run(model, day - timedelta(days=d)) for d in (60, 30, 0)]
    downgraded, single, unscored = f.make_enterprise(), f.make_enterprise(), f.make_enterprise()
    make_score(downgraded, runs[0], grade="A", colour="green")
    make_score(downgraded, runs[1], grade="C", colour="red")
    # A newer score that is not current (say, another run not published): not "the score before".
    make_score(downgraded, runs[2], grade="B", colour="yellow", current=False)
    make_score(single, runs[1], grade="B", colour="yellow")
    frame = grades_frame()
    by_id = {
        int(e): (str(g), str(p))
        for e, g, p in zip(frame["enterprise_id"], frame["grade"], frame["previous_grade"], strict=True)
    }
    assert by_id[downgraded.pk] == ("C", "A")
    assert by_id[single.pk] == ("B", "")
    assert unscored.pk not in by_id
    only = grades_frame([single.pk])
    assert only["enterprise_id"].tolist() == [single.pk]
