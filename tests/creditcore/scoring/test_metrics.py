"""Metrics: exact small cases and hypothesis properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from creditcore.scoring.metrics import (
    auc,
    auc_of_scores,
    bad_rate,
    hit_rate_by_grade,
    ks,
    ks_of_scores,
    psi,
    psi_of_grades,
)

labelled = st.lists(
    st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.booleans()), min_size=2, max_size=60
).filter(lambda rows: 0 < sum(b for _, b in rows) < len(rows))


def test_auc_small_cases_with_ties():
    assert auc([1, 2, 3, 4], [False, False, True, True]) == 1.0
    assert auc([1, 2, 3, 4], [True, True, False, False]) == 0.0
    assert auc([1, 1, 1, 1], [True, False, True, False]) == 0.5
    # bad at 2 vs goods at 1 and 2: wins 1, ties 1 -> (1 + 0.5) / 2
    assert auc([1, 2, 2], [False, False, True]) == 0.75
    assert math.isnan(auc([1, 2], [True, True]))
    with pytest.raises(ValueError, match="数量不一致"):
        auc([1, 2], [True])


def brute_auc(risk, bad):
    pos = [r for r, b in zip(risk, bad, strict=True) if b]
    neg = [r for r, b in zip(risk, bad, strict=True) if not b]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


@given(labelled)
def test_auc_equals_pairwise_definition(rows):
    risk, bad = [r for r, _ in rows], [b for _, b in rows]
    assert auc(risk, bad) == pytest.approx(brute_auc(risk, bad))


@given(labelled)
def test_perfect_and_reversed_rankings(rows):
    bad = [b for _, b in rows]
    perfect = [1.0 if b else 0.0 for b in bad]
    assert auc(perfect, bad) == 1.0
    assert auc([-x for x in perfect], bad) == 0.0
    assert ks(perfect, bad) == 1.0


@given(labelled)
def test_auc_and_ks_invariant_to_monotone_transforms(rows):
    risk, bad = [r for r, _ in rows], [b for _, b in rows]
    transformed = [math.atan(r / 1000) * 7 + 3 for r in risk]
    assume(len(set(transformed)) == len(set(risk)))  # atan must not merge distinct floats
    assert auc(transformed, bad) == pytest.approx(auc(risk, bad))
    assert ks(transformed, bad) == pytest.approx(ks(risk, bad))


@given(labelled)
def test_score_helpers_flip_direction(rows):
    scores, bad = [r for r, _ in rows], [b for _, b in rows]
    assert auc_of_scores(scores, bad) == pytest.approx(1 - auc(scores, bad))
    assert ks_of_scores(scores, bad) == pytest.approx(ks(scores, bad))


def test_ks_small_case():
    # goods at 1, 2; bads at 3, 4 -> complete separation
    assert ks([1, 2, 3, 4], [False, False, True, True]) == 1.0
    # a tie group moves both curves together: no separation at all
    assert ks([5, 5, 5, 5], [False, True, False, True]) == 0.0
    assert ks([1, 2, 3, 4], [False, True, False, True]) == 0.5
    assert math.isnan(ks([1], [False]))


samples = st.lists(st.floats(0, 1000, allow_nan=False), min_size=1, max_size=80)


@given(samples, samples)
def test_psi_is_non_negative(expected, actual):
    assert psi(expected, actual) >= 0


@given(samples)
def test_psi_of_identical_distributions_is_zero(values):
    assert psi(values, list(values)) == pytest.approx(0.0, abs=1e-12)
    assert psi(values, list(reversed(values)), bins=[100, 500, 900]) == pytest.approx(0.0, abs=1e-12)


def test_psi_known_value_and_empty_bins():
    # two bins split at 500: 50/50 against 90/10
    expected = [100] * 50 + [900] * 50
    actual = [100] * 90 + [900] * 10
    want = (0.9 - 0.5) * math.log(0.9 / 0.5) + (0.1 - 0.5) * math.log(0.1 / 0.5)
    assert psi(expected, actual, bins=[500]) == pytest.approx(want)
    # an empty bin does not blow up thanks to the epsilon
    assert math.isfinite(psi(expected, [100] * 10, bins=[500]))
    with pytest.raises(ValueError):
        psi([], [1.0])


def test_psi_of_grades():
    assert psi_of_grades("AABBCD", "AABBCD") == 0
    assert psi_of_grades("AAAA", "DDDD") > 1
    with pytest.raises(ValueError):
        psi_of_grades([], ["A"])


def test_bad_rate_and_hit_rate_by_grade():
    assert bad_rate([True, False, False, False]) == 0.25
    assert math.isnan(bad_rate([]))
    table = hit_rate_by_grade(["A", "A", "B", "D", "D"], [False, False, True, True, False])
    assert table["A"] == {"n": 2, "bad": 0, "bad_rate": 0.0}
    assert table["B"]["bad_rate"] == 1.0 and table["D"]["bad_rate"] == 0.5
    assert table["C"]["n"] == 0 and math.isnan(table["C"]["bad_rate"])
    assert list(table) == ["A", "B", "C", "D"]
    with pytest.raises(ValueError):
        hit_rate_by_grade(["A"], [])
