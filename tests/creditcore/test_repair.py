"""Publicity and repair dates for every negative kind and severity under both regimes.

The expected dates are written out by hand. Three situations per kind and severity:
- OLD: decided 2025-08-31, handled 2026-01-15 (Order 58 era throughout);
- NEW: decided 2026-05-31, handled 2026-07-01 (Order 36 throughout);
- TRANSITION: decided 2025-08-31, handled 2026-06-01 (decided before 2026-04-01, handled after:
  the more favourable of the old and the new result).
31 August and 31 May also check that a month without that day ends on its last day.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcore.catalogue import RECORD_KINDS, Polarity
from creditcore.repair import (
    RepairExplanation,
    RuleBook,
    RuleError,
    add_months,
    builtin_rulebook,
    explain,
    rule_set_from_data,
)
from creditcore.repair_rules import BUILTIN_RULE_SETS

D = date
OLD_DECIDED, OLD_ON = D(2025, 8, 31), D(2026, 1, 15)
NEW_DECIDED, NEW_ON = D(2026, 5, 31), D(2026, 7, 1)
TRANSITION_ON = D(2026, 6, 1)

# Decision date + N months, by hand.
AFTER_OLD = {
    0: D(2025, 8, 31),
    3: D(2025, 11, 30),
    12: D(2026, 8, 31),
    36: D(2028, 8, 31),
    60: D(2030, 8, 31),
}
AFTER_NEW = {0: D(2026, 5, 31), 3: D(2026, 8, 31), 12: D(2027, 5, 31), 36: D(2029, 5, 31), 60: D(2031, 5, 31)}

# (published, min months, max months or None, rule set) for OLD, NEW and TRANSITION.
OLD_PENALTY = (True, 3, 36, "order58")
NEW_MINOR = (False, 0, 3, "order36")
NEW_GENERAL = (True, 3, 12, "order36")
NEW_SERIOUS = (True, 12, 36, "order36")
PARK_OLD = (False, 3, 36, "order58")
PARK_NEW = {"minor": (False, 0, 3, "order36"), "general": (False, 3, 12, "order36")}
PARK_NEW["serious"] = (False, 12, 36, "order36")
LIST_SERIOUS = (True, 12, 36)
UNTIL_REMOVED = (True, 0, None)
ENFORCEMENT = (True, 0, 60)

Expected = tuple[bool, int, int | None, str]
TABLE: dict[tuple[str, str], tuple[Expected, Expected, Expected]] = {
    # kind, severity: OLD, NEW, TRANSITION
    ("penalty", "minor"): (OLD_PENALTY, NEW_MINOR, NEW_MINOR),
    ("penalty", "general"): (OLD_PENALTY, NEW_GENERAL, NEW_GENERAL),
    # Same end (3 years) either way; the old rule allows repair after 3 months, not 1 year.
    ("penalty", "serious"): (OLD_PENALTY, NEW_SERIOUS, OLD_PENALTY),
    ("administrative-enforcement", "general"): (OLD_PENALTY, NEW_GENERAL, NEW_GENERAL),
    ("administrative-enforcement", "serious"): (OLD_PENALTY, NEW_SERIOUS, OLD_PENALTY),
    ("tax-arrears", "general"): (OLD_PENALTY, NEW_GENERAL, NEW_GENERAL),
    ("tax-arrears", "serious"): (OLD_PENALTY, NEW_SERIOUS, OLD_PENALTY),
    ("social-insurance-arrears", "minor"): (OLD_PENALTY, NEW_MINOR, NEW_MINOR),
    ("social-insurance-arrears", "general"): (OLD_PENALTY, NEW_GENERAL, NEW_GENERAL),
    ("commitment-breach", "general"): (OLD_PENALTY, NEW_GENERAL, NEW_GENERAL),
    ("commitment-breach", "serious"): (OLD_PENALTY, NEW_SERIOUS, OLD_PENALTY),
    # Lists: the same periods in both regimes, so a tie keeps the new rule.
    ("serious-dishonesty", "serious"): (
        (*LIST_SERIOUS, "order58"),
        (*LIST_SERIOUS, "order36"),
        (*LIST_SERIOUS, "order36"),
    ),
    ("abnormal-operation", "general"): (
        (*UNTIL_REMOVED, "order58"),
        (*UNTIL_REMOVED, "order36"),
        (*UNTIL_REMOVED, "order36"),
    ),
    ("court-defaulter", "serious"): (
        (*UNTIL_REMOVED, "order58"),
        (*UNTIL_REMOVED, "order36"),
        (*UNTIL_REMOVED, "order36"),
    ),
    ("court-enforcement", "general"): (
        (*ENFORCEMENT, "order58"),
        (*ENFORCEMENT, "order36"),
        (*ENFORCEMENT, "order36"),
    ),
    # The park's own records: never published; used for the regime's periods.
    ("park-rent-arrears", "minor"): (PARK_OLD, PARK_NEW["minor"], PARK_NEW["minor"]),
    ("park-rent-arrears", "general"): (PARK_OLD, PARK_NEW["general"], PARK_NEW["general"]),
    ("park-rent-arrears", "serious"): (PARK_OLD, PARK_NEW["serious"], PARK_OLD),
    ("park-contract-breach", "general"): (PARK_OLD, PARK_NEW["general"], PARK_NEW["general"]),
    ("park-contract-breach", "serious"): (PARK_OLD, PARK_NEW["serious"], PARK_OLD),
    ("park-safety-hazard", "minor"): (PARK_OLD, PARK_NEW["minor"], PARK_NEW["minor"]),
    ("park-safety-hazard", "general"): (PARK_OLD, PARK_NEW["general"], PARK_NEW["general"]),
    ("park-safety-hazard", "serious"): (PARK_OLD, PARK_NEW["serious"], PARK_OLD),
    ("park-env-violation", "minor"): (PARK_OLD, PARK_NEW["minor"], PARK_NEW["minor"]),
    ("park-env-violation", "general"): (PARK_OLD, PARK_NEW["general"], PARK_NEW["general"]),
}

CASES = [
    pytest.param(kind, severity, situation, id=f"{kind}-{severity}-{situation}")
    for (kind, severity) in TABLE
    for situation in ("old", "new", "transition")
]


def test_the_table_covers_every_negative_kind_and_severity() -> None:
    catalogue = {
        (kind.code, severity.value)
        for kind in RECORD_KINDS
        if kind.polarity is Polarity.NEGATIVE
        for severity in kind.severities
    }
    assert set(TABLE) == catalogue


def _check(result: RepairExplanation, expected: Expected, after: dict[int, date]) -> None:
    published, min_months, max_months, rule_set = expected
    assert result.published is published
    assert (result.min_months, result.max_months) == (min_months, max_months)
    assert result.earliest_repair == after[min_months]
    assert result.publicity_end == (after[max_months] if max_months is not None else None)
    assert result.repairable is True
    assert result.rule_set == rule_set
    assert result.rule and result.materials


@pytest.mark.parametrize(("kind", "severity", "situation"), CASES)
def test_publicity_and_repair_dates(kind: str, severity: str, situation: str) -> None:
    old, new, transition = TABLE[(kind, severity)]
    if situation == "old":
        result = explain(kind, severity, OLD_DECIDED, on=OLD_ON)
        _check(result, old, AFTER_OLD)
        assert "第58号" in result.rule or "最高人民法院" in result.rule or "河南" in result.rule
        assert result.transition_note == ""
    elif situation == "new":
        result = explain(kind, severity, NEW_DECIDED, on=NEW_ON)
        _check(result, new, AFTER_NEW)
        assert result.transition_note == ""
    else:
        result = explain(kind, severity, OLD_DECIDED, on=TRANSITION_ON)
        _check(result, transition, AFTER_OLD)  # periods still count from the decision
        assert "2025-08-31作出、2026-04-01后处理" in result.transition_note
        assert result.transition_note in result.rule


def test_new_regime_cites_order_36_and_22() -> None:
    result = explain("penalty", "general", NEW_DECIDED, on=NEW_ON)
    assert "国家发展改革委令第36号" in result.rule and "国办发〔2025〕22号" in result.rule
    assert dict(result.deadlines) == {"feedback": 10, "decide": 3}
    assert "信用承诺书(承诺材料真实,违诺愿担责)" in result.materials


def test_handled_before_the_switch_uses_the_old_rule_even_for_a_late_decision() -> None:
    result = explain("penalty", "general", D(2026, 3, 31), on=D(2026, 3, 31))
    assert result.rule_set == "order58"
    assert result.publicity_end == D(2029, 3, 31)
    # The same record looked at again from 1 April 2026: the new 1-year maximum is better.
    again = explain("penalty", "general", D(2026, 3, 31), on=D(2026, 4, 1))
    assert again.rule_set == "order36"
    assert again.publicity_end == D(2027, 3, 31)


def test_decided_on_the_switch_day_is_the_new_regime_without_transition() -> None:
    result = explain("penalty", "serious", D(2026, 4, 1), on=D(2026, 4, 1))
    assert result.rule_set == "order36" and result.transition_note == ""
    assert result.earliest_repair == D(2027, 4, 1)


# --- penalty types ------------------------------------------------------------------------------


def test_safety_fields_have_a_one_year_minimum_in_the_old_regime() -> None:
    result = explain("penalty", "general", OLD_DECIDED, penalty_type="罚款", on=OLD_ON)
    assert result.min_months == 3
    special = explain("penalty", "general", OLD_DECIDED, penalty_type="违反消防法", on=OLD_ON)
    assert (special.min_months, special.max_months) == (12, 36)
    assert special.earliest_repair == D(2026, 8, 31)
    assert "消防" in special.rule


def test_several_penalty_types_take_the_longest_period() -> None:
    result = explain("penalty", "general", OLD_DECIDED, penalty_type="罚款;安全生产", on=OLD_ON)
    assert (result.min_months, result.max_months) == (12, 36)
    assert result.rule.count("第58号") >= 2  # both rules are cited


def test_penalty_type_without_a_special_rule_is_the_base_rule() -> None:
    plain = explain("penalty", "serious", NEW_DECIDED, on=NEW_ON)
    typed = explain("penalty", "serious", NEW_DECIDED, penalty_type="吊销许可证件", on=NEW_ON)
    assert typed == plain


# --- names and errors ---------------------------------------------------------------------------


def test_kind_may_be_an_import_profile_name() -> None:
    assert explain("court-defaulter", "serious", NEW_DECIDED, on=NEW_ON).kind == "court-defaulter"
    with pytest.raises(RuleError, match=r"纳税信用等级.*不是失信信息"):
        explain("tax-grade", "general", NEW_DECIDED, on=NEW_ON)


@pytest.mark.parametrize(
    ("kind", "severity", "message"),
    [
        ("no-such-kind", "general", "记录类型「no-such-kind」没有修复规则"),
        ("penalty", "grave", "失信程度「grave」无效"),
        ("court-defaulter", "general", "「失信被执行人」没有「一般」程度,可选:serious(严重)"),
        ("honour", "general", "不是失信信息"),
    ],
)
def test_bad_questions_get_a_chinese_error(kind: str, severity: str, message: str) -> None:
    with pytest.raises(RuleError, match=re.escape(message)):
        explain(kind, severity, NEW_DECIDED, on=NEW_ON)


def test_handling_before_the_decision_is_refused() -> None:
    with pytest.raises(RuleError, match="早于决定日期"):
        explain("penalty", "general", NEW_DECIDED, on=D(2026, 5, 1))


# --- rule data: validation and versions -------------------------------------------------------


def _minimal(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "code": "test",
        "name": "测试规则集",
        "effective_from": "2027-01-01",
        "citation": "测试",
        "rules": [
            {
                "kind": "penalty",
                "severity": "*",
                "published": True,
                "min_months": 6,
                "max_months": 24,
                "early_repair": True,
                "materials": ["申请书"],
                "rule": "测试规则",
            }
        ],
    }
    data.update(changes)
    return data


def _rule(**changes: object) -> dict[str, object]:
    rules = _minimal()["rules"]
    assert isinstance(rules, list)
    return {**rules[0], **changes}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_minimal(effective_from="2027-13-01"), "日期「2027-13-01」无效"),
        (_minimal(rules=[]), "rules"),
        (_minimal(rules=[_rule(kind="honour")]), "「honour」不是目录中的失信信息类型"),
        (_minimal(rules=[_rule(severity="serious", kind="abnormal-operation")]), "没有「严重」程度"),
        (_minimal(rules=[_rule(min_months=30)]), "最长公示期 24 个月短于最短公示期 30 个月"),
        (_minimal(rules=[_rule(), _rule()]), "第2条规则与前面的规则重复"),
        (_minimal(rules=[_rule(materials="nowhere")]), "材料清单「nowhere」未定义"),
        (_minimal(rules=[_rule(published="yes")]), "rules/0/published"),
        (_minimal(transition="sometimes"), "transition"),
    ],
)
def test_rule_data_is_validated_with_a_chinese_message(data: dict[str, object], message: str) -> None:
    with pytest.raises(RuleError, match=message):
        rule_set_from_data(data)


def test_builtin_sets_are_valid_and_cover_every_negative_kind() -> None:
    book = builtin_rulebook()
    assert [s.effective_from for s in book.sets] == [D(2023, 5, 1), D(2026, 4, 1)]
    negative = {k.code for k in RECORD_KINDS if k.polarity is Polarity.NEGATIVE}
    for rule_set in book.sets:
        assert rule_set.kinds() == negative
    assert len(BUILTIN_RULE_SETS) == 2


def _book_with(later: dict[str, object]) -> RuleBook:
    return RuleBook([*builtin_rulebook().sets, rule_set_from_data(later)])


def test_a_later_set_applies_from_its_date_with_its_transition_policy() -> None:
    decided = D(2026, 10, 31)
    for transition, expected_end in (
        ("handling", D(2028, 10, 31)),  # the 2027 set's 24 months
        ("decision", D(2027, 10, 31)),  # the 2026 set's 12 months
        ("favourable", D(2027, 10, 31)),
    ):
        book = _book_with(_minimal(transition=transition))
        result = explain("penalty", "general", decided, on=D(2027, 2, 1), rules=book)
        assert result.publicity_end == expected_end, transition
        assert result.earliest_repair == (D(2027, 4, 30) if transition == "handling" else D(2027, 1, 31))
    before = explain("penalty", "general", decided, on=D(2026, 12, 31), rules=_book_with(_minimal()))
    assert before.rule_set == "order36"


def test_a_new_version_for_the_same_date_replaces_the_old_one() -> None:
    replacement = _minimal(effective_from="2026-04-01", code="order36-v2")
    book = _book_with(replacement)
    assert len(book.sets) == 2
    assert explain("penalty", "general", NEW_DECIDED, on=NEW_ON, rules=book).rule_set == "order36-v2"


def test_days_before_the_earliest_set_use_the_earliest_set() -> None:
    result = explain("penalty", "general", D(2022, 1, 31), on=D(2022, 3, 1))
    assert result.rule_set == "order58"
    assert result.publicity_end == D(2025, 1, 31)


def test_json_output_starts_with_the_contract_keys() -> None:
    data = explain("penalty", "general", NEW_DECIDED, on=NEW_ON).as_json()
    assert list(data)[:5] == ["published", "publicity_end", "earliest_repair", "repairable", "rule"]
    assert data["publicity_end"] == "2027-05-31"
    assert data["materials"] and isinstance(data["deadlines"], dict)


def test_repairable_on_and_ended() -> None:
    result = explain("penalty", "general", NEW_DECIDED, on=NEW_ON)
    assert not result.repairable_on(D(2026, 8, 30))
    assert result.repairable_on(D(2026, 8, 31))
    assert result.repairable_on(D(2027, 5, 30))
    assert not result.repairable_on(D(2027, 5, 31)) and result.ended(D(2027, 5, 31))
    listed = explain("court-defaulter", "serious", NEW_DECIDED, on=NEW_ON)
    assert not listed.ended(D(2040, 1, 1)) and listed.repairable_on(D(2040, 1, 1))


# --- months --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2027, 2, 28), 12, D(2028, 2, 28)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2025, 12, 15), 3, D(2026, 3, 15)),
        (D(2025, 8, 31), 0, D(2025, 8, 31)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


negative_pairs = sorted(TABLE)


@settings(max_examples=80, deadline=None)
@given(
    pair=st.sampled_from(negative_pairs),
    decided=st.dates(D(2023, 5, 1), D(2028, 12, 31)),
    later=st.integers(0, 2000),
)
def test_windows_are_ordered_and_count_from_the_decision(
    pair: tuple[str, str], decided: date, later: int
) -> None:
    on = decided + timedelta(days=later)
    result = explain(*pair, decided, on=on)
    assert result.earliest_repair is not None and result.earliest_repair >= decided
    if result.publicity_end is not None:
        assert result.publicity_end >= result.earliest_repair
        assert result.publicity_end <= add_months(decided, 60)
    # Handling later never makes the outcome worse than handling on the decision day.
    first = explain(*pair, decided, on=decided)
    far = date.max
    assert (result.publicity_end or far) <= (first.publicity_end or far)
