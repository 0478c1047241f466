"""Benchmark: one full alert run over a city-scale park, and the rules' quality on a held-apart future.

    python bench/alerts.py [--quick] [--enterprises N] [--rows R] [--relations L] [--seed S]

Set-up (not timed, in a child process so its memory does not count): the synthetic park is
written as Parquet (`creditcore.synth.write_parquet`), and random supplier links are added until
the relations reach `--relations` (the generator makes about 4 per enterprise).

Then, in this process, timed as ``run_s``: DuckDB reads from the Parquet files only the rows a
rule can look at (negative records in the longest rule window, their events, open or recent bills
and findings, the activity metrics of the comparison window, live relations), the record events
are folded into each record's status, and `creditcore.alerts.evaluate` runs every default rule,
chain propagation included. ``peak_rss_mb`` is this process's peak resident memory.

Quality (``precision``, ``recall``, ``alerts_per_100_per_month``) comes from
`creditcore.alerts.evaluation.backtest` on a park at the generator's normal record rates
(`--quality-enterprises`, default 20,000; 5,000 with --quick) and seed `--seed`; the full-size
park multiplies record rates to reach 10^7 rows, which would distort rule thresholds. The default
thresholds were tuned on seed 7; the reported seed is 2026.

``ratio`` compares the set-based propagation with a plain Python loop over the same links
(``baseline_propagation_s`` / ``propagation_s``), measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb
import numpy as np

from creditcore.alerts import AlertInputs, default_rules, evaluate
from creditcore.alerts.evaluation import NEGATIVE_KINDS, backtest
from creditcore.alerts.inputs import WATCHED_METRICS, observation_window_months, record_window_days
from creditcore.propagation import build_links, propagate
from creditcore.scoring.frames import resolve_status
from creditcore.synth import ParkSpec, spec_for_rows

SETUP = r"""
import sys, json
sys.path.insert(0, {root!r})
import duckdb, numpy as np
from creditcore.synth import spec_for_rows, write_parquet
spec = spec_for_rows({enterprises}, {rows}, seed={seed})
write_parquet(spec, {out!r})
con = duckdb.connect()
have = con.execute("SELECT count(*) FROM read_parquet('{out}/relations.parquet')").fetchone()[0]
extra = max({relations} - have, 0)
rng = np.random.default_rng({seed})
a = rng.integers(1, {enterprises} + 1, extra)
b = rng.integers(1, {enterprises} + 1, extra)
b = np.where(a == b, b % {enterprises} + 1, b)
src = {{"enterprise_id": a, "counterparty_id": b, "weight": np.round(rng.uniform(0.01, 0.3, extra), 4)}}
con.execute("CREATE TABLE extra AS SELECT enterprise_id, counterparty_id, 'supplier' AS relation_type, "
            "CAST(weight AS DECIMAL(5,4)) AS weight, DATE '2020-01-01' AS valid_from, "
            "CAST(NULL AS DATE) AS valid_to FROM src")
con.execute("COPY extra TO '{out}/relations_extra.parquet' (FORMAT PARQUET)")
info = {{"record_scale": spec.record_scale, "relations_generated": have, "relations_added": extra}}
print(json.dumps(info))
"""


def _dates(column: Any) -> np.ndarray:
    col = np.ma.asarray(column)
    days = np.asarray(col.data).astype("datetime64[D]")
    days[np.ma.getmaskarray(col)] = np.datetime64("NaT", "D")
    return days


def _plain(column: Any, fill: Any = None) -> np.ndarray:
    if isinstance(column, np.ma.MaskedArray):
        return np.asarray(column.filled(fill) if fill is not None else column.data)
    return np.asarray(column)


def alert_run(out: Path, spec: ParkSpec) -> dict[str, Any]:
    """Read what the rules need from the Parquet ledger and run every default rule once."""
    rules = default_rules()
    as_of = spec.as_of
    first = as_of - timedelta(days=record_window_days(rules))
    months = observation_window_months(rules)
    obs_from = np.datetime64(as_of, "M") - np.timedelta64(months + 1, "M")
    con = duckdb.connect()
    con.execute("SET memory_limit='1GB'")
    kinds = ", ".join(f"'{k}'" for k in NEGATIVE_KINDS)
    started = time.perf_counter()
    con.execute(
        f"CREATE TEMP TABLE r AS SELECT record_id, enterprise_id, kind, severity, decided_on "  # noqa: S608
        f"FROM read_parquet('{out}/records.parquet') WHERE kind IN ({kinds}) "
        f"AND decided_on > DATE '{first}' AND decided_on <= DATE '{as_of}'"
    )
    r = con.execute("SELECT * FROM r ORDER BY record_id").fetchnumpy()
    ev = con.execute(
        f"SELECT e.record_id, e.event_type, e.at FROM read_parquet('{out}/events.parquet') e "  # noqa: S608
        "SEMI JOIN r ON e.record_id = r.record_id ORDER BY e.record_id, e.at"
    ).fetchnumpy()
    record_ids = _plain(r["record_id"]).astype(np.int64)
    status, disputed = resolve_status(
        record_ids,
        _plain(ev["record_id"]).astype(np.int64),
        _plain(ev["event_type"]).astype(object),
        np.asarray(ev["at"]).astype("datetime64[s]"),
        as_of,
    )
    records = {
        "record_id": record_ids,
        "enterprise_id": _plain(r["enterprise_id"]).astype(np.int64),
        "kind": _plain(r["kind"]).astype(object),
        "polarity": np.full(len(record_ids), "negative", dtype=object),
        "severity": _plain(r["severity"], "").astype(object),
        "decided_on": _dates(r["decided_on"]),
        "status_as_of": status,
        "disputed": disputed,
    }
    activity = sorted({m for rule in rules if rule.family == "activity_drop" for m in rule.param("metrics")})
    watched = ", ".join(f"'{m}'" for m in WATCHED_METRICS)
    act = ", ".join(f"'{m}'" for m in activity)
    start = str(obs_from.astype("datetime64[D]"))
    o = con.execute(
        f"SELECT enterprise_id, metric, period, value, due_on, "  # noqa: S608
        f"CASE WHEN settled_on > DATE '{as_of}' THEN NULL ELSE settled_on END AS settled_on "
        f"FROM read_parquet('{out}/observations.parquet') WHERE "
        f"(metric IN ({watched}) AND due_on <= DATE '{as_of}' "
        f"AND (settled_on IS NULL OR settled_on > DATE '{as_of}' OR due_on >= DATE '{start}')) "
        f"OR (metric IN ({act}) AND period >= DATE '{start}' AND period <= DATE '{as_of}')"
    ).fetchnumpy()
    observations = {
        "enterprise_id": _plain(o["enterprise_id"]).astype(np.int64),
        "metric": _plain(o["metric"]).astype(object),
        "period": _dates(o["period"]),
        "value": _plain(o["value"], np.nan).astype(np.float64),
        "due_on": _dates(o["due_on"]),
        "settled_on": _dates(o["settled_on"]),
    }
    rel = con.execute(
        f"SELECT enterprise_id, counterparty_id, relation_type, CAST(weight AS DOUBLE) AS weight "  # noqa: S608
        f"FROM read_parquet(['{out}/relations.parquet', '{out}/relations_extra.parquet']) "
        f"WHERE (valid_from IS NULL OR valid_from <= DATE '{as_of}') "
        f"AND (valid_to IS NULL OR valid_to > DATE '{as_of}')"
    ).fetchnumpy()
    relations = {
        "enterprise_id": _plain(rel["enterprise_id"]).astype(np.int64),
        "counterparty_id": _plain(rel["counterparty_id"]).astype(np.int64),
        "relation_type": _plain(rel["relation_type"]).astype(object),
        "weight": _plain(rel["weight"], 0.0).astype(np.float64),
    }
    monitored = _plain(
        con.execute(
            f"SELECT enterprise_id FROM read_parquet('{out}/enterprises.parquet') WHERE in_park"  # noqa: S608
        ).fetchnumpy()["enterprise_id"]
    ).astype(np.int64)
    read_s = time.perf_counter() - started
    inputs = AlertInputs(
        enterprise_ids=monitored, records=records, observations=observations, relations=relations
    )
    hits = evaluate(inputs, rules, as_of)
    run_s = time.perf_counter() - started
    by_rule: dict[str, int] = {}
    for hit in hits:
        by_rule[hit.rule_code] = by_rule.get(hit.rule_code, 0) + 1
    return {
        "run_s": round(run_s, 2),
        "read_s": round(read_s, 2),
        "rules_s": round(run_s - read_s, 2),
        "rows_read": {
            "records": len(record_ids),
            "observations": len(observations["metric"]),
            "relations": len(relations["weight"]),
        },
        "enterprises_monitored": len(monitored),
        "hits": len(hits),
        "hits_by_rule": dict(sorted(by_rule.items())),
        "relations": relations,
    }


def propagation_ratio(relations: dict[str, np.ndarray], seed_share: float = 0.02) -> dict[str, float]:
    """Set-based propagation against a Python loop over every link, same graph, same seeds, 2 hops."""
    ids = np.unique(np.concatenate([relations["enterprise_id"], relations["counterparty_id"]]))
    rng = np.random.default_rng(1)
    seed = np.where(rng.random(len(ids)) < seed_share, 1.0, 0.0)
    started = time.perf_counter()
    links = build_links(
        ids,
        relations["enterprise_id"],
        relations["counterparty_id"],
        relations["relation_type"],
        relations["weight"],
    )
    fast = propagate(ids, seed, links, hops=2, decay=0.8)
    fast_s = time.perf_counter() - started

    started = time.perf_counter()
    index = {int(v): k for k, v in enumerate(ids.tolist())}
    factors = {
        "supplier": (1.0, 0.3),
        "customer": (1.0, 0.3),
        "guarantor": (0.3, 1.0),
        "shared_controller": (0.8, 0.8),
        "shared_premises": (0.2, 0.2),
    }
    edges = []
    for e, c, t, w in zip(
        relations["enterprise_id"].tolist(),
        relations["counterparty_id"].tolist(),
        relations["relation_type"].tolist(),
        relations["weight"].tolist(),
        strict=True,
    ):
        f_fwd, f_rev = factors.get(t, (0.0, 0.0))
        if f_fwd * w > 0:
            edges.append((index[c], index[e], f_fwd * w))
        if f_rev * w > 0:
            edges.append((index[e], index[c], f_rev * w))
    risk = seed.tolist()
    exposure = [0.0] * len(ids)
    frontier = {k for k, s in enumerate(risk) if s > 0}
    for hop in range(2):
        grown = set()
        updates: dict[int, float] = {}
        for s, t, strength in edges:
            if s in frontier:
                value = strength * risk[s] * 0.8**hop
                if value > updates.get(t, 0.0):
                    updates[t] = value
        for t, value in updates.items():
            if value > exposure[t]:
                exposure[t] = value
            if value > risk[t]:
                risk[t] = value
                grown.add(t)
        frontier = grown
    slow_s = time.perf_counter() - started
    assert np.allclose(np.array(exposure), fast.exposure), "set-based and loop propagation disagree"
    return {
        "propagation_s": round(fast_s, 3),
        "baseline_propagation_s": round(slow_s, 3),
        "ratio": round(slow_s / fast_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--enterprises", type=int)
    parser.add_argument("--rows", type=int)
    parser.add_argument("--relations", type=int)
    parser.add_argument("--quality-enterprises", type=int)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    enterprises = args.enterprises or (5_000 if args.quick else 100_000)
    rows = args.rows or (500_000 if args.quick else 10_000_000)
    relations = args.relations or (50_000 if args.quick else 1_000_000)
    quality_n = args.quality_enterprises or (5_000 if args.quick else 20_000)

    with tempfile.TemporaryDirectory(prefix="alerts-bench-") as tmp:
        started = time.perf_counter()
        code = SETUP.format(
            root=str(Path(__file__).resolve().parent.parent),
            enterprises=enterprises,
            rows=rows,
            seed=args.seed,
            out=tmp,
            relations=relations,
        )
        # The script is this file's own template filled with numbers and a temporary path.
        setup = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)  # noqa: S603
        setup_info = json.loads(setup.stdout.strip().splitlines()[-1])
        setup_s = time.perf_counter() - started
        print(json.dumps({"step": "setup", "setup_s": round(setup_s, 1), **setup_info}), flush=True)
        spec = spec_for_rows(enterprises, rows, seed=args.seed)
        run = alert_run(Path(tmp), spec)
        rel = run.pop("relations")
        print(json.dumps({"step": "run", **run}, ensure_ascii=False), flush=True)
        ratio = propagation_ratio(rel)
        del rel
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    quality = backtest(ParkSpec(enterprises=quality_n, seed=args.seed), default_rules())
    quality_s = time.perf_counter() - started
    result = {
        "enterprises": enterprises,
        "ledger_rows": rows,
        "relations": run["rows_read"]["relations"],
        "run_s": run["run_s"],
        "read_s": run["read_s"],
        "rules_s": run["rules_s"],
        "peak_rss_mb": round(peak, 1),
        "setup_s": round(setup_s, 1),
        **ratio,
        "precision": round(quality["precision"], 4),
        "recall": round(quality["recall"], 4),
        "alerts_per_100_per_month": round(quality["alerts_per_100_per_month"], 3),
        "quality_park": {
            "enterprises": quality["enterprises"],
            "seed": args.seed,
            "events_next_quarter": quality["events"],
            "alerted": quality["alerted"],
            "caught": quality["caught"],
            "new_alerts_by_rule": quality["new_alerts_by_rule"],
            "seconds": round(quality_s, 1),
        },
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
