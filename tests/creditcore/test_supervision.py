"""The draw: replayable, tamper-evident, and within its rules over random directories."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcore.supervision import (
    InputError,
    Sm3Stream,
    canonical_json,
    commitment_of,
    draw,
    replay,
    sm3_hex,
    verify,
)
from creditcore.supervision.draw import DEFAULT_RULES, add_months, exclusion

SEED = "5" * 64
DEPARTMENTS = ("ghjsb", "jjfzb", "zhb")


def make_inputs(
    targets: list[dict[str, Any]], inspectors: list[dict[str, Any]], **rules: Any
) -> dict[str, Any]:
    return {
        "format": "parkcredit-draw/1",
        "plan": "T",
        "as_of": "2026-11-01",
        "rules": {**copy.deepcopy(DEFAULT_RULES), **rules},
        "targets": targets,
        "items": [
            {"code": "fire", "department": "ghjsb", "key": True},
            {"code": "lease", "department": "jjfzb", "key": False},
            {"code": "env", "department": "zhb", "key": False},
        ],
        "inspectors": inspectors,
    }


def target(tid: int, grade: str = "B", tags: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    return {
        "id": tid,
        "grade": grade,
        "tags": list(tags),
        "founded_on": "2010-01-01",
        "park_entry_on": "",
        "inspections_this_year": 0,
        **extra,
    }


targets_st = st.lists(
    st.builds(
        lambda grade, tags, year, count: {
            "grade": grade,
            "tags": sorted(set(tags)),
            "founded_on": f"{year}-06-15",
            "park_entry_on": "",
            "inspections_this_year": count,
        },
        st.sampled_from(["", "A", "B", "C", "D"]),
        st.lists(st.sampled_from(["gazelle", "unicorn", "new_economy", "high_tech"]), max_size=2),
        st.integers(2015, 2026),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=60,
).map(lambda rows: [{"id": n + 1, **row} for n, row in enumerate(rows)])


@st.composite
def directories(draw_: Any) -> dict[str, Any]:
    targets = draw_(targets_st)
    n = draw_(st.integers(0, 12))
    inspectors = [
        {
            "id": 100 + i,
            "department": draw_(st.sampled_from(DEPARTMENTS)),
            "qualifications": sorted(set(draw_(st.lists(st.sampled_from(DEPARTMENTS), max_size=2)))),
            "conflicts": sorted(
                set(draw_(st.lists(st.sampled_from([t["id"] for t in targets]), max_size=len(targets))))
            ),
        }
        for i in range(n)
    ]
    return make_inputs(
        targets,
        inspectors,
        control_share_bp=draw_(st.integers(0, 5000)),
        yearly_cap=draw_(st.integers(1, 3)),
        ratios_bp={g: draw_(st.integers(0, 10000)) for g in "ABCD"},
        tolerance_months=draw_(st.sampled_from([24, 36])),
    )


def test_sm3_and_stream_are_stable() -> None:
    # GB/T 32905-2016 example 1.
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    first = [Sm3Stream(SEED, "targets/ghjsb").next_u64() for _ in range(1)]
    again = Sm3Stream(SEED, "targets/ghjsb")
    assert [again.next_u64()] == first
    block = bytes.fromhex(sm3_hex(SEED.encode() + b"\x1ftargets/ghjsb\x1f" + (0).to_bytes(8, "big")))
    assert first[0] == int.from_bytes(block[:8], "big")
    assert Sm3Stream(SEED, "inspectors").next_u64() != first[0]


def test_below_is_unbiased_enough_and_shuffle_permutes() -> None:
    stream = Sm3Stream(SEED, "x")
    counts = [0] * 3
    for _ in range(3000):
        counts[stream.below(3)] += 1
    assert all(900 < c < 1100 for c in counts)
    assert sorted(stream.shuffled(range(50))) == list(range(50))
    with pytest.raises(ValueError):
        stream.below(0)


def test_canonical_json_sorts_keys_and_keeps_chinese() -> None:
    assert canonical_json({"b": 1, "a": ["甲", True]}) == '{"a":["甲",true],"b":1}'


@settings(max_examples=60, deadline=None)
@given(directories())
def test_no_conflicted_or_unqualified_inspector_and_rules_hold(inputs: dict[str, Any]) -> None:
    result = draw(inputs, SEED)
    by_id = {i["id"]: i for i in inputs["inspectors"]}
    targets = {t["id"]: t for t in inputs["targets"]}
    excluded = {e["target"] for e in result.excluded}
    as_of = date.fromisoformat(inputs["as_of"])
    rules = inputs["rules"]
    for visit in result.visits:
        t = targets[visit.target]
        assert visit.target not in excluded
        assert not set(t["tags"]) & {"gazelle", "unicorn"}, "exempt firm drawn"
        assert t["inspections_this_year"] < rules["yearly_cap"], "yearly cap exceeded"
        if "new_economy" in t["tags"]:
            assert as_of >= add_months(date.fromisoformat(t["founded_on"]), rules["tolerance_months"])
        if visit.unstaffed:
            assert visit.inspectors == ()
            continue
        assert len(visit.inspectors) >= 2
        assert len(set(visit.inspectors)) == len(visit.inspectors)
        for iid in visit.inspectors:
            assert visit.target not in by_id[iid]["conflicts"], "conflicted inspector assigned"
        for department in visit.departments:
            assert any(
                by_id[i]["department"] == department or department in by_id[i]["qualifications"]
                for i in visit.inspectors
            ), "department not covered by a qualified inspector"
    # Every target is either drawn, excluded with a reason, or simply not drawn; never both.
    assert len({v.target for v in result.visits}) == len(result.visits)
    for e in result.excluded:
        assert exclusion(targets[e["target"]], rules, as_of) == e


@settings(max_examples=40, deadline=None)
@given(directories(), st.text(alphabet="0123456789abcdef", min_size=8, max_size=64))
def test_replay_is_identical_and_verify_is_clean(inputs: dict[str, Any], seed: str) -> None:
    published = draw(inputs, seed)
    assert replay(copy.deepcopy(inputs), seed) == published
    commitment = commitment_of(seed, inputs)
    assert verify(inputs=inputs, seed=seed, commitment=commitment, published=published.as_dict()) == []


@settings(max_examples=40, deadline=None)
@given(directories(), st.data())
def test_any_change_to_seed_or_population_is_detected(inputs: dict[str, Any], data: Any) -> None:
    commitment = commitment_of(SEED, inputs)
    published = draw(inputs, SEED).as_dict()
    other_seed = data.draw(st.text(alphabet="0123456789abcdef", min_size=8, max_size=64))
    if other_seed != SEED:
        found = verify(inputs=inputs, seed=other_seed, commitment=commitment, published=published)
        assert "seed" in {d.what for d in found}
    tampered = copy.deepcopy(inputs)
    victim = data.draw(st.sampled_from(tampered["targets"]))
    victim["grade"] = data.draw(
        st.sampled_from([g for g in ["", "A", "B", "C", "D"] if g != victim["grade"]])
    )
    found = verify(inputs=tampered, seed=SEED, commitment=commitment, published=published)
    assert "inputs" in {d.what for d in found}


def test_tampered_result_is_reported_target_by_target() -> None:
    inputs = make_inputs(
        [target(i, "D") for i in range(1, 21)],
        [
            {"id": 100 + i, "department": d, "qualifications": [], "conflicts": []}
            for i, d in enumerate(DEPARTMENTS * 2)
        ],
    )
    published = draw(inputs, SEED).as_dict()
    commitment = commitment_of(SEED, inputs)
    forged = copy.deepcopy(published)
    forged["visits"][0]["inspectors"] = [999, 998]
    removed = forged["visits"].pop()
    found = verify(inputs=inputs, seed=SEED, commitment=commitment, published=forged)
    whats = {(d.what, d.target) for d in found}
    assert ("inspectors", published["visits"][0]["target"]) in whats
    assert ("target_missing", removed["target"]) in whats
    assert all("检查对象" in d.message for d in found)


def test_grade_ratios_control_share_and_joint_visits() -> None:
    targets = [target(i, "ABCD"[i % 4]) for i in range(1, 401)]
    inspectors = [
        {"id": 100 + i, "department": DEPARTMENTS[i % 3], "qualifications": [], "conflicts": []}
        for i in range(9)
    ]
    result = draw(make_inputs(targets, inspectors), SEED)
    quotas = result.quotas["ghjsb"]
    assert quotas["eligible"] == {"A": 100, "B": 100, "C": 100, "D": 100}
    # Budget ceil(1%·100)+ceil(2%·100)+ceil(10%·100)+ceil(30%·100) = 1+2+10+30; 90% of each is risk-weighted.
    assert quotas["budget"] == 43
    assert quotas["risk"] == {"A": 1, "B": 2, "C": 9, "D": 27}
    assert quotas["control"] == 4
    drawn_d = [v for v in result.visits if "ghjsb" in v.strata and v.strata["ghjsb"] == "risk"]
    assert sum(1 for v in drawn_d if targets[v.target - 1]["grade"] == "D") == 27
    joint = [v for v in result.visits if len(v.departments) > 1]
    assert joint, "targets drawn by several departments get one joint visit"
    for visit in joint:
        assert set(visit.items) == {
            {"ghjsb": "fire", "jjfzb": "lease", "zhb": "env"}[d] for d in visit.departments
        }


def test_balanced_workloads_when_everyone_can_go_everywhere() -> None:
    targets = [target(i, "D") for i in range(1, 101)]
    inspectors = [
        {"id": 100 + i, "department": "ghjsb", "qualifications": list(DEPARTMENTS), "conflicts": []}
        for i in range(7)
    ]
    result = draw(make_inputs(targets, inspectors), SEED)
    load: dict[int, int] = {}
    for visit in result.visits:
        for iid in visit.inspectors:
            load[iid] = load.get(iid, 0) + 1
    assert max(load.values()) - min(load.values()) <= 1


def test_exemptions_tolerance_and_cap_are_explained() -> None:
    rows = [
        target(1, "D", ("unicorn",)),
        target(2, "D", ("new_economy",), founded_on="2024-06-01"),
        target(3, "D", ("new_economy",), founded_on="2020-06-01", park_entry_on="2025-01-01"),
        target(4, "D", ("new_economy",), founded_on="2022-01-01"),
        target(5, "D", inspections_this_year=2),
    ]
    result = draw(make_inputs(rows, [], ratios_bp={"A": 0, "B": 0, "C": 0, "D": 10000}), SEED)
    reasons = {e["target"]: e["reason"] for e in result.excluded}
    assert reasons == {1: "exempt", 2: "tolerance", 3: "tolerance", 5: "cap"}
    assert [v.target for v in result.visits] == [4]
    assert result.visits[0].unstaffed  # no inspectors at all: kept and marked, not dropped
    shorter = draw(
        make_inputs(rows, [], ratios_bp={"A": 0, "B": 0, "C": 0, "D": 10000}, tolerance_months=24), SEED
    )
    # Founded 2024-06 leaves a 24-month tolerance in 2026-06; park entry 2025-01 keeps 3 inside.
    assert 2 not in {e["target"] for e in shorter.excluded}
    assert 3 in {e["target"] for e in shorter.excluded}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda i: i.update(format="x"), "format"),
        (lambda i: i["rules"]["ratios_bp"].update(A=-1), "rules.ratios_bp.A"),
        (lambda i: i["targets"].append(dict(i["targets"][0])), "targets[1].id"),
        (lambda i: i["targets"][0].update(grade="E"), "targets[0].grade"),
        (lambda i: i["rules"].update(inspectors_per_target=1), "rules.inspectors_per_target"),
        (lambda i: i["inspectors"][0].update(conflicts="7"), "inspectors[0].conflicts"),
    ],
)
def test_bad_inputs_name_the_field(mutate: Any, field: str) -> None:
    inputs = make_inputs([target(1)], [{"id": 9, "department": "zhb", "qualifications": [], "conflicts": []}])
    mutate(inputs)
    with pytest.raises(InputError) as error:
        draw(inputs, SEED)
    assert error.value.field == field


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
