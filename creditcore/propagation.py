"""Risk propagation along enterprise relations (产业链风险传导), set-based.

A relation row (enterprise e, counterparty c, type, weight w) says how much e depends on c.
Risk moves along it in the direction the dependence implies: a failing supplier or customer
hurts the firm that depends on it (c -> e); a failing borrower calls in its guarantor (e -> c
for a guarantee c gave e); firms under one controller drag each other down both ways. Each
direction of each type carries a factor (`DEFAULT_FACTORS`), so the strength of a link is
factor × weight.

Starting from seed risks in [0, 1] (the deteriorating enterprises), exposure is the strongest
product of link strengths along any path of at most `hops` links, times `decay` per extra link:
a max-product relaxation, done as whole-array operations per hop (one lexsort + segment max
over all links), never a Python loop per link. For every exposed enterprise the best incoming
link is kept, so the path back to the source can be shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# (type) -> (factor when risk flows counterparty -> enterprise, factor when it flows back).
DEFAULT_FACTORS: dict[str, tuple[float, float]] = {
    "supplier": (1.0, 0.3),  # my supplier fails: I lose supply; it loses me as a customer (weakly)
    "customer": (1.0, 0.3),  # my customer fails: I lose sales
    "guarantor": (0.3, 1.0),  # the borrower fails: its guarantor is called (the reverse direction)
    "shared_controller": (0.8, 0.8),
    "shared_premises": (0.2, 0.2),
}

RELATION_LABELS = {
    "supplier": "供应商",
    "customer": "客户",
    "guarantor": "担保方",
    "shared_controller": "同一实际控制人",
    "shared_premises": "共用场所",
}


@dataclass(frozen=True)
class Links:
    """Directed risk links: risk flows from `source[i]` to `target[i]` with `strength[i]`."""

    source: np.ndarray  # dense node index
    target: np.ndarray
    strength: np.ndarray
    relation: np.ndarray  # index of the original relation row
    forward: np.ndarray  # True when risk flows counterparty -> enterprise


@dataclass(frozen=True)
class Propagation:
    ids: np.ndarray  # enterprise id per dense node index (sorted)
    seed: np.ndarray  # seed risk per node
    exposure: np.ndarray  # propagated risk per node (0 where none reached)
    via_node: np.ndarray  # best predecessor node per node, -1 where none
    via_relation: np.ndarray  # relation row behind that link, -1 where none
    via_forward: np.ndarray

    def index_of(self, enterprise_id: int) -> int:
        k = int(np.searchsorted(self.ids, enterprise_id))
        if k >= len(self.ids) or self.ids[k] != enterprise_id:
            raise KeyError(enterprise_id)
        return k

    def warned(self, threshold: float, *, include_seeds: bool = False) -> np.ndarray:
        """Enterprise ids whose propagated exposure reaches `threshold` (seeds left out by default)."""
        mask = self.exposure >= threshold
        if not include_seeds:
            mask &= self.seed <= 0
        return self.ids[mask]

    def path(self, enterprise_id: int, max_len: int = 8) -> list[tuple[int, int, bool]]:
        """[(from enterprise id, relation row, forward)] from this enterprise back to the source.

        The first element is the counterparty this enterprise is exposed through; the last one is
        the seed where the risk started.
        """
        steps: list[tuple[int, int, bool]] = []
        node = self.index_of(enterprise_id)
        seen = {node}
        while self.via_node[node] >= 0 and len(steps) < max_len:
            prev = int(self.via_node[node])
            steps.append((int(self.ids[prev]), int(self.via_relation[node]), bool(self.via_forward[node])))
            if prev in seen or self.seed[prev] >= self.exposure[prev]:
                break  # reached the source (its own risk is at least what reaches it)
            seen.add(prev)
            node = prev
        return steps


def build_links(
    ids: np.ndarray,
    enterprise_id: np.ndarray,
    counterparty_id: np.ndarray,
    relation_type: np.ndarray,
    weight: np.ndarray,
    factors: Mapping[str, tuple[float, float]] | None = None,
) -> Links:
    """Both directions of every relation as risk links; relations to unknown ids are dropped."""
    factors = dict(DEFAULT_FACTORS if factors is None else factors)
    e = np.searchsorted(ids, enterprise_id)
    c = np.searchsorted(ids, counterparty_id)
    e_ok = (e < len(ids)) & (ids[np.minimum(e, len(ids) - 1)] == enterprise_id)
    c_ok = (c < len(ids)) & (ids[np.minimum(c, len(ids) - 1)] == counterparty_id)
    fwd = np.zeros(len(weight), np.float64)
    rev = np.zeros(len(weight), np.float64)
    for name, (f_fwd, f_rev) in factors.items():
        mask = relation_type == name
        fwd[mask] = f_fwd
        rev[mask] = f_rev
    w = np.clip(weight.astype(np.float64), 0.0, 1.0)
    ok = e_ok & c_ok
    rows = np.flatnonzero(ok)
    source = np.concatenate([c[rows], e[rows]])
    target = np.concatenate([e[rows], c[rows]])
    strength = np.concatenate([fwd[rows] * w[rows], rev[rows] * w[rows]])
    forward = np.concatenate([np.ones(len(rows), bool), np.zeros(len(rows), bool)])
    relation = np.concatenate([rows, rows])
    keep = strength > 0
    return Links(source[keep], target[keep], strength[keep], relation[keep], forward[keep])


def propagate(
    ids: np.ndarray, seed: np.ndarray, links: Links, *, hops: int = 2, decay: float = 0.8
) -> Propagation:
    """Max-product propagation of `seed` over `links` for at most `hops` links.

    A node's risk after a hop is max(its own seed, best incoming link strength × predecessor risk
    × decay^(hop-1)); `exposure` reports only what arrived through links.
    """
    n = len(ids)
    risk = seed.astype(np.float64).copy()
    exposure = np.zeros(n)
    via_node = np.full(n, -1, np.int64)
    via_rel = np.full(n, -1, np.int64)
    via_fwd = np.zeros(n, bool)
    frontier = seed > 0
    for hop in range(hops):
        active = frontier[links.source]
        if not active.any():
            break
        src, tgt = links.source[active], links.target[active]
        value = links.strength[active] * risk[src] * decay**hop
        # Best incoming link per target: sort by target then value descending, keep the first.
        order = np.lexsort((-value, tgt))
        tgt_sorted = tgt[order]
        first = np.ones(len(order), bool)
        first[1:] = tgt_sorted[1:] != tgt_sorted[:-1]
        best = order[first]
        targets, values = tgt[best], value[best]
        better = values > np.maximum(exposure[targets], 1e-12)
        targets, best, values = targets[better], best[better], values[better]
        exposure[targets] = values
        picked = np.flatnonzero(active)[best]
        via_node[targets] = links.source[picked]
        via_rel[targets] = links.relation[picked]
        via_fwd[targets] = links.forward[picked]
        grown = values > risk[targets]
        risk[targets[grown]] = values[grown]
        frontier = np.zeros(n, bool)
        frontier[targets[grown]] = True
    return Propagation(ids, seed.astype(np.float64), exposure, via_node, via_rel, via_fwd)
