"""The reference evaluator: every aggregate on literal rows, window edges, overrides, as-of rules."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from creditcore.ledger import Event, EventType
from creditcore.scoring.from_synth import record_state
from creditcore.scoring.inputs import EnterpriseInput, ObservationInput, RecordInput, TagInput
from creditcore.scoring.reference import (
    evaluate_indicator,
    percentile_ranks,
    round_score,
    score_many,
    score_one,
    seen_records,
)
from creditcore.scoring.results import IndicatorResult, assemble_result, top_reasons
from creditcore.scoring.spec import (
    Band,
    Cap,
    Dimension,
    Indicator,
    Missing,
    ModelSpec,
    Piecewise,
    Veto,
)

AS_OF = date(2026, 11, 1)
ENT = EnterpriseInput(
    id=1, founded_on=date(2016, 11, 1), park_entry_on=date(2025, 11, 1), registered_capital=5_000_000
)
IDENTITY = Piecewise(((None, 0.0),))


def rec(rid, kind="penalty", days_ago=10, severity="general", amount=None, **kw):
    polarity = kw.pop("polarity", "negative")
    return RecordInput(
        id=rid,
        enterprise_id=1,
        kind=kind,
        polarity=polarity,
        severity=severity,
        decided_on=AS_OF - timedelta(days=days_ago),
        amount=amount,
        **kw,
    )


def bill(metric, due_days_ago, settled_days_ago=None, value=1000.0):
    due = AS_OF - timedelta(days=due_days_ago)
    settled = None if settled_days_ago is None else AS_OF - timedelta(days=settled_days_ago)
    return ObservationInput(1, metric, due.replace(day=1), value, due, settled)


def obs(metric, days_ago, value):
    return ObservationInput(1, metric, AS_OF - timedelta(days=days_ago), value)


def ind(aggregate, source="records", **kw):
    kw.setdefault("kinds", ("penalty",) if source == "records" else ())
    return Indicator(
        code="x",
        name="x",
        dimension="d",
        source=source,
        aggregate=aggregate,
        points=IDENTITY,
        max_points=0,
        **kw,
    )


def value(indicator, records=(), observations=(), enterprise=ENT, as_of=AS_OF):
    seen = seen_records(records, as_of)
    return evaluate_indicator(indicator, enterprise, seen, list(observations), as_of).value


class TestRecordAggregates:
    def test_count_window_is_half_open(self):
        records = [rec(1, days_ago=0), rec(2, days_ago=364), rec(3, days_ago=365), rec(4, days_ago=-1)]
        # as_of itself is inside; exactly window_days ago is outside; future records are unseen.
        assert value(ind("count", window_days=365), records) == 2

    def test_filters_kind_severity_polarity(self):
        records = [
            rec(1, severity="minor"),
            rec(2, severity="serious"),
            rec(3, kind="tax-arrears"),
            rec(4, kind="honour", polarity="positive", severity=""),
        ]
        assert value(ind("count", severities=("serious", "minor")), records) == 2
        assert value(ind("count", kinds=("penalty", "honour"), polarity="positive"), records) == 1

    def test_only_active_undisputed_records_count(self):
        records = [
            rec(1),
            rec(2, status_as_of="repaired"),
            rec(3, status_as_of="revoked"),
            rec(4, disputed=True),
            rec(5, status_as_of="publicity_ended"),
        ]
        result = evaluate_indicator(ind("count"), ENT, seen_records(records, AS_OF), [], AS_OF)
        assert result.value == 1 and result.evidence == (1,)

    def test_sum_amount_treats_null_as_zero(self):
        assert value(ind("sum_amount"), [rec(1, amount=100.5), rec(2), rec(3, amount=20.0)]) == 120.5

    def test_max_severity(self):
        assert value(ind("max_severity"), []) == 0
        assert value(ind("max_severity"), [rec(1, severity="minor"), rec(2, severity="general")]) == 2
        assert value(ind("max_severity"), [rec(1, severity="serious")]) == 3

    def test_decayed_count_and_sum(self):
        records = [rec(1, days_ago=0, amount=10.0), rec(2, days_ago=365, amount=100.0), rec(3, days_ago=730)]
        indicator = ind("decayed_count", window_days=1095, half_life_days=365)
        assert value(indicator, records) == pytest.approx(1 + 0.5 + 0.25)
        indicator = ind("decayed_sum", window_days=1095, half_life_days=365)
        assert value(indicator, records) == pytest.approx(10 + 50)

    def test_latest_mapped_takes_latest_then_highest_id(self):
        indicator = ind(
            "latest_mapped", kinds=("tax-credit-grade",), value_map=(("A", 4.0), ("D", 0.0)), window_days=730
        )
        tax = dict(kind="tax-credit-grade", severity="", polarity="neutral")
        assert (
            value(
                indicator, [rec(1, days_ago=400, result="D", **tax), rec(2, days_ago=30, result="A", **tax)]
            )
            == 4
        )
        assert (
            value(indicator, [rec(5, days_ago=30, result="D", **tax), rec(2, days_ago=30, result="A", **tax)])
            == 0
        )
        assert value(indicator, [rec(1, days_ago=30, result="X", **tax)]) is None
        assert value(indicator, []) is None


class TestObservationAggregates:
    def test_days_beyond_terms_late_share_and_max(self):
        rows = [
            bill("rent_bill", 100, settled_days_ago=105),  # early: 0 days
            bill("rent_bill", 70, settled_days_ago=60),  # 10 days late
            bill("rent_bill", 40),  # unpaid: 40 days as of the date
            bill("rent_bill", 20, settled_days_ago=-5),  # settled after as_of: still unpaid, 20 days
            bill("rent_bill", 400, settled_days_ago=300),  # due outside the window
            bill("rent_bill", -10),  # due after as_of: not yet an obligation
        ]
        assert value(
            ind("days_beyond_terms", "observations", metric="rent_bill"), observations=rows
        ) == pytest.approx(70 / 4)
        assert value(ind("max_days_beyond", "observations", metric="rent_bill"), observations=rows) == 40
        assert value(ind("late_share", "observations", metric="rent_bill"), observations=rows) == 0.75
        assert (
            value(ind("late_share", "observations", metric="rent_bill", threshold=15), observations=rows)
            == 0.5
        )

    def test_bills_without_due_date_are_ignored_and_no_rows_is_missing(self):
        rows = [ObservationInput(1, "safety_findings", AS_OF - timedelta(days=20), 0.0)]
        assert value(ind("late_share", "observations", metric="safety_findings"), observations=rows) is None

    def test_sum_mean_latest_share(self):
        rows = [
            obs("tax_paid", 0, 0.0),
            obs("tax_paid", 31, 300.0),
            obs("tax_paid", 61, 600.0),
            obs("tax_paid", 400, 9.0),
        ]
        kw = dict(source="observations", metric="tax_paid")
        assert value(ind("sum", **kw), observations=rows) == 900
        assert value(ind("mean", **kw), observations=rows) == 300
        assert value(ind("latest", **kw), observations=rows) == 0
        assert value(ind("share", **kw), observations=rows) == pytest.approx(1 / 3)
        assert value(ind("share", threshold=300, **kw), observations=rows) == pytest.approx(2 / 3)
        assert value(ind("sum", **kw), observations=[]) is None

    def test_trend_is_recent_mean_over_prior_mean(self):
        rows = [
            obs("electricity", d, v)
            for d, v in ((10, 50.0), (40, 70.0), (100, 100.0), (200, 100.0), (400, 1.0))
        ]
        indicator = ind("trend", "observations", metric="electricity", window_days=365, recent_days=90)
        assert value(indicator, observations=rows) == pytest.approx(0.6)
        # A row exactly recent_days ago belongs to the prior part.
        edge = [obs("electricity", 90, 10.0), obs("electricity", 89, 20.0)]
        assert value(indicator, observations=edge) == pytest.approx(2.0)
        assert value(indicator, observations=rows[:2]) is None
        assert (
            value(indicator, observations=[obs("electricity", 10, 5.0), obs("electricity", 100, 0.0)]) is None
        )

    def test_ratio(self):
        rows = [
            obs("receivables", 10, 300.0),
            obs("sales_revenue", 10, 100.0),
            obs("sales_revenue", 40, 200.0),
        ]
        indicator = ind("ratio", "observations", metric="receivables", denominator_metric="sales_revenue")
        assert value(indicator, observations=rows) == 2.0
        assert value(indicator, observations=rows[:1]) is None
        assert value(indicator, observations=[rows[0], obs("sales_revenue", 5, 0.0)]) is None


class TestEnterpriseAggregates:
    def test_age_and_park_years(self):
        assert value(ind("age_years", "enterprise")) == pytest.approx(3652 / 365.25)
        assert value(ind("park_years", "enterprise")) == pytest.approx(365 / 365.25)
        assert value(ind("age_years", "enterprise"), enterprise=EnterpriseInput(2)) is None
        future = EnterpriseInput(
            2, founded_on=AS_OF + timedelta(days=1), park_entry_on=AS_OF + timedelta(days=1)
        )
        assert value(ind("age_years", "enterprise"), enterprise=future) is None
        assert value(ind("park_years", "enterprise"), enterprise=future) is None
        outside = EnterpriseInput(3, in_park=False, park_entry_on=date(2020, 1, 1))
        assert value(ind("park_years", "enterprise"), enterprise=outside) is None

    def test_registered_capital_in_ten_thousands(self):
        assert value(ind("registered_capital", "enterprise")) == 500
        assert value(ind("registered_capital", "enterprise"), enterprise=EnterpriseInput(2)) is None

    def test_has_tag_respects_its_period(self):
        tagged = EnterpriseInput(
            1,
            tags=(
                TagInput("high_tech", date(2024, 1, 1), AS_OF),
                TagInput("gazelle", date(2020, 1, 1), date(2026, 10, 31)),
            ),
        )
        assert value(ind("has_tag", "enterprise", tag="high_tech"), enterprise=tagged) == 1
        assert value(ind("has_tag", "enterprise", tag="gazelle"), enterprise=tagged) == 0
        open_ended = EnterpriseInput(1, tags=(TagInput("high_tech", AS_OF, None),))
        assert value(ind("has_tag", "enterprise", tag="high_tech"), enterprise=open_ended) == 1
        assert value(ind("has_tag", "enterprise", tag="high_tech")) == 0


def small_spec(**overrides):
    indicators = (
        Indicator(
            "penalties",
            "处罚",
            "d",
            "records",
            "count",
            Piecewise(((1, 600), (2, 300), (None, 0))),
            600,
            kinds=("penalty",),
            window_days=365,
        ),
        Indicator(
            "rent",
            "房租",
            "d",
            "observations",
            "late_share",
            Piecewise(((0.1, 300), (None, 0))),
            300,
            metric="rent_bill",
            missing=Missing("points", 100),
        ),
    )
    data = dict(
        code="t",
        name="测试",
        version="1",
        description="",
        dimensions=(Dimension("d", "维度", indicators),),
        vetoes=(Veto("court", "失信被执行人", ("court-defaulter",)),),
        caps=(Cap("serious", "严重处罚", ("penalty",), "C", severities=("serious",), window_days=365),),
        bands=(
            Band("A", 800, 1000, "green"),
            Band("B", 600, 799, "yellow"),
            Band("C", 400, 599, "red"),
            Band("D", 0, 399, "black"),
        ),
        base_score=100,
    )
    data.update(overrides)
    return ModelSpec(**data)


class TestScoreOne:
    def test_total_grade_missing_and_depth(self):
        result = score_one(small_spec(), ENT, [], [], AS_OF)
        assert result.score == 100 + 600 + 100
        assert (result.grade, result.colour) == ("A", "green")
        assert result.indicator("rent").missing and result.indicator("rent").value is None
        assert result.data_depth == pytest.approx(600 / 900)
        assert result.reasons[0].code == "rent" and result.reasons[0].lost_points == 200

    def test_other_enterprises_rows_are_ignored(self):
        other = RecordInput(9, 2, "penalty", "negative", "general", AS_OF)
        assert score_one(small_spec(), ENT, [other], [], AS_OF).score == 800

    def test_veto_forces_worst_band_and_lowers_the_score(self):
        records = [rec(1, kind="court-defaulter", days_ago=3000, severity="serious")]
        result = score_one(small_spec(), ENT, records, [], AS_OF)
        assert result.vetoes == ("court",)
        assert (result.grade, result.colour, result.score) == ("D", "black", 399)

    def test_repaired_veto_record_no_longer_vetoes(self):
        records = [rec(1, kind="court-defaulter", severity="serious", status_as_of="repaired")]
        assert score_one(small_spec(), ENT, records, [], AS_OF).grade == "A"

    def test_veto_with_severity(self):
        spec = small_spec(vetoes=(Veto("pen", "处罚", ("penalty",), severity="serious"),), caps=())
        assert score_one(spec, ENT, [rec(1, severity="general")], [], AS_OF).vetoes == ()
        assert score_one(spec, ENT, [rec(1, severity="serious")], [], AS_OF).vetoes == ("pen",)

    def test_cap_limits_grade_only_within_its_window(self):
        result = score_one(small_spec(), ENT, [rec(1, severity="serious", days_ago=100)], [], AS_OF)
        assert result.caps == ("serious",)
        assert (result.grade, result.score) == ("C", 500)  # 100 + 300 + 100 = 500 is already C
        old = score_one(small_spec(), ENT, [rec(1, severity="serious", days_ago=400)], [], AS_OF)
        assert old.caps == () and old.grade == "A"

    def test_cap_lowers_a_high_score_to_the_band_top(self):
        spec = small_spec(caps=(Cap("any", "任意处罚", ("penalty",), "B", min_count=2),))
        one = score_one(spec, ENT, [rec(1, days_ago=400)], [], AS_OF)
        assert one.caps == ()
        two = score_one(spec, ENT, [rec(1, days_ago=200), rec(2, days_ago=100)], [], AS_OF)
        assert two.caps == ("any",) and two.grade == "D"  # 100 + 0 + 100: already worse than B
        rent = [bill("rent_bill", 30, settled_days_ago=35)]
        spec = small_spec(caps=(Cap("any", "任意处罚", ("penalty",), "B", min_count=1),))
        capped = score_one(spec, ENT, [rec(1, days_ago=400), rec(2, days_ago=20)], rent, AS_OF)
        # 100 + 300 + 300 = 700 is B already; the cap does not raise or lower it.
        assert (capped.grade, capped.score) == ("B", 700)
        clean = score_one(spec, ENT, [rec(1, days_ago=400)], rent, AS_OF)
        assert (clean.grade, clean.score) == ("A", 1000)

    def test_as_of_reproducibility(self):
        base = [rec(1, days_ago=100), rec(2, days_ago=200, severity="serious")]
        before = score_one(small_spec(), ENT, base, [], AS_OF)
        later = [
            *base,
            rec(3, days_ago=-10),  # decided after the as-of date
            rec(4, days_ago=-1, kind="court-defaulter", severity="serious"),
        ]
        assert score_one(small_spec(), ENT, later, [], AS_OF) == before
        assert (before.score, before.grade) == (200, "D")  # 100 + 0 (two penalties) + 100 (no bills)

    def test_record_repaired_after_the_date_still_counts_as_of_the_date(self):
        repaired_at = datetime(2026, 12, 1, 9, tzinfo=UTC)
        events = [Event(EventType.REPAIRED, repaired_at)]

        def scored(as_of):
            state = record_state(events, as_of)
            row = replace(rec(1, days_ago=30), status_as_of=state.status.value, disputed=state.disputed)
            return score_one(small_spec(), ENT, [row], [], as_of)

        assert scored(AS_OF).indicator("penalties").value == 1  # repair not yet happened
        assert scored(date(2026, 12, 1)).indicator("penalties").value == 0
        disputed = [Event(EventType.DISPUTED, datetime(2026, 10, 1, tzinfo=UTC))]
        assert record_state(disputed, AS_OF).disputed

    def test_score_many_groups_rows(self):
        ents = [ENT, EnterpriseInput(2)]
        rows = [rec(1), RecordInput(2, 2, "court-defaulter", "negative", "serious", AS_OF)]
        results = score_many(small_spec(), ents, rows, [], AS_OF)
        assert [r.enterprise_id for r in results] == [1, 2]
        assert results[0].score == 100 + 300 + 100 and results[1].grade == "D"


def test_round_score_rounds_half_up_and_clamps():
    assert round_score(799.5) == 800
    assert round_score(799.4999) == 799
    assert round_score(799.4999999999) == 800  # within the declared epsilon
    assert round_score(-3) == 0 and round_score(1200) == 1000


def test_top_reasons_order_and_limit():
    items = [IndicatorResult(f"i{k}", 1.0, float(k), 10, False, (k,)) for k in range(8)]
    reasons = top_reasons(items)
    assert [r.code for r in reasons] == ["i0", "i1", "i2", "i3", "i4"]
    assert reasons[0].lost_points == 10 and reasons[0].evidence == (0,)
    tied = [IndicatorResult("b", 1.0, 0.0, 5, False), IndicatorResult("a", 1.0, 0.0, 5, False)]
    assert [r.code for r in top_reasons(tied)] == ["a", "b"]
    assert top_reasons([IndicatorResult("full", 1.0, 5.0, 5, False)]) == ()


def test_assemble_reports_overrides_in_spec_order():
    spec = small_spec()
    result = assemble_result(spec, 1, [], ["court"], ["serious"])
    assert result.vetoes == ("court",) and result.caps == ("serious",) and result.data_depth == 0.0


def test_percentile_ranks_use_mid_ranks():
    ranks = percentile_ranks({1: 500, 2: 700, 3: 700, 4: 900})
    assert ranks == {1: 12.5, 2: 50.0, 3: 50.0, 4: 87.5}
    assert percentile_ranks({}) == {}
    assert not any(math.isnan(v) for v in percentile_ranks({1: 1}).values())
