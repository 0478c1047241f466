"""Region roll-ups on a hand-counted park."""

from __future__ import annotations

import numpy as np

from creditcore.alerts.regions import aggregate


def test_share_of_cd_trend_and_alert_concentration() -> None:
    rows = aggregate(
        keys=np.array(["A1", "A1", "A1", "A1", "B1", "B1"], dtype=object),
        grade=np.array(["A", "C", "D", "", "B", "B"], dtype=object),
        score=np.array([800, 550, 400, np.nan, 700, 720], dtype=float),
        previous_score=np.array([820, 600, np.nan, np.nan, 690, np.nan], dtype=float),
        open_alerts=np.array([0, 1, 2, 0, 0, 0]),
        cd_share_threshold=0.5,
        alerts_threshold=50.0,
    )
    a1, b1 = rows
    assert a1.key == "A1" and a1.enterprises == 4 and a1.graded == 3
    assert a1.cd_share == round(2 / 3, 4)
    assert a1.avg_score == round((800 + 550 + 400) / 3, 1)
    assert a1.score_change == -35.0  # (-20 - 50) / 2
    assert (a1.open_alerts, a1.alerted, a1.alerts_per_100) == (3, 2, 75.0)
    assert a1.flagged and a1.risk == 1.0 * min(1.0, max((2 / 3) / 0.5, 75 / 50) / 2)
    assert b1.cd_share == 0.0 and not b1.flagged and b1.score_change == 10.0


def test_empty_park() -> None:
    empty = np.array([], dtype=object)
    assert aggregate(empty, empty, np.array([]), np.array([]), np.array([])) == []
