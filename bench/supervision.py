"""Benchmark: does the risk-weighted 双随机 draw find more problems than a purely random one?

    python bench/supervision.py [--quick] [--enterprises N] [--seed S] [--plans K]

A seeded synthetic park (creditcore.synth) is scored with the default model as of its `as_of`;
the grades drive a year of K quarterly plans drawn by `creditcore.supervision.draw` with the
Henan ratios (A 1%, B 2%, C 10%, D 30%), a 10% purely random control share, exemptions for
unicorn and gazelle firms, a 36-month tolerance period for new-economy firms and a yearly cap of
two inspections, with a synthetic inspector directory (random departments, qualifications and
conflicts). The baseline is a purely random draw with the same budget per plan, from the same
eligible population under the same cap.

Hidden violations (what an inspection finds) come from the park's latent risk, never from the
grades: per quarter, an enterprise is in violation with probability 1 - exp(-lambda / 4), where
lambda = 4 x 0.06 x exp(7 (r - 0.3)) x (1 + 2 decline) is four times the synthetic park's own
yearly hazard of a severe event (docs/synth.md: violations found on inspection are commoner
than the severe events), and certainly so in a quarter where the park's held-apart outcomes
record a severe event. Both draws meet the same realised violations (a paired comparison).

The last line is one JSON object with the keys
- ``lift``: problems found per inspection under the risk-weighted draw / under the random draw;
- ``a_grade_share``: share of the risk-weighted draw's inspections spent on A-grade firms
  (``a_grade_share_random``: the same for the random draw; ``a_grade_population``: A firms' share
  of the eligible population);
- ``found_per_inspection`` / ``found_per_inspection_random``; ``inspections`` (both draws);
- ``lift_in_plan``: the risk-weighted stratum's rate over the control stratum's inside the
  plans themselves (what the yield page measures without any simulation);
- ``conflicts_assigned``: inspectors assigned despite a conflict (must be 0);
- ``draw_ms_median``: time of one draw; timings are for people, nothing asserts on them.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from creditcore.scoring.from_synth import park_inputs
from creditcore.scoring.reference import score_many
from creditcore.scoring.spec import load_default_spec
from creditcore.supervision import Sm3Stream, draw, sm3_hex
from creditcore.supervision.draw import DEFAULT_RULES, FORMAT, exclusion
from creditcore.synth import ParkSpec, generate_park

FULL = {"enterprises": 5000}
QUICK = {"enterprises": 1000}
DEPARTMENTS = ("ghjsb", "jjfzb", "zhb")


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def hazard(risk: float, decline: float) -> float:
    return 4 * 0.06 * math.exp(7 * (risk - 0.3)) * (1 + 2 * decline)


def directory(n_targets: list[int], rng: np.random.Generator, size: int) -> list[dict[str, Any]]:
    """A synthetic inspector directory: departments, a few cross-qualifications, random conflicts."""
    out = []
    for i in range(size):
        department = DEPARTMENTS[i % len(DEPARTMENTS)]
        quals = sorted(
            {DEPARTMENTS[int(k)] for k in rng.integers(0, 3, size=int(rng.integers(0, 2)))} - {department}
        )
        conflicts = sorted({int(t) for t in rng.choice(n_targets, size=3, replace=False)})
        out.append({"id": i + 1, "department": department, "qualifications": quals, "conflicts": conflicts})
    return out


def run(enterprises: int, seed: int, plans: int) -> dict[str, Any]:
    started = time.perf_counter()
    park = generate_park(ParkSpec(enterprises=enterprises, seed=seed))
    inputs = park_inputs(park)
    grades = {
        r.enterprise_id: r.grade
        for r in score_many(
            load_default_spec(), inputs.enterprises, inputs.records, inputs.observations, inputs.as_of
        )
    }
    setup_s = time.perf_counter() - started
    as_of = park.spec.as_of
    tags: dict[int, list[str]] = {}
    for synth_tag in park.tags:
        if synth_tag.since <= as_of and (synth_tag.until is None or synth_tag.until >= as_of):
            tags.setdefault(synth_tag.enterprise_id, []).append(synth_tag.tag)
    members = [e for e in park.enterprises if e.in_park and e.status == "operating"]
    ids = [e.id for e in members]
    rng = np.random.default_rng(seed)
    # Realised violations per quarter (shared by both draws).
    outcome_day = {o.enterprise_id: o.on for o in park.outcomes if o.event and o.on is not None}
    violating: list[set[int]] = []
    for q in range(plans):
        start, end = as_of + timedelta(days=91 * q), as_of + timedelta(days=91 * (q + 1))
        found = set()
        for e in members:
            day = outcome_day.get(e.id)
            if (day is not None and start <= day < end) or rng.random() < 1 - math.exp(
                -hazard(e.risk, e.decline) / 4
            ):
                found.add(e.id)
        violating.append(found)
    inspectors = directory(ids, rng, max(12, len(ids) // 25))
    conflicts = {i["id"]: set(i["conflicts"]) for i in inspectors}
    history_w: dict[int, int] = {}
    history_r: dict[int, int] = {}
    stats = {"w": [0, 0], "r": [0, 0], "risk": [0, 0], "control": [0, 0]}
    a_share = {"w": 0, "r": 0}
    draw_ms: list[float] = []
    bad_assignments = 0
    eligible_a = eligible_all = 0
    for q in range(plans):
        day = as_of + timedelta(days=91 * q)
        targets: list[dict[str, Any]] = [
            {
                "id": e.id,
                "grade": grades.get(e.id, ""),
                "tags": sorted(tags.get(e.id, [])),
                "founded_on": e.founded_on.isoformat(),
                "park_entry_on": e.park_entry_on.isoformat() if e.park_entry_on else "",
                "inspections_this_year": history_w.get(e.id, 0),
            }
            for e in members
        ]
        plan_inputs = {
            "format": FORMAT,
            "plan": f"bench-{q + 1}",
            "as_of": day.isoformat(),
            "rules": DEFAULT_RULES,
            "targets": targets,
            "items": [{"code": "safety", "department": "ghjsb", "key": True}],
            "inspectors": inspectors,
        }
        plan_seed = sm3_hex(f"bench/{seed}/{q}".encode())
        t0 = time.perf_counter()
        result = draw(plan_inputs, plan_seed)
        draw_ms.append((time.perf_counter() - t0) * 1000)
        budget = len(result.visits)
        for visit in result.visits:
            hit = visit.target in violating[q]
            stats["w"][0] += 1
            stats["w"][1] += hit
            stats[visit.stratum][0] += 1
            stats[visit.stratum][1] += hit
            a_share["w"] += grades.get(visit.target) == "A"
            history_w[visit.target] = history_w.get(visit.target, 0) + 1
            bad_assignments += sum(1 for i in visit.inspectors if visit.target in conflicts[i])
        # The baseline: the same number of visits, uniformly from the same eligible population.
        pool = []
        for t in targets:
            t_random = {**t, "inspections_this_year": history_r.get(t["id"], 0)}
            if exclusion(t_random, DEFAULT_RULES, day) is None:
                pool.append(t["id"])
            if exclusion(t, DEFAULT_RULES, day) is None:
                eligible_all += 1
                eligible_a += t["grade"] == "A"
        for target in Sm3Stream(plan_seed, "bench/random").shuffled(sorted(pool))[:budget]:
            hit = target in violating[q]
            stats["r"][0] += 1
            stats["r"][1] += hit
            a_share["r"] += grades.get(target) == "A"
            history_r[target] = history_r.get(target, 0) + 1
    rate = {k: (v[1] / v[0] if v[0] else 0.0) for k, v in stats.items()}
    return {
        "enterprises": enterprises,
        "members": len(members),
        "plans": plans,
        "seed": seed,
        "grades": {g: sum(1 for e in members if grades.get(e.id) == g) for g in "ABCD"},
        "inspections": stats["w"][0],
        "inspections_random": stats["r"][0],
        "found_per_inspection": round(rate["w"], 4),
        "found_per_inspection_random": round(rate["r"], 4),
        "lift": round(rate["w"] / rate["r"], 3) if rate["r"] else None,
        "lift_in_plan": round(rate["risk"] / rate["control"], 3) if rate["control"] else None,
        "control_inspections": stats["control"][0],
        "a_grade_share": round(a_share["w"] / stats["w"][0], 4) if stats["w"][0] else 0.0,
        "a_grade_share_random": round(a_share["r"] / stats["r"][0], 4) if stats["r"][0] else 0.0,
        "a_grade_population": round(eligible_a / eligible_all, 4) if eligible_all else 0.0,
        "violation_prevalence": round(statistics.mean(len(v) / len(members) for v in violating), 4),
        "conflicts_assigned": bad_assignments,
        "draw_ms_median": round(statistics.median(draw_ms), 1),
        "setup_s": round(setup_s, 1),
        "total_s": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 enterprises (under a minute)")
    parser.add_argument("--enterprises", type=int)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--plans", type=int, default=4)
    args = parser.parse_args()
    size = (QUICK if args.quick else FULL)["enterprises"] if args.enterprises is None else args.enterprises
    if size < 50 or args.plans < 1:
        parser.error("--enterprises 至少 50,--plans 至少 1")
    emit({"stage": "start", "enterprises": size, "plans": args.plans, "seed": args.seed})
    emit(run(size, args.seed, args.plans))


if __name__ == "__main__":
    main()
