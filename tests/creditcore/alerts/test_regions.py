"""Region roll-ups and region rules on hand-counted parks, with and without the comparison with the park."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from creditcore.alerts.regions import (
    ParkFigures,
    RegionRow,
    aggregate,
    bars,
    crossed,
    park_figures,
    region_hits,
)
from creditcore.alerts.rules import FAMILIES, RuleError, RuleSpec, default_rules, validate_params


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
    # A rule stored without vs_park (as `_rule` builds it) compares with the thresholds alone.
    assert hit.facts["thresholds"] == {
        "cd_share": 0.2,
        "alerts_per_100": 30.0,
        "min_enterprises": 10,
        "vs_park": 1.0,
    }
    assert hit.facts["park"] is None
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
        "vs_park": 1.5,  # input that leaves it out gets the default of new rules
    }
    assert validate_params("region", {"vs_park": "1"})["vs_park"] == 1.0
    assert validate_params("region", {"vs_park": 10})["vs_park"] == 10.0
    with pytest.raises(RuleError, match=r"高于全园倍数.*vs_park.*0\.8.*超出范围 1\.0–10\.0"):
        validate_params("region", {"vs_park": "0.8"})
    with pytest.raises(RuleError, match=r"高于全园倍数.*vs_park.*10\.5.*超出范围"):
        validate_params("region", {"vs_park": 10.5})
    with pytest.raises(RuleError, match=r"高于全园倍数.*vs_park.*两倍.*不是数字"):
        validate_params("region", {"vs_park": "两倍"})
    with pytest.raises(RuleError, match=r"C/D 级占比阈值.*cd_share.*1\.5.*超出范围"):
        validate_params("region", {"cd_share": 1.5})
    with pytest.raises(RuleError, match=r"区域层级.*street"):
        validate_params("region", {"levels": ["street"]})
    with pytest.raises(RuleError, match=r"最少企业数.*ten.*不是整数"):
        validate_params("region", {"min_enterprises": "ten"})


# --- the comparison with the park (vs_park) ----------------------------------------------------------

# A park of 40 graded enterprises, 10 of them C/D (25 %), with 12 open alerts (30 per 100):
#   Z1 10 firms, 3 C/D (30 %), 6 alerts (60 per 100): over both thresholds, but only 1.2 x the park's
#      C/D share; 2 x its alert density;
#   Z2 10 firms, 4 C/D (40 %), 3 alerts (30): 1.6 x the park's C/D share, 1 x its density;
#   Z3 20 firms, 3 C/D (15 %), 3 alerts (15): under everything.
PARK_KEYS = ["Z1"] * 10 + ["Z2"] * 10 + ["Z3"] * 20
PARK_GRADES = [*"CCD", *"B" * 7, *"CCDD", *"B" * 6, *"CDC", *"A" * 17]
PARK_ALERTS = [2, 2, 2, *[0] * 7, 1, 1, 1, *[0] * 7, 1, 1, 1, *[0] * 17]


def _park_rows(**thresholds: Any) -> list[RegionRow]:
    n = len(PARK_KEYS)
    return aggregate(
        np.array(PARK_KEYS, dtype=object),
        np.array(PARK_GRADES, dtype=object),
        np.full(n, 600.0),
        np.full(n, np.nan),
        np.array(PARK_ALERTS),
        **thresholds,
    )


PARK = ParkFigures(enterprises=40, graded=40, cd_share=0.25, open_alerts=12, alerts_per_100=30.0)


def test_park_figures_are_the_regions_definitions_over_the_whole_park() -> None:
    grades = np.array(PARK_GRADES, dtype=object)
    assert park_figures(grades, np.array(PARK_ALERTS)) == PARK
    # Ungraded enterprises count for the density, not for the C/D share.
    some_ungraded = park_figures(np.array(["C", "", "B", ""], dtype=object), np.array([1, 1, 0, 0]))
    assert some_ungraded == ParkFigures(4, 2, 0.5, 2, 50.0)
    assert park_figures(np.array([], dtype=object), np.array([])) == ParkFigures(0, 0, 0.0, 0, 0.0)
    assert PARK.as_facts() == {
        "enterprises": 40,
        "graded": 40,
        "cd_share": 0.25,
        "open_alerts": 12,
        "alerts_per_100": 30.0,
    }


def test_bars_are_the_thresholds_raised_to_vs_park_times_the_park() -> None:
    assert bars(0.2, 30.0, 1.5, PARK) == (0.375, 45.0)
    assert bars(0.5, 50.0, 1.5, PARK) == (0.5, 50.0)  # the absolute threshold is the higher bar
    assert bars(0.2, 30.0, 1.0, PARK) == (0.2, 30.0)  # 1: the park is not compared
    assert bars(0.2, 30.0, 1.5, None) == (0.2, 30.0)


def test_a_region_over_the_thresholds_but_not_vs_park_times_the_park_is_not_flagged() -> None:
    rows = {r.key: r for r in _park_rows()}
    rule = _rule(levels=["zone"], vs_park=1.5)
    hits = region_hits({"zone": list(rows.values())}, rule, park=PARK)
    # Z1: C/D 30 % >= 20 % but < 1.5 x 25 % = 37.5 %; density 60 >= 30 and >= 1.5 x 30 = 45.
    # Z2: C/D 40 % >= 37.5 %; density 30 < 45. Z3: nothing.
    assert [(h.key, h.facts["crossed"]) for h in hits] == [("Z1", ["alerts_per_100"]), ("Z2", ["cd_share"])]
    z1, z2 = hits
    assert z1.facts["park"] == PARK.as_facts() and z1.facts["thresholds"]["vs_park"] == 1.5
    assert z2.summary == ("片区“Z2”:C/D 级企业占比 40%(全园 25%,阈值 20% 且不低于全园的 1.5 倍,已评级 10 家)")
    assert z1.summary == (
        "片区“Z1”:每百家企业未关闭预警 60 条(全园 30,阈值 30 且不低于全园的 1.5 倍,共 10 家企业)"
    )
    # A higher factor drops Z1's density too (60 < 2.5 x 30) and Z2's share (40 % < 62.5 %).
    assert region_hits({"zone": list(rows.values())}, _rule(levels=["zone"], vs_park=2.5), park=PARK) == []
    # crossed() says the same, per metric.
    assert crossed(rows["Z1"], cd_share=0.2, alerts_per_100=30, vs_park=1.5, park=PARK) == ("alerts_per_100",)
    assert crossed(rows["Z1"], cd_share=0.2, alerts_per_100=30, vs_park=2, park=PARK) == ("alerts_per_100",)
    assert crossed(rows["Z1"], cd_share=0.2, alerts_per_100=30, vs_park=2.01, park=PARK) == ()


def test_vs_park_one_is_the_absolute_thresholds_alone() -> None:
    rows = _park_rows()
    absolute = region_hits({"zone": rows}, _rule(levels=["zone"]))  # no vs_park: as before it existed
    one = region_hits({"zone": rows}, _rule(levels=["zone"], vs_park=1.0), park=PARK)
    assert [(h.key, h.facts["crossed"]) for h in absolute] == [
        ("Z1", ["cd_share", "alerts_per_100"]),
        ("Z2", ["cd_share", "alerts_per_100"]),
    ]
    assert [(h.key, h.facts["crossed"]) for h in one] == [(h.key, h.facts["crossed"]) for h in absolute]
    # Not "at least the park" either: a region under the park's level but over the thresholds counts.
    high_park = ParkFigures(40, 40, 0.9, 400, 1000.0)
    assert [
        h.key for h in region_hits({"zone": rows}, _rule(levels=["zone"], vs_park=1.0), park=high_park)
    ] == [
        "Z1",
        "Z2",
    ]
    # The park's figures are recorded all the same, and named in the summary without a factor.
    assert one[0].facts["park"] == PARK.as_facts()
    assert "(全园 25%,阈值 20%,已评级 10 家)" in one[0].summary


def test_vs_park_above_one_needs_the_parks_figures() -> None:
    with pytest.raises(ValueError, match="park"):
        region_hits({"zone": _park_rows()}, _rule(levels=["zone"], vs_park=1.5))


def test_aggregate_flags_and_colours_against_the_raised_bars() -> None:
    plain = {r.key: r for r in _park_rows(cd_share_threshold=0.2, alerts_threshold=30.0)}
    assert plain["Z1"].flagged and plain["Z2"].flagged and not plain["Z3"].flagged
    # The arrays are the whole park here, so aggregate compares with them unless told otherwise.
    relative = {r.key: r for r in _park_rows(cd_share_threshold=0.2, alerts_threshold=30.0, vs_park=2.5)}
    assert not relative["Z1"].flagged and not relative["Z2"].flagged
    assert relative["Z2"].risk == round(0.4 / (2.5 * 0.25) / 2, 3)  # the colour is against the raised bar
    # Only part of the park (a drill-down): the park's figures come from the caller.
    only_z1 = aggregate(
        np.array(["Z1"] * 10, dtype=object),
        np.array(PARK_GRADES[:10], dtype=object),
        np.full(10, 600.0),
        np.full(10, np.nan),
        np.array(PARK_ALERTS[:10]),
        vs_park=1.5,
        park=PARK,
    )
    assert only_z1[0].flagged  # 60 per 100 >= 1.5 x the park's 30, though Z1 alone is its own "park"


def test_rules_stored_without_vs_park_mean_one_new_rules_get_the_default() -> None:
    region = FAMILIES["region"]
    assert region.resolve({"levels": ["zone"]})["vs_park"] == 1.0
    assert region.resolve({"vs_park": 2})["vs_park"] == 2
    assert region.defaults()["vs_park"] == 1.5
    assert _rule().param("vs_park") == 1.0
    assert {s.params["vs_park"] for s in default_rules() if s.family == "region"} == {1.5}
    # Other families are untouched: a missing parameter still means its default.
    assert RuleSpec("a", "arrears", {}).param("min_days") == 15
