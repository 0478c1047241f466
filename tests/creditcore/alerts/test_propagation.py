"""Risk propagation on small graphs whose answers are worked out by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcore.alerts import RuleSpec, evaluate
from creditcore.propagation import build_links, propagate
from tests.creditcore.alerts.support import inputs, records


def graph(rows: list[tuple[int, int, str, float]]) -> dict[str, np.ndarray]:
    return {
        "enterprise_id": np.array([r[0] for r in rows], dtype=np.int64),
        "counterparty_id": np.array([r[1] for r in rows], dtype=np.int64),
        "relation_type": np.array([r[2] for r in rows], dtype=object),
        "weight": np.array([r[3] for r in rows], dtype=np.float64),
    }


def run(rel: dict[str, np.ndarray], seeds: dict[int, float], hops: int = 2, decay: float = 0.8):  # type: ignore[no-untyped-def]
    ids = np.unique(np.concatenate([rel["enterprise_id"], rel["counterparty_id"]]))
    seed = np.array([seeds.get(int(i), 0.0) for i in ids])
    links = build_links(
        ids, rel["enterprise_id"], rel["counterparty_id"], rel["relation_type"], rel["weight"]
    )
    return propagate(ids, seed, links, hops=hops, decay=decay)


def test_supplier_failure_reaches_the_dependent_buyer() -> None:
    # 2 buys 80 % of its inputs from supplier 1; 1 fails.
    result = run(graph([(2, 1, "supplier", 0.8)]), {1: 1.0})
    assert result.exposure[result.index_of(2)] == pytest.approx(0.8)  # factor 1.0 × 0.8
    # The supplier is hurt only weakly the other way round (0.3 × 0.8) when the buyer fails.
    back = run(graph([(2, 1, "supplier", 0.8)]), {2: 1.0})
    assert back.exposure[back.index_of(1)] == pytest.approx(0.24)


def test_guarantor_is_exposed_to_the_borrower() -> None:
    # 3 guarantees 1 (relation row: 1 depends on guarantor 3, weight 0.9); 1 fails -> 3 is called.
    result = run(graph([(1, 3, "guarantor", 0.9)]), {1: 1.0})
    assert result.exposure[result.index_of(3)] == pytest.approx(0.9)
    assert result.path(3) == [(1, 0, False)]


def test_two_hops_with_decay_and_the_path_back() -> None:
    # 1 fails; 2 depends on 1 (0.9); 3 depends on 2 (0.5); 4 depends on 3 (1.0) - a third hop.
    rel = graph([(2, 1, "supplier", 0.9), (3, 2, "customer", 0.5), (4, 3, "supplier", 1.0)])
    result = run(rel, {1: 1.0}, hops=2, decay=0.8)
    assert result.exposure[result.index_of(2)] == pytest.approx(0.9)
    assert result.exposure[result.index_of(3)] == pytest.approx(0.9 * 0.5 * 0.8)
    assert result.exposure[result.index_of(4)] == 0.0  # beyond two hops
    assert result.path(3) == [(2, 1, True), (1, 0, True)]
    deeper = run(rel, {1: 1.0}, hops=3, decay=0.8)
    assert deeper.exposure[deeper.index_of(4)] == pytest.approx(0.36 * 1.0 * 0.64)


def test_strongest_path_wins() -> None:
    # 4 depends on 2 (weak) and on 3 (strong); both depend on the failed 1.
    rel = graph(
        [(2, 1, "supplier", 1.0), (3, 1, "supplier", 1.0), (4, 2, "supplier", 0.2), (4, 3, "supplier", 0.7)]
    )
    result = run(rel, {1: 1.0})
    assert result.exposure[result.index_of(4)] == pytest.approx(0.7 * 0.8)
    assert result.path(4)[0][0] == 3


def test_warned_leaves_out_the_seeds_themselves() -> None:
    rel = graph([(2, 1, "shared_controller", 1.0), (1, 2, "shared_controller", 1.0)])
    result = run(rel, {1: 1.0})
    assert result.warned(0.5).tolist() == [2]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 8),
            st.integers(1, 8),
            st.sampled_from(["supplier", "customer", "guarantor", "shared_controller"]),
            st.floats(0, 1),
        ),
        min_size=1,
        max_size=25,
    ),
    st.sets(st.integers(1, 8), min_size=1, max_size=3),
)
def test_matches_a_plain_loop_over_every_link(
    edges: list[tuple[int, int, str, float]], seeds: set[int]
) -> None:
    edges = [e for e in edges if e[0] != e[1]]
    if not edges:
        return
    rel = graph(edges)
    result = run(rel, {s: 1.0 for s in seeds}, hops=2)
    factors = {
        "supplier": (1.0, 0.3),
        "customer": (1.0, 0.3),
        "guarantor": (0.3, 1.0),
        "shared_controller": (0.8, 0.8),
    }
    ids = result.ids.tolist()
    risk = {i: (1.0 if i in seeds else 0.0) for i in ids}
    exposure = dict.fromkeys(ids, 0.0)
    frontier = set(seeds) & set(ids)
    for hop in range(2):
        best: dict[int, float] = {}
        for e, c, t, w in edges:
            f, r = factors[t]
            for src, dst, strength in ((c, e, f * w), (e, c, r * w)):
                if src in frontier and strength > 0:
                    best[dst] = max(best.get(dst, 0.0), strength * risk[src] * 0.8**hop)
        grown = set()
        for dst, value in best.items():
            if value > exposure[dst] and value > 1e-12:
                exposure[dst] = value
            if value > risk[dst]:
                risk[dst] = value
                grown.add(dst)
        frontier = grown
    assert result.exposure.tolist() == pytest.approx([exposure[i] for i in ids])


def test_chain_rule_warns_with_the_path_from_a_critical_subject_hit() -> None:
    data = inputs(
        [1, 2, 3],
        records=records(
            {
                "enterprise_id": 1,
                "kind": "court-defaulter",
                "severity": "serious",
                "decided_on": date(2026, 10, 20),
            }
        ),
        relations=graph([(2, 1, "supplier", 0.9), (3, 1, "supplier", 0.2)]),
    )
    rules = [
        RuleSpec("court_defaulter", "court_defaulter", {"lookback_days": 30}, severity="critical"),
        RuleSpec("chain", "chain", {"threshold": 0.5}, severity="warning"),
    ]
    hits = evaluate(data, rules, date(2026, 11, 1))
    chain = [h for h in hits if h.family == "chain"]
    assert [h.enterprise_id for h in chain] == [2]
    assert chain[0].facts == {"exposure": 0.9, "source": 1, "hops": 1}
    assert chain[0].path == (
        {"from": 2, "to": 1, "relation_type": "supplier", "label": "供应商", "forward": True, "weight": 0.9},
    )
    assert "供应商" in chain[0].summary
