"""Benchmark: generate a city-scale synthetic park (10^5 enterprises, 10^7 ledger rows) to Parquet.

    python bench/synth.py [--quick] [--enterprises N] [--rows R] [--out DIR] [--seed S]

Prints JSON lines; the last line is the result. Besides the vectorised generator it times, in
the same run, a naive per-row pure-Python generator of the same kind of records on a small
sample (same kinds, rates and wording, the same DuckDB write), and reports two ratios: end to
end (records to Parquet: `ratio`) and generation alone (`generate_ratio`). Nothing here asserts
on time: the numbers are for people and for docs/synth.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb
import numpy as np

from creditcore.catalogue import KINDS_BY_CODE
from creditcore.ledger import RECORD_COLUMNS
from creditcore.synth import ParkSpec, spec_for_rows, write_parquet
from creditcore.synth.chunks import record_blocks
from creditcore.synth.enterprises import enterprise_table
from creditcore.synth.kinds import MODELS, REFERENCE_RISK
from creditcore.synth.parquet import insert_chunk, sql_path

FULL = {"enterprises": 100_000, "rows": 10_000_000}
QUICK = {"enterprises": 5_000, "rows": 500_000}
BASELINE_ROWS = 50_000


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def naive_records(spec: ParkSpec, target_rows: int, rng: random.Random) -> list[dict[str, Any]]:
    """Records the way one would write it without numpy: one enterprise, one kind, one row at a time."""
    start, end = spec.window_start, spec.as_of
    span = (end - start).days
    rows: list[dict[str, Any]] = []
    enterprise_id = 0
    while len(rows) < target_rows:
        enterprise_id += 1
        risk = rng.betavariate(2.0, 5.0)
        for model in MODELS:
            if model.mode != "poisson":
                continue
            rate = model.base * math.exp(model.slope * (risk - REFERENCE_RISK)) * 3 * spec.record_scale
            count, total = 0, rng.expovariate(1.0)
            while total < rate:  # Poisson count by summing exponential gaps
                count += 1
                total += rng.expovariate(1.0)
            kind = KINDS_BY_CODE[model.code]
            for _ in range(count):
                decided = start + timedelta(days=int(rng.random() * span))
                severity = rng.choice(kind.severities).value if kind.severities else ""
                amount = None
                if model.amounts:
                    median, sigma = model.amounts[0]
                    amount = round(median * rng.lognormvariate(0.0, sigma), -2)
                authority = rng.choice(model.authorities)
                record_id = len(rows) + 1
                ref = f"{authority.head}{decided.year}{authority.mid}{record_id:05d}{authority.tail}"
                rows.append(
                    {
                        "record_id": record_id,
                        "enterprise_id": enterprise_id,
                        "kind": model.code,
                        "severity": severity,
                        "occurred_on": decided - timedelta(days=rng.randint(*model.gap)),
                        "decided_on": decided,
                        "amount": amount,
                        "source_ref": ref,
                        "source": model.source,
                        "authority": authority.name,
                        "result": "",
                        "summary": rng.choice(model.entries)["_"],
                    }
                )
    return rows[:target_rows]


def baseline(spec: ParkSpec, rows: int, out: Path) -> dict[str, Any]:
    """Naive per-row generation, then the same columnar DuckDB write as the real path."""
    started = time.perf_counter()
    records = naive_records(spec, rows, random.Random(spec.seed))
    generated = time.perf_counter() - started
    columns: dict[str, np.ndarray] = {}
    for name, _ in RECORD_COLUMNS:
        values = [r[name] for r in records]
        if name in ("occurred_on", "decided_on"):
            columns[name] = np.array(values, dtype="datetime64[D]")
        elif name == "amount":
            columns[name] = np.array([math.nan if v is None else v for v in values])
        elif name in ("record_id", "enterprise_id"):
            columns[name] = np.array(values, dtype=np.int64)
        else:
            columns[name] = np.array(values, dtype=object)
    con = duckdb.connect()
    con.execute(f"CREATE TABLE records ({', '.join(f'{c} {t}' for c, t in RECORD_COLUMNS)})")
    insert_chunk(con, "records", RECORD_COLUMNS, columns)
    path = out / "baseline_records.parquet"
    con.execute(f"COPY records TO '{sql_path(path)}' (FORMAT parquet, COMPRESSION zstd)")
    con.close()
    seconds = time.perf_counter() - started
    path.unlink()
    return {
        "baseline_rows": len(records),
        "baseline_seconds": round(seconds, 3),
        "baseline_rows_per_s": len(records) / seconds,
        "baseline_generate_rows_per_s": len(records) / generated,
    }


def generation_only(spec: ParkSpec, rows: int) -> float:
    """Records per second of the vectorised generator alone (no storage), over the first blocks."""
    enterprise_table(spec)  # built once per park either way; not part of the per-row rate
    started = time.perf_counter()
    done = 0
    for records, _ in record_blocks(spec):
        done += len(records["record_id"])
        if done >= rows:
            break
    return done / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="合成园区生成基准:写出 Parquet 并与逐行纯 Python 生成对比")
    parser.add_argument("--quick", action="store_true", help="缩小规模,一分钟内完成")
    parser.add_argument("--enterprises", type=int, help="企业数量(默认 100000,--quick 为 5000)")
    parser.add_argument("--rows", type=int, help="信用记录目标行数(默认 10^7,--quick 为 5×10^5)")
    parser.add_argument("--out", help="输出目录(保留文件);默认写入临时目录并在结束后删除")
    parser.add_argument("--seed", type=int, default=2026, help="随机种子")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    enterprises = args.enterprises or size["enterprises"]
    rows = args.rows or size["rows"]
    if enterprises < 1 or rows < 1:
        parser.error(f"--enterprises={enterprises} 与 --rows={rows} 都应为正整数")

    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="parkcredit-synth-"))
    out.mkdir(parents=True, exist_ok=True)
    try:
        spec = spec_for_rows(enterprises, rows, seed=args.seed)
        emit(
            {
                "stage": "start",
                "enterprises": enterprises,
                "target_rows": rows,
                "record_scale": spec.record_scale,
            }
        )
        base = baseline(spec, BASELINE_ROWS, out)
        emit({"stage": "baseline", **base})
        generate_rows_per_s = generation_only(spec, min(rows, 500_000))
        emit({"stage": "generation", "generate_rows_per_s": round(generate_rows_per_s)})

        last = [0.0]

        def progress(done: int, total: int, message: str) -> None:
            now = time.perf_counter()
            if now - last[0] >= 10 or done == total:
                last[0] = now
                emit({"stage": "progress", "done": done, "total": total, "message": message})

        started = time.perf_counter()
        written = write_parquet(spec, out, progress=progress)
        seconds = time.perf_counter() - started
        ledger_seconds = (
            written["ledger_seconds"] + written["records"]["copy_seconds"] + written["events"]["copy_seconds"]
        )
        tables = ("records", "events", "observations", "enterprises", "relations", "outcomes")
        record_rows = written["records"]["rows"]
        rows_per_s = record_rows / ledger_seconds
        result = {
            "benchmark": "synth",
            "quick": args.quick,
            "enterprises": enterprises,
            "rows": record_rows,
            "event_rows": written["events"]["rows"],
            "observation_rows": written["observations"]["rows"],
            "relation_rows": written["relations"]["rows"],
            "record_scale": spec.record_scale,
            "seconds": round(seconds, 2),
            "ledger_seconds": round(ledger_seconds, 2),
            "rows_per_s": round(rows_per_s),
            "all_rows_per_s": round(sum(written[t]["rows"] for t in tables) / seconds),
            "peak_rss_mb": peak_rss_mb(),
            "parquet_bytes": sum(written[t]["bytes"] for t in tables),
            "records_parquet_bytes": written["records"]["bytes"],
            "baseline_rows": base["baseline_rows"],
            "baseline_rows_per_s": round(base["baseline_rows_per_s"]),
            "ratio": round(rows_per_s / base["baseline_rows_per_s"], 1),
            "generate_rows_per_s": round(generate_rows_per_s),
            "baseline_generate_rows_per_s": round(base["baseline_generate_rows_per_s"]),
            "generate_ratio": round(generate_rows_per_s / base["baseline_generate_rows_per_s"], 1),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "duckdb": duckdb.__version__,
            "cpus": os.cpu_count(),
            "date": datetime.now(UTC).date().isoformat(),
        }
    finally:
        if not args.out:
            shutil.rmtree(out, ignore_errors=True)
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
