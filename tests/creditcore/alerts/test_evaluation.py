"""The back-test on a small synthetic park: volume, precision and recall are computed as documented."""

from __future__ import annotations

from datetime import date

from creditcore.alerts import default_rules
from creditcore.alerts.evaluation import backtest, inputs_on, run_dates, slice_park
from creditcore.synth import ParkSpec


def test_backtest_on_a_small_park() -> None:
    spec = ParkSpec(enterprises=600, seed=11)
    rules = default_rules()
    park = slice_park(spec, rules, run_dates(spec.as_of, 3))
    result = backtest(spec, rules, park=park)
    assert result["enterprises"] > 0 and result["events"] > 0
    assert 0 <= result["caught"] <= min(result["events"], result["alerted"])
    assert result["recall"] == result["caught"] / result["events"]
    assert result["precision"] == result["caught"] / result["alerted"]
    assert result["alerts_per_100_per_month"] > 0
    assert sum(result["new_alerts_by_rule"].values()) > 0


def test_inputs_on_a_date_hide_what_was_not_known_yet() -> None:
    spec = ParkSpec(enterprises=300, seed=3)
    rules = default_rules()
    park = slice_park(spec, rules, run_dates(spec.as_of, 1))
    day = date(2026, 10, 1)
    seen = inputs_on(park, day)
    assert (seen.records["decided_on"] <= day).all()
    settled = seen.observations["settled_on"]
    assert (settled[~(settled != settled)] <= day).all()  # NaT compares unequal to itself
    assert (seen.observations["period"] <= day).all()
