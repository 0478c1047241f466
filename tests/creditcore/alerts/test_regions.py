"""Region roll-ups and region rules on hand-counted parks."""

from __future__ import annotations

import numpy as np
import pytest

from creditcore.alerts.regions import RegionRow, aggregate, crossed, region_hits
from creditcore.alerts.rules import RuleError, RuleSpec, validate_params


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


def _rows() -> list[RegionRow]:
    # Building B7: 3 of 10 graded C/D; B8: 1 of 2 (too small); "" (no building): 2 of 10.
    keys = ["B7"] * 10 + ["B8"] * 2 + [""] * 10
    grades = ["C", "D", "C", *"BBBBBBB", "D", "B", "C", "C", *"BBBBBBBB"]
    return aggregate(
        np.array(keys, dtype=object),
        np.array(grades, dtype=object),
        np.full(len(keys), 600.0),
        np.full(len(keys), np.nan),
        np.array([0] * 20 + [1, 1]),
    )


def _rule(**params: object) -> RuleSpec:
    return RuleSpec(
        "region_building", "region", {"levels": ["building"], **params}, "critical", "楼宇风险聚集"
    )


def test_region_hits_need_the_minimum_size_and_a_real_region() -> None:
    hits = region_hits({"building": _rows()}, _rule(), {("building", "B7"): "7号楼"})
    assert [(h.level, h.key, h.label) for h in hits] == [("building", "B7", "7号楼")]
    (hit,) = hits
    assert hit.rule_code == "region_building" and hit.severity == "critical"
    assert hit.facts["crossed"] == ["cd_share"] and hit.facts["cd_share"] == 0.3
    assert hit.facts["thresholds"] == {"cd_share": 0.2, "alerts_per_100": 30.0, "min_enterprises": 10}
    assert hit.summary == "楼宇“7号楼”:C/D 级企业占比 30%(阈值 20%,已评级 10 家)"
    # With a minimum of 2, the two-firm building counts; enterprises without a building never do.
    small = region_hits({"building": _rows()}, _rule(min_enterprises=2))
    assert [h.key for h in small] == ["B7", "B8"]
    # Levels the rule does not cover are not looked at.
    assert region_hits({"building": _rows()}, _rule(levels=["zone"])) == []


def test_alert_density_is_a_threshold_of_its_own() -> None:
    rows = aggregate(
        np.array(["Z"] * 10, dtype=object),
        np.array([""] * 10, dtype=object),  # nobody graded: the C/D share cannot fire
        np.full(10, np.nan),
        np.full(10, np.nan),
        np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0]),
    )
    (hit,) = region_hits({"zone": rows}, _rule(levels=["zone"]))
    assert hit.facts["crossed"] == ["alerts_per_100"] and hit.facts["alerts_per_100"] == 30.0
    assert "每百家企业未关闭预警 30 条(阈值 30,共 10 家企业)" in hit.summary
    assert region_hits({"zone": rows}, _rule(levels=["zone"], alerts_per_100=31)) == []
    assert crossed(rows[0], cd_share=0.2, alerts_per_100=30, min_enterprises=11) == ()


def test_flagged_respects_the_minimum_size() -> None:
    by_key = {r.key: r for r in _rows()}
    assert by_key["B8"].flagged  # no minimum: one D of two is 50 %
    small = {
        r.key: r
        for r in aggregate(
            np.array(["B8", "B8"], dtype=object),
            np.array(["D", "B"], dtype=object),
            np.full(2, 600.0),
            np.full(2, np.nan),
            np.array([0, 0]),
            min_enterprises=10,
        )
    }
    assert not small["B8"].flagged


def test_region_rule_parameters_are_validated_by_name_and_value() -> None:
    assert validate_params("region", {"levels": "zone,building", "cd_share": "0.3"}) == {
        "levels": ["zone", "building"],
        "cd_share": 0.3,
        "alerts_per_100": 30.0,
        "min_enterprises": 10,
    }
    with pytest.raises(RuleError, match=r"C/D 级占比阈值.*cd_share.*1\.5.*超出范围"):
        validate_params("region", {"cd_share": 1.5})
    with pytest.raises(RuleError, match=r"区域层级.*street"):
        validate_params("region", {"levels": ["street"]})
    with pytest.raises(RuleError, match=r"最少企业数.*ten.*不是整数"):
        validate_params("region", {"min_enterprises": "ten"})
