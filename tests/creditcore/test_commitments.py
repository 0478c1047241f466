"""Commitment conditions as data and the pure fulfilment verdict."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcore.commitments import (
    Condition,
    ConditionError,
    ConditionType,
    FindingFact,
    Outcome,
    RecordFact,
    conditions_json,
    describe,
    evaluate,
    parse_conditions,
    specialise,
)

KINDS = {"penalty", "tax-arrears", "abnormal-operation"}
METRICS = {"safety_findings", "rent_bill"}
START, END = date(2026, 1, 1), date(2026, 12, 31)

SAFETY = Condition(ConditionType.NO_RECORD, kinds=("penalty",), areas=("安全生产", "消防"))
RECTIFY = Condition(ConditionType.RECTIFY_ON_TIME, metric="safety_findings", grace_days=5)
DELIVER = Condition(ConditionType.DELIVER_BY, label="补齐材料", workdays=20)


def parse(raw: object) -> tuple[Condition, ...]:
    return parse_conditions(raw, kinds=KINDS, metrics=METRICS)


# --- parsing -------------------------------------------------------------------------------------


def test_parse_round_trips_every_type() -> None:
    raw = [
        {
            "type": "no_record",
            "kinds": ["penalty"],
            "areas": ["安全生产"],
            "min_severity": "general",
            "label": "安全",
        },
        {"type": "rectify_on_time", "metric": "safety_findings", "grace_days": 3},
        {"type": "deliver_by", "workdays": 20, "label": "补齐材料"},
    ]
    parsed = parse(raw)
    assert [c.type for c in parsed] == list(ConditionType)
    assert conditions_json(parsed) == raw
    assert parse(conditions_json(parsed)) == parsed


def test_areas_may_be_written_as_one_string() -> None:
    (condition,) = parse([{"type": "no_record", "kinds": "penalty", "areas": "安全生产、消防,特种设备"}])
    assert condition.areas == ("安全生产", "消防", "特种设备")
    assert condition.kinds == ("penalty",)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"type": "no_record"}, "履约条件应为列表"),
        ([{"type": "nothing"}], "第 1 条条件:条件类型「nothing」无效"),
        ([{"type": "no_record", "kinds": []}], "「kinds」至少填写一个记录类型"),
        ([{"type": "no_record", "kinds": ["parking"]}], "记录类型「parking」不在信息资源目录中"),
        (
            [{"type": "no_record", "kinds": ["penalty"], "min_severity": "grave"}],
            "「min_severity」「grave」无效",
        ),
        ([{"type": "no_record", "kinds": ["penalty"], "colour": "red"}], "不认识字段「colour」"),
        ([{"type": "rectify_on_time", "metric": "electricity"}], "指标「electricity」不是园区账单类指标"),
        (
            [{"type": "rectify_on_time", "metric": "rent_bill", "grace_days": -1}],
            "「grace_days」应在 0 到 90 之间",
        ),
        ([{"type": "deliver_by", "label": "补齐材料"}], "「workdays」(完成期限,工作日数)必须填写"),
        ([{"type": "deliver_by", "workdays": 5}], "限期完成的承诺事项必须在「label」中写明"),
        ([{"type": "deliver_by", "workdays": "5", "label": "x"}], "「workdays」应为整数,收到「5」"),
        ([1], "第 1 条条件:应为键值对"),
    ],
)
def test_bad_conditions_are_refused_in_chinese(raw: object, message: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse(raw)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_every_fault_is_listed_at_once() -> None:
    with pytest.raises(ConditionError) as caught:
        parse([{"type": "no_record", "kinds": ["parking"]}, {"type": "deliver_by"}])
    assert any(p.startswith("第 1 条") for p in caught.value.problems)
    assert any(p.startswith("第 2 条") for p in caught.value.problems)


def test_empty_conditions_are_a_declaration() -> None:
    assert parse([]) == ()
    assert parse(None) == ()


def test_describe_states_what_is_checked() -> None:
    names = {"penalty": "行政处罚"}
    assert describe(SAFETY, kind_names=names, metric_names={}, deadline=None) == (
        "承诺期内不发生涉及安全生产、消防领域的行政处罚"
    )
    text = describe(
        RECTIFY, kind_names={}, metric_names={"safety_findings": "安全检查发现问题数"}, deadline=None
    )
    assert text == "对承诺期内的安全检查发现问题数在整改期限内整改到位(最迟不超过期限后 5 日)"
    assert (
        describe(DELIVER, kind_names={}, metric_names={}, deadline=date(2026, 2, 3))
        == "2026年02月03日前完成:补齐材料"
    )


def test_specialise_narrows_a_repair_condition_to_the_record() -> None:
    repair = Condition(
        ConditionType.NO_RECORD, kinds=("penalty",), min_severity="general", same_as_record=True
    )
    narrowed = specialise(repair, kind="penalty", area="消防违法")
    assert narrowed.kinds == ("penalty",) and narrowed.areas == ("消防违法",) and not narrowed.same_as_record
    listed = specialise(repair, kind="abnormal-operation", area="")
    assert listed.kinds == ("abnormal-operation",) and listed.areas == ()
    assert specialise(SAFETY, kind="tax-arrears", area="消防违法") == SAFETY


# --- the verdict ---------------------------------------------------------------------------------


def penalty(on: date, text: str = "安全生产违法", **fields: object) -> RecordFact:
    return RecordFact(record_id=7, kind="penalty", on=on, severity="general", text=text, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fact", "outcome"),
    [
        (penalty(date(2026, 3, 1)), Outcome.BREACHED),
        (penalty(date(2026, 3, 1), "税收征管违法"), Outcome.IN_FORCE),  # another area
        (penalty(date(2025, 12, 31)), Outcome.IN_FORCE),  # before signing
        (penalty(date(2026, 7, 2)), Outcome.IN_FORCE),  # after the day of the check
        (penalty(date(2026, 3, 1), counts=False), Outcome.IN_FORCE),  # revoked or disputed
        (RecordFact(1, "tax-arrears", date(2026, 3, 1), text="安全生产"), Outcome.IN_FORCE),  # another kind
    ],
)
def test_a_later_record_in_the_promised_area_breaks_the_commitment(
    fact: RecordFact, outcome: Outcome
) -> None:
    verdict = evaluate((SAFETY,), start=START, end=END, on=date(2026, 7, 1), records=[fact])
    assert verdict.outcome is outcome
    if outcome is Outcome.BREACHED:
        assert verdict.breaches[0].evidence == {"record": 7}
        assert verdict.breaches[0].on == date(2026, 3, 1)


def test_minimum_severity() -> None:
    serious_only = Condition(ConditionType.NO_RECORD, kinds=("penalty",), min_severity="serious")
    general = penalty(date(2026, 3, 1))
    serious = RecordFact(8, "penalty", date(2026, 3, 1), severity="serious")
    assert (
        evaluate((serious_only,), start=START, end=END, on=date(2026, 7, 1), records=[general]).outcome
        is Outcome.IN_FORCE
    )
    assert (
        evaluate((serious_only,), start=START, end=END, on=date(2026, 7, 1), records=[serious]).outcome
        is Outcome.BREACHED
    )


@pytest.mark.parametrize(
    ("due", "settled", "on", "outcome"),
    [
        (date(2026, 3, 31), None, date(2026, 4, 5), Outcome.IN_FORCE),  # within the 5-day grace
        (date(2026, 3, 31), None, date(2026, 4, 6), Outcome.BREACHED),  # grace over, still open
        (date(2026, 3, 31), date(2026, 4, 5), date(2026, 7, 1), Outcome.IN_FORCE),  # late but within grace
        (date(2026, 3, 31), date(2026, 4, 6), date(2026, 7, 1), Outcome.BREACHED),  # rectified too late
        (date(2025, 12, 1), None, date(2026, 7, 1), Outcome.IN_FORCE),  # fell due before signing
    ],
)
def test_a_missed_rectification_breaks_the_commitment(
    due: date, settled: date | None, on: date, outcome: Outcome
) -> None:
    finding = FindingFact(observation_id=3, metric="safety_findings", due_on=due, settled_on=settled, value=2)
    assert evaluate((RECTIFY,), start=START, end=END, on=on, findings=[finding]).outcome is outcome


def test_a_finding_of_zero_problems_needs_no_rectification() -> None:
    finding = FindingFact(3, "safety_findings", date(2026, 3, 31), None, value=0)
    assert (
        evaluate((RECTIFY,), start=START, end=END, on=date(2026, 7, 1), findings=[finding]).outcome
        is Outcome.IN_FORCE
    )


def test_deliver_by_deadline() -> None:
    deadline = {0: date(2026, 1, 30)}
    on_time = evaluate(
        (DELIVER,),
        start=START,
        end=END,
        on=date(2026, 2, 10),
        deadlines=deadline,
        delivered={0: date(2026, 1, 29)},
    )
    missed = evaluate((DELIVER,), start=START, end=END, on=date(2026, 1, 31), deadlines=deadline)
    waiting = evaluate((DELIVER,), start=START, end=END, on=date(2026, 1, 30), deadlines=deadline)
    late = evaluate(
        (DELIVER,),
        start=START,
        end=END,
        on=date(2026, 2, 10),
        deadlines=deadline,
        delivered={0: date(2026, 2, 2)},
    )
    assert on_time.outcome is Outcome.IN_FORCE
    assert missed.outcome is Outcome.BREACHED and missed.breaches[0].on == date(2026, 1, 31)
    assert waiting.outcome is Outcome.IN_FORCE
    assert late.outcome is Outcome.BREACHED


def test_the_end_of_the_period() -> None:
    after = END + timedelta(days=1)
    assert evaluate((SAFETY,), start=START, end=END, on=END).outcome is Outcome.IN_FORCE
    assert evaluate((SAFETY,), start=START, end=END, on=after).outcome is Outcome.FULFILLED
    assert evaluate((), start=START, end=END, on=after).outcome is Outcome.EXPIRED
    # A record after the period does not count against it.
    assert (
        evaluate((SAFETY,), start=START, end=END, on=after, records=[penalty(after)]).outcome
        is Outcome.FULFILLED
    )


def test_breaches_come_earliest_first() -> None:
    verdict = evaluate(
        (SAFETY, RECTIFY),
        start=START,
        end=END,
        on=date(2026, 9, 1),
        records=[penalty(date(2026, 8, 1))],
        findings=[FindingFact(3, "safety_findings", date(2026, 2, 1), None, 1)],
    )
    assert [b.condition for b in verdict.breaches] == [1, 0]


days = st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 6, 30))
facts = st.builds(
    RecordFact,
    record_id=st.integers(1, 1000),
    kind=st.sampled_from(sorted(KINDS)),
    on=days,
    severity=st.sampled_from(["", "minor", "general", "serious"]),
    text=st.sampled_from(["安全生产违法", "消防违法", "税收征管违法", ""]),
    counts=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(records=st.lists(facts, max_size=8), on=days)
def test_breached_exactly_when_a_matching_record_lies_in_the_window(
    records: list[RecordFact], on: date
) -> None:
    verdict = evaluate((SAFETY,), start=START, end=END, on=on, records=records)
    expected = any(
        r.counts
        and r.kind == "penalty"
        and START <= r.on <= min(END, on)
        and ("安全生产" in r.text or "消防" in r.text)
        for r in records
    )
    assert (verdict.outcome is Outcome.BREACHED) == expected


@settings(max_examples=200, deadline=None)
@given(records=st.lists(facts, max_size=8), on=days, later=st.integers(0, 400))
def test_a_breach_is_never_undone_by_checking_later(records: list[RecordFact], on: date, later: int) -> None:
    first = evaluate((SAFETY,), start=START, end=END, on=on, records=records)
    second = evaluate((SAFETY,), start=START, end=END, on=on + timedelta(days=later), records=records)
    if first.outcome is Outcome.BREACHED:
        assert second.outcome is Outcome.BREACHED
    if first.outcome is Outcome.FULFILLED:
        assert second.outcome is Outcome.FULFILLED
