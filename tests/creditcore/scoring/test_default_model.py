"""Golden-file tests of the default model on small literal ledgers.

Goldens live in golden/<name>.json (every indicator's value and points, score, grade, overrides).
After an intended model change, regenerate them with
`SCORING_UPDATE_GOLDEN=1 .venv/bin/pytest tests/creditcore/scoring/test_default_model.py` and
review the diff; the hand-computed assertions below must still hold or be updated by hand.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from creditcore.scoring.inputs import EnterpriseInput, ObservationInput, RecordInput, TagInput
from creditcore.scoring.reference import score_one
from creditcore.scoring.results import ScoreResult
from creditcore.scoring.spec import load_default_spec

GOLDEN = Path(__file__).with_name("golden")
AS_OF = date(2026, 11, 1)
SPEC = load_default_spec()


def months_back(n: int) -> list[date]:
    """First days of the n months before AS_OF (newest first)."""
    out, year, month = [], AS_OF.year, AS_OF.month
    for _ in range(n):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(date(year, month, 1))
    return out


def bills(metric: str, late_days: dict[int, int | None], months: int = 24) -> list[ObservationInput]:
    """Monthly bills due on the 10th.

    `late_days` maps a month index (0 = newest) to days late, or None for unpaid.
    """
    rows = []
    for i, period in enumerate(months_back(months)):
        due = period.replace(day=10)
        late = late_days.get(i, -2)
        settled = None if late is None else due + timedelta(days=late)
        rows.append(ObservationInput(1, metric, period, 5000.0, due, settled))
    return rows


def series(metric: str, value, months: int = 24) -> list[ObservationInput]:
    return [
        ObservationInput(1, metric, period, float(value(i) if callable(value) else value))
        for i, period in enumerate(months_back(months))
    ]


def record(rid, kind, days_ago, severity="", polarity="negative", **kw) -> RecordInput:
    return RecordInput(rid, 1, kind, polarity, severity, AS_OF - timedelta(days=days_ago), **kw)


def steady_operations(sales=100_000.0) -> list[ObservationInput]:
    return [
        *series("tax_paid", 8_000),
        *series("output_value", sales),
        *series("electricity", 20_000),
        *series("sales_revenue", sales),
        *series("credit_sales", sales * 0.3),
        *series("receivables", sales * 0.5),
    ]


SOUND = EnterpriseInput(
    id=1,
    founded_on=date(2010, 1, 1),
    park_entry_on=date(2020, 3, 1),
    registered_capital=10_000_000,
    size="中型",
    tags=(TagInput("high_tech", date(2024, 1, 1), date(2026, 12, 31)),),
)


def ledger_sound():
    records = [
        record(1, "tax-credit-grade", 200, polarity="neutral", result="A"),
        record(2, "honour", 300, polarity="positive"),
    ]
    observations = [*bills("rent_bill", {}), *bills("fee_bill", {}), *steady_operations()]
    return SOUND, records, observations


def ledger_troubled():
    enterprise = replace(SOUND, founded_on=date(2023, 6, 1), park_entry_on=date(2024, 1, 1), tags=())
    records = [
        record(1, "tax-credit-grade", 200, polarity="neutral", result="C"),
        record(2, "penalty", 100, "serious", amount=50_000.0),  # cap: at most C
        record(3, "penalty", 465, "general", amount=20_000.0),
        record(4, "park-rent-arrears", 60, "general", amount=15_000.0),
        record(5, "registration-change", 30, polarity="neutral"),
        record(6, "registration-change", 90, polarity="neutral"),
        record(7, "penalty", 20, "general", status_as_of="repaired"),  # repaired: does not count
        record(8, "penalty", 10, "minor", disputed=True),  # frozen by a dispute
    ]
    rent_late = {0: None, 1: 30, 2: 12, 3: 5}  # newest bill unpaid (22 days as of the date)
    observations = [
        *bills("rent_bill", rent_late),
        *bills("fee_bill", {0: None, 5: 3}),
        *series("tax_paid", lambda i: 0.0 if i < 3 else 6_000.0),
        *series("output_value", lambda i: 60_000.0 if i < 12 else 100_000.0),
        *series("electricity", lambda i: 10_000.0 if i < 3 else 20_000.0),
        *series("sales_revenue", lambda i: 60_000.0 if i < 12 else 100_000.0),
        *series("credit_sales", lambda i: 36_000.0 if i < 12 else 40_000.0),
        *series("receivables", 120_000.0),
    ]
    return enterprise, records, observations


def ledger_defaulter():
    enterprise, records, observations = ledger_sound()
    return enterprise, [*records, record(9, "court-defaulter", 800, "serious", amount=1e6)], observations


def ledger_outside_park():
    return (
        EnterpriseInput(id=1, founded_on=date(2015, 5, 5), in_park=False, registered_capital=2_000_000),
        [],
        [],
    )


LEDGERS = {
    "sound": ledger_sound,
    "troubled": ledger_troubled,
    "defaulter": ledger_defaulter,
    "outside_park": ledger_outside_park,
}


def as_golden(result: ScoreResult) -> dict:
    return {
        "score": result.score,
        "grade": result.grade,
        "colour": result.colour,
        "vetoes": list(result.vetoes),
        "caps": list(result.caps),
        "data_depth": round(result.data_depth, 6),
        "reasons": [r.code for r in result.reasons],
        "indicators": {
            i.code: {
                "value": None if i.value is None else round(i.value, 6),
                "points": round(i.points, 6),
                "missing": i.missing,
                "evidence": list(i.evidence),
            }
            for i in result.indicators
        },
    }


def score(name: str) -> ScoreResult:
    enterprise, records, observations = LEDGERS[name]()
    return score_one(SPEC, enterprise, records, observations, AS_OF)


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_matches_golden_file(name):
    path = GOLDEN / f"default_model_{name}.json"
    actual = as_golden(score(name))
    if os.environ.get("SCORING_UPDATE_GOLDEN"):
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert actual == expected


def points(result: ScoreResult) -> dict[str, float]:
    return {i.code: i.points for i in result.indicators}


def test_sound_enterprise_by_hand():
    result = score("sound")
    p = points(result)
    # Basic: 16.8 years -> 20; 6.7 years in the park -> 10; 1000万 capital -> 8; no changes -> 20.
    assert (p["age_years"], p["park_years"], p["registered_capital"], p["registration_changes"]) == (
        20,
        10,
        8,
        20,
    )
    assert p["tax_credit_grade"] == 60  # latest grade A
    assert p["rent_late_share"] == 40 and p["rent_days_beyond"] == 40  # all bills paid early
    assert p["safety_rectification"] == 20  # no findings: missing rule gives full points
    assert p["credit_sales_ratio"] == 20  # 36 - 50 * 0.3 = 21, capped at 20
    assert p["receivables_months"] == 50  # 75 - 30 * 0.5 = 60, capped at 50
    assert p["honours"] == 20 and p["commitment_kept"] == 0 and p["high_tech"] == 10 and p["specialised"] == 0
    # 50 base + 98 basic + 335 compliance + 245 park + 180 operations + 30 social
    assert result.score == 938
    assert (result.grade, result.colour) == ("A", "green")
    assert result.data_depth == 1.0 - 20 / 950  # only safety_rectification is missing


def test_troubled_enterprise_by_hand():
    result = score("troubled")
    by_code = {i.code: i for i in result.indicators}
    assert by_code["penalty_recent"].evidence == (2, 3)  # the repaired and disputed ones do not count
    # decay: 2^(-100/365) + 2^(-465/365) = 0.8270 + 0.4135 -> [0.7, 1.4) -> 22 points
    assert by_code["penalty_recent"].value == pytest.approx(2 ** (-100 / 365) + 2 ** (-465 / 365))
    assert by_code["penalty_recent"].points == 22
    assert by_code["penalty_severity"].points == 0  # a serious one
    assert by_code["registration_changes"].points == 14  # two changes in two years
    # Rent, last year: 12 bills, 4 late (22 unpaid, 30, 12, 5 days) -> mean 69/12 = 5.75 days.
    assert by_code["rent_days_beyond"].value == pytest.approx(69 / 12)
    assert by_code["rent_days_beyond"].points == pytest.approx(41.6 - 1.6 * 69 / 12)
    assert by_code["rent_max_days_beyond"].points == 6  # 30 days -> [30, 60)
    assert by_code["rent_late_share"].value == pytest.approx(4 / 24)
    # Periods are month starts: a 365-day window ending 2026-11-01 excludes 2025-11-01, so it
    # holds 11 months; the prior year of a 730-day trend holds 2025-11-01 back to 2024-12-01.
    assert by_code["tax_zero_share"].value == pytest.approx(3 / 11) and by_code["tax_zero_share"].points == 9
    prior = (60_000 + 11 * 100_000) / 12
    assert (
        by_code["sales_growth"].value == pytest.approx(60_000 / prior) and by_code["sales_growth"].points == 0
    )
    # Recent 90 days hold October and September (10,000); August 1 falls in the prior part:
    # prior = December to August, nine months = (10,000 + 8 * 20,000) / 9.
    assert by_code["electricity_trend"].value == pytest.approx(10_000 / ((10_000 + 8 * 20_000) / 9))
    assert by_code["electricity_trend"].points == 0
    assert by_code["tax_credit_grade"].points == 12  # grade C
    assert result.caps == ("serious_penalty_last_year",)
    assert result.grade in ("C", "D") and result.score <= 699


def test_defaulter_is_vetoed_to_d():
    sound, defaulter = score("sound"), score("defaulter")
    assert defaulter.vetoes == ("court_defaulter",)
    assert (defaulter.grade, defaulter.colour) == ("D", "black")
    assert defaulter.score == 599  # lowered to the top of band D
    assert points(defaulter)["court_defaulter"] == 0
    assert sum(points(sound).values()) - sum(points(defaulter).values()) == 40


def test_outside_park_enterprise_scores_on_neutral_park_data():
    result = score("outside_park")
    missing = {i.code for i in result.indicators if i.missing}
    assert {"park_years", "rent_late_share", "receivables_months", "tax_credit_grade"} <= missing
    assert 0 < result.data_depth < 0.7
    assert result.vetoes == () and result.caps == ()


def test_docs_describe_every_indicator_veto_and_cap():
    text = (Path(__file__).parents[3] / "docs" / "scoring-model.md").read_text(encoding="utf-8")
    codes = [i.code for i in SPEC.indicators] + [v.code for v in SPEC.vetoes] + [c.code for c in SPEC.caps]
    assert [code for code in codes if f"`{code}`" not in text] == []
    for band in SPEC.bands:
        assert f"| {band.grade} | {band.min_score}–{band.max_score} |" in text
