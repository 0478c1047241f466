"""Links between enterprises and the held-apart outcomes they help propagate.

Supply links follow the park's chains (新材料 feeds 高端装备制造, logistics and services serve
everyone, raw materials come from outside); risky firms seek guarantors, often in mutual
guarantee (互保); a few groups share a controller; some neighbours share premises.

Outcomes are what happens in the `future_months` after `as_of`: a serious event per enterprise
with a probability driven by latent risk and the downturn, plus a second round through the
links (a failed firm's guarantors and dependent suppliers are hit more often). They are kept out
of the ledger, for back-testing scores against what came next.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from creditcore.catalogue import RelationType
from creditcore.synth import vocab
from creditcore.synth.enterprises import EnterpriseTable, enterprise_table
from creditcore.synth.spec import NAT, STREAM_OUTCOMES, STREAM_RELATIONS, ParkSpec, day_number, stream

RELATION_TYPES: tuple[RelationType, ...] = tuple(RelationType)
_T = {t: i for i, t in enumerate(RELATION_TYPES)}
OUTCOME_KINDS = (
    "serious-penalty",  # a new serious administrative penalty
    "court-defaulter",  # listed as a court judgment defaulter
    "serious-dishonesty",  # put on a serious dishonesty list
    "rent-arrears-90d",  # park rent more than 90 days overdue
    "abnormal-operation",  # put on the abnormal operations list
)
OUTCOME_LABELS = (
    "新增严重行政处罚",
    "被列为失信被执行人",
    "被列入严重失信主体名单",
    "园区租金逾期超过90天",
    "被列入经营异常名录",
)


@dataclass(frozen=True, eq=False)
class RelationArrays:
    enterprise: np.ndarray  # row index (enterprise id - 1)
    counterparty: np.ndarray
    relation_type: np.ndarray  # index into RELATION_TYPES
    weight: np.ndarray  # in [0, 1], 4 decimals
    valid_from: np.ndarray  # day numbers
    valid_to: np.ndarray  # day numbers or NAT


@dataclass(frozen=True, eq=False)
class OutcomeArrays:
    event: np.ndarray  # bool per enterprise
    kind: np.ndarray  # index into OUTCOME_KINDS, -1 without event
    on: np.ndarray  # day numbers or NAT
    via: np.ndarray  # row index of the enterprise whose failure spread here, -1 if none


@functools.lru_cache(maxsize=4)
def relation_arrays(spec: ParkSpec) -> RelationArrays:
    """All relations of the park: unique per (enterprise, counterparty, type), never self-links."""
    table = enterprise_table(spec)
    rng = stream(spec, STREAM_RELATIONS)
    n = len(table)
    park = np.flatnonzero(table.in_park)
    outside = np.flatnonzero(~table.in_park)
    pools = {k: park[table.cluster[park] == k] for k in range(len(vocab.CLUSTERS))}
    pools[-1] = outside if len(outside) else park
    # Larger firms have more partners and are chosen as partners more often.
    pull = np.array([8.0, 4.0, 2.0, 1.0])[table.size]

    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    kind: list[np.ndarray] = []
    weight: list[np.ndarray] = []

    def add(a: np.ndarray, b: np.ndarray, t: RelationType, w: np.ndarray) -> None:
        src.append(a)
        dst.append(b)
        kind.append(np.full(len(a), _T[t], dtype=np.int8))
        weight.append(w)

    # Suppliers along the chains, with the mirror customer link when the supplier is in the park.
    links = 1 + rng.poisson(np.array([3.0, 2.0, 1.2, 0.8])[table.size[park]])
    who = np.repeat(park, links)
    supplier = np.full(len(who), -1, dtype=np.int64)
    u = rng.random(len(who))
    for k, chain in vocab.SUPPLY_CHAINS.items():
        mine = np.flatnonzero(table.cluster[who] == k)
        cum = np.cumsum([w for _, w in chain])
        pick = np.minimum(np.searchsorted(cum / cum[-1], u[mine], side="right"), len(chain) - 1)
        for j, (group, _) in enumerate(chain):
            sel = mine[pick == j]
            pool = pools[group] if len(pools[group]) else park
            supplier[sel] = _weighted_choice(rng, pool, pull[pool], len(sel))
    # Manufacturers also buy transport and warehousing from the park's logistics firms.
    makers = park[table.manufacturing[park] & (rng.random(len(park)) < 0.3)]
    if len(pools[4]):
        who = np.concatenate([who, makers])
        supplier = np.concatenate([supplier, _weighted_choice(rng, pools[4], pull[pools[4]], len(makers))])
    add(who, supplier, RelationType.SUPPLIER, rng.uniform(0.05, 0.6, len(who)))
    mirror = table.in_park[supplier]
    add(supplier[mirror], who[mirror], RelationType.CUSTOMER, rng.uniform(0.02, 0.5, int(mirror.sum())))

    # Guarantees: risky firms need them; two in five are mutual.
    seekers = park[rng.random(len(park)) < 0.05 + 0.25 * table.risk[park]]
    same = rng.random(len(seekers)) < 0.6
    guarantor = np.where(
        same,
        np.array([_pick(rng, pools[int(table.cluster[s])], park) for s in seekers], dtype=np.int64),
        park[rng.integers(0, len(park), len(seekers))],
    )
    add(seekers, guarantor, RelationType.GUARANTOR, rng.uniform(0.2, 1.0, len(seekers)))
    mutual = rng.random(len(seekers)) < 0.4
    add(guarantor[mutual], seekers[mutual], RelationType.GUARANTOR, rng.uniform(0.2, 1.0, int(mutual.sum())))

    # Groups of two or three enterprises under one controller: every ordered pair.
    groups = max(1, n // 50)
    members = rng.choice(n, size=(groups, 3), replace=True)
    members[:, 2] = np.where(rng.random(groups) < 0.5, members[:, 2], members[:, 0])
    for x, y in ((0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1)):
        add(members[:, x], members[:, y], RelationType.SHARED_CONTROLLER, np.ones(groups))

    # Shared premises: a few pairs of neighbours in the same building, both directions.
    sharing = park[rng.random(len(park)) < 0.04]
    neighbour = np.array(
        [_pick(rng, park[table.building[park] == table.building[s]], park) for s in sharing], dtype=np.int64
    )
    w = rng.uniform(0.1, 0.5, len(sharing))
    add(sharing, neighbour, RelationType.SHARED_PREMISES, w)
    add(neighbour, sharing, RelationType.SHARED_PREMISES, w)

    a = np.concatenate(src)
    b = np.concatenate(dst)
    t = np.concatenate(kind)
    wt = np.round(np.concatenate(weight), 4)
    keep = a != b
    a, b, t, wt = a[keep], b[keep], t[keep], wt[keep]
    key = (a * n + b) * len(RELATION_TYPES) + t
    _, first = np.unique(key, return_index=True)
    first.sort()
    a, b, t, wt = a[first], b[first], t[first], wt[first]
    as_of = day_number(spec.as_of)
    begins = np.maximum(table.founded[a], table.founded[b])
    begins = np.maximum(begins, np.where(table.in_park[a], table.entry[a], begins))
    valid_from = begins + (rng.random(len(a)) * np.maximum(as_of - begins, 0) * 0.7).astype(np.int64)
    ended = rng.random(len(a)) < 0.05
    valid_to = np.where(ended, valid_from + (rng.random(len(a)) * (as_of - valid_from)).astype(np.int64), NAT)
    return RelationArrays(a, b, t, wt, valid_from, valid_to)


def _weighted_choice(rng: np.random.Generator, pool: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    cum = np.cumsum(weights)
    return pool[np.minimum(np.searchsorted(cum, rng.random(k) * cum[-1], side="right"), len(pool) - 1)]


def _pick(rng: np.random.Generator, pool: np.ndarray, fallback: np.ndarray) -> int:
    chosen = pool if len(pool) else fallback
    return int(chosen[rng.integers(0, len(chosen))])


@functools.lru_cache(maxsize=4)
def outcome_arrays(spec: ParkSpec) -> OutcomeArrays:
    """Serious events in the future window, one at most per enterprise."""
    table = enterprise_table(spec)
    relations = relation_arrays(spec)
    rng = stream(spec, STREAM_OUTCOMES)
    n = len(table)
    as_of = day_number(spec.as_of)
    window = day_number(spec.future_end) - as_of
    years = spec.future_months / 12.0
    recent_downturn = table.decline * (table.decline_start < spec.months)
    hazard = 0.06 * np.exp(7.0 * (table.risk - 0.3)) * (1.0 + 2.0 * recent_downturn)
    event = rng.random(n) < 1.0 - np.exp(-hazard * years)
    on = np.where(event, as_of + 1 + (rng.random(n) * window).astype(np.int64), NAT)
    via = np.full(n, -1, dtype=np.int64)

    # Second round: the guarantors of a failed firm, and firms that sold much to it, fail more.
    failed = event.copy()
    guarantee = relations.relation_type == _T[RelationType.GUARANTOR]
    customer = relations.relation_type == _T[RelationType.CUSTOMER]
    # (a, c, GUARANTOR): c guarantees a; a fails -> c is called. (a, c, CUSTOMER) weight w: a sells
    # w of its output to c; c fails -> a loses it.
    hit_from = np.concatenate([relations.enterprise[guarantee], relations.counterparty[customer]])
    hit_to = np.concatenate([relations.counterparty[guarantee], relations.enterprise[customer]])
    strength = np.concatenate([0.3 * relations.weight[guarantee], 0.3 * relations.weight[customer]])
    spread = failed[hit_from] & ~failed[hit_to] & (rng.random(len(hit_from)) < strength)
    spread_to = hit_to[spread]
    spread_from = hit_from[spread]
    delay = 15 + (rng.random(len(spread_to)) * 60).astype(np.int64)
    when = on[spread_from] + delay
    ok = when <= as_of + window
    for target, source, day in zip(spread_to[ok], spread_from[ok], when[ok], strict=True):
        if not event[target]:
            event[target] = True
            on[target] = day
            via[target] = source

    # Which event: graver lists for graver risk; rent arrears only inside the park.
    r = table.risk
    weights = np.stack(
        [
            np.full(n, 0.35),
            0.1 + 0.4 * r,
            0.02 + 0.2 * r**2,
            np.where(table.in_park, 0.3, 0.0),
            np.full(n, 0.15),
        ],
        axis=1,
    )
    cum = np.cumsum(weights, axis=1)
    pick = (rng.random(n)[:, None] * cum[:, -1:] > cum).sum(axis=1)
    kind = np.where(event, pick, -1)
    return OutcomeArrays(event=event, kind=kind.astype(np.int8), on=on, via=via)


def outcome_table(table: EnterpriseTable, outcomes: OutcomeArrays) -> dict[str, np.ndarray]:
    """Outcomes as columns (enterprise ids rather than row indexes)."""
    return {
        "enterprise_id": table.ids,
        "event": outcomes.event,
        "kind": np.asarray(
            np.where(outcomes.kind >= 0, np.array(OUTCOME_KINDS, dtype=object)[outcomes.kind], None)
        ),
        "on": outcomes.on.astype("datetime64[D]"),
        "via": np.where(outcomes.via >= 0, outcomes.via + 1, 0),
    }
