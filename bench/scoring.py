"""Benchmark: score a city-scale synthetic park (10^5 enterprises, 10^7 ledger rows) with the default model.

    python bench/scoring.py [--quick] [--enterprises N] [--rows R] [--seed S] [--runs K]

Prints JSON lines; the last line is the result, with the keys

- ``full_s``: the compiled scoring SQL (DuckDB dialect) over the loaded ledger tables, as
  ``CREATE TABLE scores AS <query>`` (median of `--runs`);
- ``ratio_to_raw``: full_s divided by the time of a plain DuckDB GROUP BY computing the same
  aggregates (record indicators, vetoes, caps, observation pieces, tags, latest values through
  DuckDB's own ``arg_max``) with no joins, points, totals or bands, measured in the same run;
- ``end_to_end_s``: from a SQLite file holding Django-shaped tables (enterprises, tags, record
  kinds, credit records, record events, observations) to Score rows written back to it: read
  through the plain DB-API (``sqlite3``), fold every record's events into its status as of the
  date, load DuckDB, run the compiled SQL, build the ScoreResults, bulk-insert one Score row per
  enterprise (indicator values and points and reasons as JSON) and commit. Building the SQLite
  file itself is set-up and reported apart (``setup_s``);
- ``incremental_median_ms``: one enterprise rescored in a 1,000-enterprise park, median over
  `--incremental-runs` random enterprises, by the faster of the reference evaluator
  (``incremental_reference_ms``) and the compiled SQL filtered to that enterprise on an already
  loaded DuckDB (``incremental_sql_ms``); ``incremental_method`` says which;
- ``peak_rss_mb``: peak resident memory of the process.

Nothing here asserts on time: the numbers are for people and for docs/scoring-engine.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb
import numpy as np
from sqlglot import exp

from creditcore.catalogue import KINDS_BY_CODE
from creditcore.scoring import compiler as c
from creditcore.scoring.engine import results_from_rows, score_duckdb
from creditcore.scoring.frames import (
    ENTERPRISES,
    OBSERVATIONS,
    RECORDS,
    TAGS,
    last_events,
    load_duckdb,
    status_from_last,
)
from creditcore.scoring.from_synth import park_inputs
from creditcore.scoring.reference import score_one
from creditcore.scoring.spec import ModelSpec, load_default_spec
from creditcore.synth import ParkSpec, generate_park, spec_for_rows
from creditcore.synth.chunks import observation_blocks, record_blocks
from creditcore.synth.enterprises import TAGS as TAG_CODES
from creditcore.synth.enterprises import enterprise_table
from creditcore.synth.vocab import SIZES

FULL = {"enterprises": 100_000, "rows": 10_000_000}
QUICK = {"enterprises": 2_000, "rows": 200_000}
FETCH_ROWS = 500_000
# Each filtered SQL run compiles and plans its own query; a few runs show the order of magnitude.
SQL_INCREMENTAL_RUNS = 10


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def iso(days: np.ndarray) -> list[str | None]:
    """datetime64 / day-number arrays as ISO text (SQLite stores Django dates as text)."""
    text = np.datetime_as_string(days.astype("datetime64[D]"))
    return [None if t == "NaT" else t for t in text.tolist()]


# ---- set-up: the Django-shaped SQLite database ------------------------------------------------

DDL = (
    "CREATE TABLE enterprises_enterprise (id INTEGER PRIMARY KEY, founded_on TEXT, in_park INTEGER,"
    " park_entry_on TEXT, registered_capital TEXT, size TEXT)",
    "CREATE TABLE enterprises_enterprisetag (id INTEGER PRIMARY KEY, enterprise_id INTEGER, tag TEXT,"
    " since TEXT, until TEXT)",
    "CREATE TABLE records_recordkind (id INTEGER PRIMARY KEY, code TEXT, polarity TEXT)",
    "CREATE TABLE records_creditrecord (id INTEGER PRIMARY KEY, enterprise_id INTEGER, kind_id INTEGER,"
    " severity TEXT, occurred_on TEXT, decided_on TEXT, amount TEXT, result TEXT)",
    "CREATE TABLE records_recordevent (id INTEGER PRIMARY KEY, record_id INTEGER, event_type TEXT, at TEXT)",
    "CREATE TABLE records_observation (id INTEGER PRIMARY KEY, enterprise_id INTEGER, metric TEXT,"
    " period TEXT, value TEXT, due_on TEXT, settled_on TEXT)",
    "CREATE INDEX obs_period ON records_observation (period)",
    "CREATE TABLE scoring_score (id INTEGER PRIMARY KEY, enterprise_id INTEGER, as_of TEXT, score INTEGER,"
    " grade TEXT, colour TEXT, indicators TEXT, reasons TEXT, data_depth REAL, vetoes TEXT)",
)


def build_sqlite(path: Path, spec: ParkSpec) -> dict[str, int]:
    """Write the synthetic park into Django-shaped tables (decimals as text, as Django does)."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    for ddl in DDL:
        db.execute(ddl)
    table = enterprise_table(spec)
    n = len(table.in_park)
    db.executemany(
        "INSERT INTO enterprises_enterprise VALUES (?, ?, ?, ?, ?, ?)",
        zip(
            range(1, n + 1),
            iso(table.founded),
            table.in_park.astype(int).tolist(),
            iso(table.entry),
            [f"{x:.2f}" for x in table.capital.tolist()],
            [SIZES[i] for i in table.size.tolist()],
            strict=True,
        ),
    )
    tags = table.tags
    db.executemany(
        "INSERT INTO enterprises_enterprisetag (enterprise_id, tag, since, until) VALUES (?, ?, ?, ?)",
        zip(
            (tags.enterprise + 1).tolist(),
            [TAG_CODES[i] for i in tags.tag.tolist()],
            iso(tags.since),
            iso(tags.until),
            strict=True,
        ),
    )
    kind_ids = {code: i for i, code in enumerate(KINDS_BY_CODE, start=1)}
    db.executemany(
        "INSERT INTO records_recordkind VALUES (?, ?, ?)",
        [(i, code, KINDS_BY_CODE[code].polarity.value) for code, i in kind_ids.items()],
    )
    counts = {"records": 0, "events": 0, "observations": 0}
    for records, events in record_blocks(spec):
        amounts = [None if a != a else f"{a:.2f}" for a in records["amount"].tolist()]
        db.executemany(
            "INSERT INTO records_creditrecord VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            zip(
                records["record_id"].tolist(),
                records["enterprise_id"].tolist(),
                [kind_ids[k] for k in records["kind"].tolist()],
                records["severity"].tolist(),
                iso(records["occurred_on"]),
                iso(records["decided_on"]),
                amounts,
                records["result"].tolist(),
                strict=True,
            ),
        )
        at = np.datetime_as_string(events["at"].astype("datetime64[s]")).tolist()
        db.executemany(
            "INSERT INTO records_recordevent (record_id, event_type, at) VALUES (?, ?, ?)",
            zip(events["record_id"].tolist(), events["event_type"].tolist(), at, strict=True),
        )
        counts["records"] += len(records["record_id"])
        counts["events"] += len(events["record_id"])
    for obs in observation_blocks(spec):
        db.executemany(
            "INSERT INTO records_observation (enterprise_id, metric, period, value, due_on, settled_on)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            zip(
                obs["enterprise_id"].tolist(),
                obs["metric"].tolist(),
                iso(obs["period"]),
                [f"{v:.2f}" for v in obs["value"].tolist()],
                iso(obs["due_on"]),
                iso(obs["settled_on"]),
                strict=True,
            ),
        )
        counts["observations"] += len(obs["enterprise_id"])
    db.commit()
    db.close()
    return counts


# ---- end to end: extract, score, write back ---------------------------------------------------


def fetch_columns(
    db: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()
) -> Iterator[list[tuple[Any, ...]]]:
    cursor = db.execute(sql, params)
    while rows := cursor.fetchmany(FETCH_ROWS):
        yield list(zip(*rows, strict=True))


def dates(values: tuple[Any, ...]) -> np.ndarray:
    return np.array(values, dtype="datetime64[D]")  # None -> NaT


def floats(values: tuple[Any, ...]) -> np.ndarray:
    return np.array(values, dtype=np.float64)  # text decimals parse, None -> NaN


def extract_to_duckdb(db: sqlite3.Connection, con: Any, as_of: date, model: ModelSpec) -> None:
    """The scoring extract of a Django database as of a date, through the plain DB-API."""
    load_duckdb(con, {})  # empty tables
    for cols in fetch_columns(
        db,
        "SELECT id, founded_on, in_park, park_entry_on, registered_capital, size FROM enterprises_enterprise",
    ):
        frame = {
            "enterprise_id": np.array(cols[0], dtype=np.int64),
            "founded_on": dates(cols[1]),
            "in_park": np.array(cols[2], dtype=bool),
            "park_entry_on": dates(cols[3]),
            "registered_capital": floats(cols[4]),
            "size": np.array(cols[5], dtype=object),
        }
        load_duckdb(con, {ENTERPRISES: frame}, append=True)
    for cols in fetch_columns(db, "SELECT enterprise_id, tag, since, until FROM enterprises_enterprisetag"):
        frame = {
            "enterprise_id": np.array(cols[0], dtype=np.int64),
            "tag": np.array(cols[1], dtype=object),
            "since": dates(cols[2]),
            "until": dates(cols[3]),
        }
        load_duckdb(con, {TAGS: frame}, append=True)
    # Events first: the status of every record as of the date is the fold of its events.
    ev_ids, ev_types, ev_at = [], [], []
    for cols in fetch_columns(
        db,
        "SELECT record_id, event_type, at FROM records_recordevent WHERE at < ? ORDER BY id",
        ((as_of + timedelta(days=1)).isoformat(),),
    ):
        ev_ids.append(np.array(cols[0], dtype=np.int64))
        ev_types.append(np.array(cols[1], dtype=object))
        ev_at.append(np.array(cols[2], dtype="datetime64[s]"))
    last_ids, last_types = last_events(
        np.concatenate(ev_ids or [np.empty(0, np.int64)]),
        np.concatenate(ev_types or [np.empty(0, object)]),
        np.concatenate(ev_at or [np.empty(0, "datetime64[s]")]),
        as_of,
    )
    for cols in fetch_columns(
        db,
        "SELECT r.id, r.enterprise_id, k.code, k.polarity, r.severity, r.decided_on, r.amount, r.result"
        " FROM records_creditrecord r JOIN records_recordkind k ON k.id = r.kind_id WHERE r.decided_on <= ?",
        (as_of.isoformat(),),
    ):
        ids = np.array(cols[0], dtype=np.int64)
        status, disputed = status_from_last(ids, last_ids, last_types)
        frame = {
            "record_id": ids,
            "enterprise_id": np.array(cols[1], dtype=np.int64),
            "kind": np.array(cols[2], dtype=object),
            "polarity": np.array(cols[3], dtype=object),
            "severity": np.array(cols[4], dtype=object),
            "decided_on": dates(cols[5]),
            "amount": floats(cols[6]),
            "status_as_of": status,
            "disputed": disputed,
            "result": np.array(cols[7], dtype=object),
        }
        load_duckdb(con, {RECORDS: frame}, append=True)
    # Observations: only the months any indicator can look at (widest window, plus bill terms).
    widest = max([i.window_days for i in model.indicators if i.source == "observations"] or [0])
    since = (as_of - timedelta(days=widest + 62)).isoformat()
    for cols in fetch_columns(
        db,
        "SELECT enterprise_id, metric, period, value, due_on, settled_on FROM records_observation"
        " WHERE period > ? AND period <= ?",
        (since, as_of.isoformat()),
    ):
        frame = {
            "enterprise_id": np.array(cols[0], dtype=np.int64),
            "metric": np.array(cols[1], dtype=object),
            "period": dates(cols[2]),
            "value": floats(cols[3]),
            "due_on": dates(cols[4]),
            "settled_on": dates(cols[5]),
        }
        load_duckdb(con, {OBSERVATIONS: frame}, append=True)


def write_scores(db: sqlite3.Connection, results: list[Any], as_of: date) -> None:
    rows = (
        (
            r.enterprise_id,
            as_of.isoformat(),
            r.score,
            r.grade,
            r.colour,
            json.dumps(
                {i.code: [i.value, i.points] for i in r.indicators}, ensure_ascii=False, separators=(",", ":")
            ),
            json.dumps([[x.code, x.lost_points, list(x.evidence)] for x in r.reasons], separators=(",", ":")),
            r.data_depth,
            ",".join(r.vetoes),
        )
        for r in results
    )
    db.executemany(
        "INSERT INTO scoring_score (enterprise_id, as_of, score, grade, colour, indicators, reasons,"
        " data_depth, vetoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    db.commit()


# ---- the raw group-by baseline ------------------------------------------------------------------


def raw_queries(model: ModelSpec, as_of: date) -> list[str]:
    """Plain GROUP BYs computing the model's aggregates, with none of the scoring around them."""
    inds = model.indicators
    rec = [i for i in inds if i.source == "records" and i.aggregate != "latest_mapped"]
    items: list[exp.Expr] = [c.col("enterprise_id", "r")]
    items += [c.alias(c.record_aggregate(i, as_of, "r"), c.value_name(i)) for i in rec]
    for veto in model.vetoes:
        items.append(c.alias(c.count_if(c.is_in(c.col("kind", "r"), veto.kinds)), f"veto__{veto.code}"))
    for cap in model.caps:
        cond = c.and_(
            c.is_in(c.col("kind", "r"), cap.kinds),
            c.in_window(c.col("decided_on", "r"), as_of, cap.window_days),
        )
        items.append(c.alias(c.count_if(cond), f"cap__{cap.code}"))
    for i in inds:
        if i.aggregate == "latest_mapped":
            keep = c._record_filter(i, as_of, "r")
            items.append(
                c.alias(
                    exp.func(
                        "arg_max",
                        c.when(keep, c.col("result", "r")),
                        c.when(keep.copy(), c.col("decided_on", "r")),
                    ),
                    c.value_name(i),
                )
            )
    rec_sql = (
        exp.select(*items)
        .from_(exp.to_table(RECORDS).as_("r"))
        .where(c._seen(as_of, "r"))
        .group_by(c.col("enterprise_id", "r"))
    )
    obs = [i for i in inds if i.source == "observations"]
    items = [c.col("enterprise_id", "o")]
    parts: dict[str, exp.Expr]
    for i in obs:
        if i.aggregate == "latest":
            keep = c._obs_keep(i.metric, as_of, i.window_days, "o")
            parts = {
                "v": exp.func(
                    "arg_max",
                    c.when(keep, c.col("value", "o")),
                    c.when(keep.copy(), c.obs_date(i.metric, "o")),
                )
            }
        else:
            parts = c.observation_parts(i, as_of, "o")
        items += [c.alias(p, f"{i.code}__{k}") for k, p in parts.items()]
    metrics = sorted({i.metric for i in obs} | {i.denominator_metric for i in obs if i.denominator_metric})
    obs_sql = (
        exp.select(*items)
        .from_(exp.to_table(OBSERVATIONS).as_("o"))
        .where(c.is_in(c.col("metric", "o"), metrics))
        .group_by(c.col("enterprise_id", "o"))
    )
    tag_inds = [i for i in inds if i.aggregate == "has_tag"]
    out = [
        f"CREATE OR REPLACE TABLE raw_rec AS {rec_sql.sql('duckdb')}",
        f"CREATE OR REPLACE TABLE raw_obs AS {obs_sql.sql('duckdb')}",
    ]
    if tag_inds:
        tag_sql = (
            exp.select(
                c.col("enterprise_id", "t"), *[c.alias(c.tag_held(i, as_of, "t"), i.code) for i in tag_inds]
            )
            .from_(exp.to_table(TAGS).as_("t"))
            .group_by(c.col("enterprise_id", "t"))
        )
        out.append(f"CREATE OR REPLACE TABLE raw_tags AS {tag_sql.sql('duckdb')}")
    return out


def timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# ---- incremental ------------------------------------------------------------------------------


def incremental(model: ModelSpec, seed: int, runs: int) -> dict[str, Any]:
    park = generate_park(ParkSpec(enterprises=1000, seed=seed))
    inputs = park_inputs(park)
    as_of = inputs.as_of
    by_rec: dict[int, list[Any]] = {}
    for r in inputs.records:
        by_rec.setdefault(r.enterprise_id, []).append(r)
    by_obs: dict[int, list[Any]] = {}
    for o in inputs.observations:
        by_obs.setdefault(o.enterprise_id, []).append(o)
    rng = random.Random(seed)
    picks = [rng.choice(inputs.enterprises) for _ in range(runs)]
    ref_ms = []
    for ent in picks:
        started = time.perf_counter()
        score_one(model, ent, by_rec.get(ent.id, []), by_obs.get(ent.id, []), as_of)
        ref_ms.append((time.perf_counter() - started) * 1000)
    from creditcore.scoring.frames import frames_from_inputs

    con = duckdb.connect()
    load_duckdb(con, frames_from_inputs(inputs.enterprises, inputs.records, inputs.observations))
    sql_ms = []
    for ent in picks[:SQL_INCREMENTAL_RUNS]:
        started = time.perf_counter()
        score_duckdb(model, con, as_of, evidence=True, enterprise_ids=[ent.id])
        sql_ms.append((time.perf_counter() - started) * 1000)
    con.close()
    ref, sql = statistics.median(ref_ms), statistics.median(sql_ms)
    return {
        "incremental_reference_ms": round(ref, 3),
        "incremental_sql_ms": round(sql, 3),
        "incremental_median_ms": round(min(ref, sql), 3),
        "incremental_method": "reference" if ref <= sql else "sql",
        "incremental_runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="评分引擎基准:全量评分、与原始聚合对比、端到端、增量评分")
    parser.add_argument("--quick", action="store_true", help="缩小规模,一分钟内完成")
    parser.add_argument("--enterprises", type=int, help="企业数量(默认 100000,--quick 为 2000)")
    parser.add_argument("--rows", type=int, help="信用记录目标行数(默认 10^7,--quick 为 2×10^5)")
    parser.add_argument("--seed", type=int, default=2026, help="随机种子")
    parser.add_argument("--runs", type=int, default=3, help="全量评分与原始聚合各运行几次取中位数")
    parser.add_argument("--incremental-runs", type=int, default=200, help="增量评分的次数")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    enterprises = args.enterprises or size["enterprises"]
    rows = args.rows or size["rows"]
    model = load_default_spec()
    started = time.perf_counter()
    emit(
        {
            "stage": "start",
            "enterprises": enterprises,
            "rows": rows,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
        }
    )

    out: dict[str, Any] = {}
    out |= incremental(model, args.seed, args.incremental_runs)
    emit({"stage": "incremental"} | out)

    spec = spec_for_rows(enterprises, rows, seed=args.seed)
    as_of = spec.as_of
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "park.sqlite3"
        t0 = time.perf_counter()
        counts = build_sqlite(path, spec)
        out["setup_s"] = round(time.perf_counter() - t0, 2)
        out |= {
            "enterprises": enterprises,
            "records": counts["records"],
            "events": counts["events"],
            "observations": counts["observations"],
        }
        emit({"stage": "setup"} | out)

        # End to end, from the database and back to it.
        db = sqlite3.connect(path)
        con = duckdb.connect()
        t0 = time.perf_counter()
        extract_to_duckdb(db, con, as_of, model)
        t1 = time.perf_counter()
        sql = c.compile_sql(model, as_of=as_of, dialect="duckdb", pretty=False)
        results = results_from_rows(model, con.execute(sql).fetchall())
        t2 = time.perf_counter()
        write_scores(db, results, as_of)
        t3 = time.perf_counter()
        out |= {
            "end_to_end_s": round(t3 - t0, 2),
            "extract_s": round(t1 - t0, 2),
            "score_and_results_s": round(t2 - t1, 2),
            "write_s": round(t3 - t2, 2),
            "scored": len(results),
            "loaded_records": con.execute("SELECT count(*) FROM ledger_records").fetchall()[0][0],
            "loaded_observations": con.execute("SELECT count(*) FROM ledger_observations").fetchall()[0][0],
        }
        grades: dict[str, int] = {}
        for r in results:
            grades[r.grade] = grades.get(r.grade, 0) + 1
        out["grades"] = dict(sorted(grades.items()))
        db.close()
        del results
        emit({"stage": "end_to_end"} | out)

        # Full rescore over the loaded tables against the plain group-by, interleaved.
        raws = raw_queries(model, as_of)
        full, raw = [], []
        for _ in range(args.runs):
            full.append(timed(lambda: con.execute(f"CREATE OR REPLACE TABLE scores AS {sql}")))
            raw.append(timed(lambda: [con.execute(q) for q in raws]))
        out["full_s"] = round(statistics.median(full), 3)
        out["raw_s"] = round(statistics.median(raw), 3)
        out["ratio_to_raw"] = round(out["full_s"] / out["raw_s"], 2)
        con.close()
    out["total_s"] = round(time.perf_counter() - started, 1)
    out["peak_rss_mb"] = peak_rss_mb()
    keys = ["full_s", "ratio_to_raw", "end_to_end_s", "incremental_median_ms", "peak_rss_mb"]
    emit({k: out[k] for k in keys} | {k: v for k, v in out.items() if k not in keys})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
