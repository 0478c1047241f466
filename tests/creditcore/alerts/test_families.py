"""Every subject rule family on literal ledgers: what fires, what does not, and why."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from creditcore.alerts import RuleError, RuleSpec, evaluate, validate_params
from creditcore.alerts.rules import FAMILIES, default_rules
from tests.creditcore.alerts.support import AS_OF, inputs, monthly, observations, records


def rule(family: str, **params: object) -> RuleSpec:
    return RuleSpec(code=family, family=family, params=params, severity=FAMILIES[family].default_severity)


def fired(family: str, data: object, **params: object) -> dict[int, object]:
    return {h.enterprise_id: h for h in evaluate(data, [rule(family, **params)], AS_OF)}  # type: ignore[arg-type]


def test_serious_record_new_active_undisputed_only() -> None:
    data = inputs(
        [1, 2, 3, 4, 5, 6],
        records=records(
            {"enterprise_id": 1, "kind": "penalty", "severity": "serious", "decided_on": date(2026, 10, 20)},
            {"enterprise_id": 2, "kind": "penalty", "severity": "general", "decided_on": date(2026, 10, 20)},
            {"enterprise_id": 3, "kind": "penalty", "severity": "serious", "decided_on": date(2026, 5, 1)},
            {
                "enterprise_id": 4,
                "kind": "penalty",
                "severity": "serious",
                "decided_on": date(2026, 10, 20),
                "disputed": True,
            },
            {
                "enterprise_id": 5,
                "kind": "penalty",
                "severity": "serious",
                "decided_on": date(2026, 10, 20),
                "status": "repaired",
            },
            {
                "enterprise_id": 6,
                "kind": "serious-dishonesty",
                "severity": "serious",
                "decided_on": date(2026, 11, 1),
            },
        ),
    )
    hits = fired("serious_record", data, lookback_days=30)
    assert set(hits) == {1, 6}
    assert hits[1].evidence == (1,)
    assert "行政处罚" in hits[1].summary
    assert hits[1].severity == "critical"


def test_record_after_the_run_date_is_not_seen() -> None:
    data = inputs(
        [1],
        records=records(
            {"enterprise_id": 1, "kind": "penalty", "severity": "serious", "decided_on": date(2026, 11, 2)}
        ),
    )
    assert fired("serious_record", data) == {}


def test_court_defaulter_listing() -> None:
    data = inputs(
        [1, 2],
        records=records(
            {
                "enterprise_id": 1,
                "kind": "court-defaulter",
                "severity": "serious",
                "decided_on": date(2026, 9, 1),
            },
            {
                "enterprise_id": 2,
                "kind": "court-enforcement",
                "severity": "general",
                "decided_on": date(2026, 9, 1),
            },
        ),
    )
    assert set(fired("court_defaulter", data, lookback_days=90)) == {1}
    assert fired("court_defaulter", data, lookback_days=30) == {}
    # Listed as a defaulter is its own family, not also a "serious record".
    assert fired("serious_record", data, lookback_days=90) == {}


def test_repeated_penalties_counts_within_the_window() -> None:
    rows = [
        {"enterprise_id": 1, "kind": "penalty", "decided_on": date(2026, 2, 1)},
        {"enterprise_id": 1, "kind": "penalty", "decided_on": date(2026, 6, 1)},
        {"enterprise_id": 1, "kind": "penalty", "decided_on": date(2026, 10, 1)},
        {"enterprise_id": 2, "kind": "penalty", "decided_on": date(2025, 6, 1)},  # outside 365 days
        {"enterprise_id": 2, "kind": "penalty", "decided_on": date(2026, 6, 1)},
        {"enterprise_id": 2, "kind": "penalty", "decided_on": date(2026, 7, 1)},
        {"enterprise_id": 3, "kind": "tax-arrears", "decided_on": date(2026, 7, 1)},
        {"enterprise_id": 3, "kind": "tax-arrears", "decided_on": date(2026, 8, 1)},
        {"enterprise_id": 3, "kind": "tax-arrears", "decided_on": date(2026, 9, 1)},
    ]
    data = inputs([1, 2, 3], records=records(*rows))
    hits = fired("repeated_penalties", data, min_count=3, window_days=365)
    assert set(hits) == {1}
    assert hits[1].facts["records"] == 3 and hits[1].evidence == (1, 2, 3)
    assert set(fired("repeated_penalties", data, min_count=2, window_days=365)) == {1, 2}
    assert set(fired("repeated_penalties", data, min_count=3, kinds=["tax-arrears"])) == {3}


def test_arrears_open_and_recently_late_bills() -> None:
    bills = [
        # 1: two bills open for more than 60 days.
        {
            "enterprise_id": 1,
            "metric": "rent_bill",
            "period": date(2026, 7, 1),
            "due_on": date(2026, 7, 10),
            "value": 1000,
        },
        {
            "enterprise_id": 1,
            "metric": "fee_bill",
            "period": date(2026, 8, 1),
            "due_on": date(2026, 8, 10),
            "value": 200,
        },
        # 2: one bill paid 70 days late this year and one open 20 days.
        {
            "enterprise_id": 2,
            "metric": "rent_bill",
            "period": date(2026, 3, 1),
            "due_on": date(2026, 3, 10),
            "settled_on": date(2026, 5, 19),
        },
        {
            "enterprise_id": 2,
            "metric": "rent_bill",
            "period": date(2026, 10, 1),
            "due_on": date(2026, 10, 10),
        },
        # 3: paid on time.
        {
            "enterprise_id": 3,
            "metric": "rent_bill",
            "period": date(2026, 7, 1),
            "due_on": date(2026, 7, 10),
            "settled_on": date(2026, 7, 9),
        },
        # 4: paid very late, but long before the window.
        {
            "enterprise_id": 4,
            "metric": "rent_bill",
            "period": date(2024, 1, 1),
            "due_on": date(2024, 1, 10),
            "settled_on": date(2024, 6, 1),
        },
    ]
    data = inputs([1, 2, 3, 4], observations=observations(*bills))
    hits = fired("arrears", data, min_days=60, min_bills=1, window_months=12)
    assert set(hits) == {1, 2}
    assert hits[1].facts == {"bills": 2, "unpaid": 2, "max_days": 114, "amount": 1200.0}
    assert hits[2].facts["unpaid"] == 0 and hits[2].facts["max_days"] == 70
    assert set(fired("arrears", data, min_days=60, min_bills=2, window_months=12)) == {1}
    assert set(fired("arrears", data, min_days=15, min_bills=2, window_months=12)) == {1, 2}


def test_overdue_rectification() -> None:
    findings = [
        {
            "enterprise_id": 1,
            "metric": "safety_findings",
            "period": date(2026, 8, 1),
            "value": 3,
            "due_on": date(2026, 8, 30),
        },
        {
            "enterprise_id": 2,
            "metric": "safety_findings",
            "period": date(2026, 8, 1),
            "value": 3,
            "due_on": date(2026, 8, 30),
            "settled_on": date(2026, 8, 20),
        },
        {
            "enterprise_id": 3,
            "metric": "safety_findings",
            "period": date(2026, 10, 1),
            "value": 2,
            "due_on": date(2026, 10, 30),
        },
        {
            "enterprise_id": 4,
            "metric": "safety_findings",
            "period": date(2026, 6, 1),
            "value": 1,
            "due_on": date(2026, 6, 30),
            "settled_on": date(2026, 9, 1),
        },
    ]
    data = inputs([1, 2, 3, 4], observations=observations(*findings))
    hits = fired("overdue_rectification", data, grace_days=0, min_items=1, window_months=12)
    assert set(hits) == {1, 3, 4}
    assert hits[1].facts == {"items": 3, "open": 3, "earliest_due": "2026-08-30"}
    assert hits[4].facts["open"] == 0  # rectified, but 63 days late
    assert set(fired("overdue_rectification", data, grace_days=30, min_items=1, window_months=12)) == {1, 4}
    assert set(fired("overdue_rectification", data, grace_days=0, min_items=3, window_months=12)) == {1}


def test_activity_drop_year_on_year() -> None:
    first = date(2025, 5, 1)
    flat = [100.0] * 18
    falling = [100.0] * 12 + [100.0, 100.0, 100.0, 40.0, 40.0, 40.0]
    seasonal = [100.0, 100.0, 100.0, 50.0, 50.0, 50.0] * 3  # the dip is in last year's months too
    rows = (
        monthly(1, "electricity", first, flat)
        + monthly(2, "electricity", first, falling)
        + monthly(3, "output_value", first, seasonal)
        + monthly(4, "electricity", first, falling[:-1])  # October missing: not enough data
    )
    data = inputs([1, 2, 3, 4], observations=observations(*rows))
    hits = fired("activity_drop", data, recent_months=3, drop=0.4)
    assert set(hits) == {2}
    assert hits[2].facts["metric"] == "electricity" and hits[2].facts["drop"] == pytest.approx(0.6)
    assert "用电量同比下降 60%" in hits[2].summary


def test_grade_downgrade() -> None:
    grades = {
        "enterprise_id": np.array([1, 2, 3, 4, 5]),
        "grade": np.array(["C", "D", "B", "A", "D"], dtype=object),
        "previous_grade": np.array(["B", "B", "A", "B", ""], dtype=object),
    }
    data = inputs([1, 2, 3, 4, 5], grades=grades)
    assert set(fired("grade_downgrade", data)) == {1, 2}
    assert set(fired("grade_downgrade", data, to_grades=["B", "C", "D"])) == {1, 2, 3}
    assert set(fired("grade_downgrade", data, min_steps=2)) == {2}
    assert fired("grade_downgrade", data)[2].summary == "信用等级由 B 级下调为 D 级"


def test_commitment_breach_from_records_and_commitments() -> None:
    data = inputs(
        [1, 2, 3],
        records=records({"enterprise_id": 1, "kind": "commitment-breach", "decided_on": date(2026, 10, 15)}),
        commitments={
            "enterprise_id": np.array([2, 3]),
            "commitment_id": np.array([7, 8]),
            "broken_on": np.array(["2026-10-20", "2025-01-01"], dtype="datetime64[D]"),
        },
    )
    hits = fired("commitment_breach", data, lookback_days=30)
    assert set(hits) == {1, 2}
    assert hits[2].facts == {"commitments": [7]}


def test_hits_outside_the_monitored_park_are_dropped() -> None:
    data = inputs(
        [2],
        records=records(
            {"enterprise_id": 1, "kind": "penalty", "severity": "serious", "decided_on": date(2026, 10, 20)}
        ),
    )
    assert fired("serious_record", data) == {}


def test_validate_params_names_the_parameter_and_value() -> None:
    assert validate_params("arrears", {"min_days": "45"})["min_days"] == 45
    with pytest.raises(RuleError, match=r"逾期天数.*abc"):
        validate_params("arrears", {"min_days": "abc"})
    with pytest.raises(RuleError, match="超出范围"):
        validate_params("arrears", {"min_days": 0})
    with pytest.raises(RuleError, match="gas_bill"):
        validate_params("arrears", {"metrics": "rent_bill,gas_bill"})
    with pytest.raises(RuleError, match="没有参数 speed"):
        validate_params("arrears", {"speed": 1})
    with pytest.raises(RuleError, match="不存在"):
        validate_params("nonsense", {})
    assert validate_params("activity_drop", {"metrics": "electricity,output_value"})["metrics"] == [
        "electricity",
        "output_value",
    ]


def test_default_rules_cover_every_family() -> None:
    assert {r.family for r in default_rules()} == set(FAMILIES)
