"""Run a set of rules over one park snapshot: subject rules first, then chain rules seeded by them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import numpy as np

from creditcore.alerts.families import SUBJECT_FAMILIES
from creditcore.alerts.hits import Hit
from creditcore.alerts.inputs import AlertInputs, frame_rows
from creditcore.alerts.rules import FAMILIES, SEVERITY_RANK, RuleError, RuleSpec
from creditcore.propagation import RELATION_LABELS, build_links, propagate

# Seed risk of an enterprise by the worst severity of its subject hits.
SEED_RISK = {"critical": 1.0, "warning": 0.6, "info": 0.3}


def evaluate(inputs: AlertInputs, rules: Sequence[RuleSpec], as_of: date) -> list[Hit]:
    """Every hit of every rule, for monitored enterprises only, sorted by rule and enterprise."""
    for rule in rules:
        if rule.family not in FAMILIES:
            raise RuleError(f"规则 {rule.code} 的类型 {rule.family!r} 不存在")
    monitored = np.unique(inputs.enterprise_ids.astype(np.int64))
    subject: list[Hit] = []
    for rule in rules:
        fn = SUBJECT_FAMILIES.get(rule.family)
        if fn is not None:
            subject.extend(fn(inputs, rule, as_of))
    chain: list[Hit] = []
    for rule in rules:
        if rule.family == "chain":
            chain.extend(chain_hits(inputs, rule, subject))
    every = subject + chain
    keep = np.isin(np.fromiter((h.enterprise_id for h in every), np.int64, len(every)), monitored)
    hits = [h for h, kept in zip(every, keep.tolist(), strict=True) if kept]
    return sorted(hits, key=lambda h: (h.rule_code, h.enterprise_id))


def seeds_from_hits(hits: Iterable[Hit], min_severities: Iterable[str]) -> dict[int, float]:
    """Seed risk per enterprise from its subject hits at the listed severities or worse."""
    floor = min(SEVERITY_RANK[s] for s in min_severities)
    seeds: dict[int, float] = {}
    for hit in hits:
        if SEVERITY_RANK.get(hit.severity, 0) >= floor:
            seeds[hit.enterprise_id] = max(seeds.get(hit.enterprise_id, 0.0), SEED_RISK[hit.severity])
    return seeds


def chain_hits(inputs: AlertInputs, rule: RuleSpec, subject: Sequence[Hit]) -> list[Hit]:
    rel = inputs.relations
    if rel is None or frame_rows(rel) == 0:
        return []
    seeds = seeds_from_hits(subject, rule.param("seed_min_severity"))
    if not seeds:
        return []
    ids = np.unique(
        np.concatenate([rel["enterprise_id"], rel["counterparty_id"], np.fromiter(seeds, np.int64)])
    )
    seed = np.zeros(len(ids))
    seed_ids = np.fromiter(seeds, np.int64)
    seed[np.searchsorted(ids, seed_ids)] = np.fromiter(seeds.values(), np.float64)
    links = build_links(
        ids, rel["enterprise_id"], rel["counterparty_id"], rel["relation_type"], rel["weight"]
    )
    result = propagate(ids, seed, links, hops=int(rule.param("hops")), decay=float(rule.param("decay")))
    threshold = float(rule.param("threshold"))
    hits = []
    for ent in result.warned(threshold).tolist():
        steps = result.path(ent)
        path = []
        here = ent
        for source, row, forward in steps:
            kind = str(rel["relation_type"][row])
            path.append(
                {
                    "from": here,
                    "to": source,
                    "relation_type": kind,
                    "label": RELATION_LABELS.get(kind, kind),
                    # A forward link: `here` depends on `source`; otherwise `source` depends on `here`.
                    "forward": forward,
                    "weight": round(float(rel["weight"][row]), 4),
                }
            )
            here = source
        exposure = float(result.exposure[result.index_of(ent)])
        origin = path[-1]["to"] if path else ent
        first = path[0] if path else {"label": "", "to": origin}
        hits.append(
            Hit(
                rule.code,
                rule.family,
                int(ent),
                rule.severity,
                f"关联方风险传导:经{first['label']}关系受出险企业影响,传导强度 {exposure:.2f}",
                {"exposure": round(exposure, 4), "source": int(origin), "hops": len(path)},
                (),
                tuple(path),
            )
        )
    return hits
