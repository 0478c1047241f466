"""Reasons and the improvement path on the literal ledgers of the default-model tests."""

from __future__ import annotations

from datetime import timedelta

from creditcore.scoring.explain import explain_reasons, improvement_path, project
from creditcore.scoring.reference import score_one
from tests.creditcore.scoring.test_default_model import (
    AS_OF,
    SPEC,
    ledger_defaulter,
    ledger_sound,
    ledger_troubled,
)


def test_reasons_name_indicators_points_and_records():
    enterprise, records, observations = ledger_troubled()
    result = score_one(SPEC, enterprise, records, observations, AS_OF)
    reasons = explain_reasons(SPEC, result)
    assert [r.code for r in reasons] == [r.code for r in result.reasons]
    by_code = {r.code: r for r in reasons}
    severity = by_code["penalty_severity"]
    assert severity.evidence == (2, 3)
    assert (
        severity.text
        == "「行政处罚最高失信程度」取值 3.00,得 0.0 分(满分 40 分),失 40.0 分,涉及 2 条信用记录。"
    )
    assert by_code["honours"].text.startswith("「诚信荣誉与奖励」0 条记录")


def test_reason_for_missing_data():
    enterprise, records, _observations = ledger_sound()
    result = score_one(SPEC, enterprise, records, [], AS_OF)
    texts = [r.text for r in explain_reasons(SPEC, result)]
    assert any("缺少数据" in t for t in texts)


def test_troubled_path_lists_repairs_obligations_and_dates():
    enterprise, records, observations = ledger_troubled()
    path = improvement_path(SPEC, enterprise, records, observations, AS_OF)
    assert (path.grade, path.score) == ("D", 562)
    # Repairing the serious penalty removes the cap and 40 + points: the biggest gain.
    best = path.repairs[0]
    assert best.record_id == 2 and best.kind == "penalty" and best.gain > 0
    assert all(r.kind in ("penalty", "park-rent-arrears") for r in path.repairs)
    assert 7 not in {r.record_id for r in path.repairs}  # already repaired: not in play
    # Obligations: the newest rent and fee bills are unpaid as of the date.
    assert {(o.metric, o.days_overdue) for o in path.obligations} == {("rent_bill", 22), ("fee_bill", 22)}
    # The timeline only ever moves to better grades, on dates after the as-of date.
    ranks = [["A", "B", "C", "D"].index(step.grade) for step in path.timeline]
    assert path.timeline and ranks == sorted(ranks, reverse=True) and len(set(ranks)) == len(ranks)
    assert all(step.on > AS_OF for step in path.timeline)
    assert path.timeline[0].text.startswith(f"自 {path.timeline[0].on.isoformat()} 起可升至")


def test_the_cap_lifts_when_the_serious_penalty_leaves_its_window():
    enterprise, records, observations = ledger_troubled()
    current = score_one(SPEC, enterprise, records, observations, AS_OF)
    leaves = AS_OF + timedelta(days=365 - 100)
    before = project(SPEC, enterprise, records, observations, AS_OF, leaves - timedelta(days=1), current)
    after = project(SPEC, enterprise, records, observations, AS_OF, leaves, current)
    assert "serious_penalty_last_year" in before.caps
    assert "serious_penalty_last_year" not in after.caps
    assert after.score >= before.score


def test_defaulter_path_is_repair_of_the_defaulter_record():
    enterprise, records, observations = ledger_defaulter()
    path = improvement_path(SPEC, enterprise, records, observations, AS_OF)
    assert path.grade == "D"
    assert path.repairs[0].record_id == 9 and path.repairs[0].grade == "A"
    assert path.timeline == ()  # a veto does not expire with time


def test_sound_enterprise_has_nothing_to_repair():
    enterprise, records, observations = ledger_sound()
    path = improvement_path(SPEC, enterprise, records, observations, AS_OF)
    assert path.grade == "A" and path.repairs == () and path.obligations == () and path.timeline == ()


def test_many_leaving_dates_are_sampled():
    enterprise, records, observations = ledger_troubled()
    extra = [
        type(records[0])(100 + k, 1, "park-safety-hazard", "negative", "minor", AS_OF - timedelta(days=k * 3))
        for k in range(1, 120)
    ]
    path = improvement_path(SPEC, enterprise, records + extra, observations, AS_OF)
    assert path.timeline  # still finds when the grade lifts
