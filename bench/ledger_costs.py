"""Benchmark: what each guarantee of the credit ledger costs a bulk write on PostgreSQL.

    python bench/ledger_costs.py [--quick] [--rows N]

`bench/import.py` compares the import with a raw `COPY` of the same parsed rows into an UNLOGGED
table without indexes or foreign keys, and measures the floor: the same rows written by the
importer's bulk path into the real ledger. This script takes the floor apart. In a scratch
database `parkcredit_bench_costs` (created, migrated and dropped), N ready-made record rows are
written with `COPY` in one transaction, first in the real ledger and then with one guarantee
removed at a time, so each step's difference is what that guarantee costs:

1. `ledger` — the real tables: unique key, indexes, the deferred foreign-key checks at commit
   and one CREATED event per record (the floor of `bench/import.py`, without the Python);
2. `no_created_events` — the same records without their CREATED events;
3. `enterprise_fk_only` — and only the foreign key to the enterprise left;
4. `no_foreign_keys` — and no foreign key at all: the indexes and the WAL remain;
5. `logged_no_indexes` — a logged table without indexes: the WAL alone;
6. `raw` — the UNLOGGED table without indexes: `bench/import.py`'s baseline.

Every step runs `--repeat` times and keeps the fastest, between runs the tables are emptied
and checkpointed. Parsing is not measured (the rows are built in memory before the timer starts).
The last line is one JSON object; `ratio_to_raw` of a step is raw seconds ÷ step seconds, the best
ratio an importer writing into that table could reach. Nothing asserts on time.
"""

# Table and column names below come from the models, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL_ROWS = 200_000
QUICK_ROWS = 50_000
ENTERPRISES = 2_000
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "parkcredit_bench_costs"
COLUMNS = (
    "enterprise_id, kind_id, source_id, source_ref, severity, occurred_on, decided_on, amount, "
    "authority, summary, payload, batch_id, created_at, created_by_id, version"
)
PAYLOAD = {
    "法定代表人": "法定代表人12",
    "违法行为类型": "违反市场管理规定",
    "违法事实": "未按规定公示年度报告",
    "处罚依据": "《中华人民共和国行政处罚法》",
    "处罚类别": "罚款",
    "处罚内容": "罚款人民币12.00万元",
    "数据来源单位": "某市公共信用信息中心",
}


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


class Ledger:
    """The scratch database's ledger tables and the COPY of one batch of ready rows into them."""

    def __init__(self, rows: int) -> None:
        from django.db import connection

        from parkcredit.records.models import CreditRecord, DataSource, RecordEvent, RecordKind

        self.connection = connection
        self.records = CreditRecord._meta.db_table
        self.events = RecordEvent._meta.db_table
        self.rows = rows
        self.source = DataSource.objects.create(name="基准数据源", code="bench-costs")
        self.kind = RecordKind.objects.get(code="penalty")

    def _batch(self) -> int:
        from parkcredit.records.models import ImportBatch

        return int(ImportBatch.objects.create(source=self.source, label="bench", profile="penalty").pk)

    def _values(self, enterprise_ids: list[int], batch_id: int, run: int) -> list[tuple[Any, ...]]:
        now = datetime.now(UTC)
        payload = json.dumps(PAYLOAD, ensure_ascii=False)
        start = date(2019, 1, 1)
        out = []
        for n in range(self.rows):
            day = start + timedelta(days=(n * 7919) % 2000)
            out.append(
                (
                    enterprise_ids[(n * 104_729) % len(enterprise_ids)],
                    self.kind.pk,
                    self.source.pk,
                    f"某市监罚〔{day.year}〕{run}-{n}号",
                    "general",
                    day,
                    day,
                    Decimal("120000.00"),
                    "某市市场监督管理局",
                    "未按规定公示年度报告",
                    payload,
                    batch_id,
                    now,
                    None,
                    1,
                )
            )
        return out

    def write(self, table: str, enterprise_ids: list[int], *, events: bool, run: int) -> float:
        """Seconds for the COPY, the CREATED events (when asked) and the commit of one batch."""
        from django.db import transaction

        batch_id = self._batch()
        values = self._values(enterprise_ids, batch_id, run)
        t0 = time.perf_counter()
        with transaction.atomic(), self.connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({COLUMNS}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            if events:
                cursor.execute(
                    f"INSERT INTO {self.events} (record_id, event_type, at, recorded_at, actor_id, note, "
                    f"payload) SELECT id, 'created', now(), now(), NULL, '', '{{}}' FROM {table} "
                    "WHERE batch_id = %s",
                    [batch_id],
                )
        seconds = time.perf_counter() - t0
        self.empty(table)
        return seconds

    def empty(self, table: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {self.events}, {table} CASCADE")
            cursor.execute("CHECKPOINT")

    def drop_foreign_keys(self, keep: tuple[str, ...] = ()) -> list[str]:
        """Drop the ledger tables' foreign keys except those on the `keep` columns; their names."""
        dropped = []
        with self.connection.cursor() as cursor:
            for table in (self.records, self.events):
                cursor.execute(
                    "SELECT c.conname, a.attname FROM pg_constraint c JOIN pg_attribute a "
                    "ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
                    "WHERE c.conrelid = %s::regclass AND c.contype = 'f'",
                    [table],
                )
                for name, column in cursor.fetchall():
                    if f"{table}.{column}" not in keep:
                        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                        dropped.append(f"{table}.{column}")
        return sorted(dropped)

    def copy_table(self, name: str, *, logged: bool) -> str:
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"CREATE {'' if logged else 'UNLOGGED '}TABLE {name} AS "
                f"SELECT {COLUMNS} FROM {self.records} WHERE false"
            )
        return name


def measure(rows: int, repeat: int) -> dict[str, Any]:
    # The import bench's sample enterprises (its file name is a keyword, so loaded by path).
    spec = importlib.util.spec_from_file_location("bench_import", Path(__file__).with_name("import.py"))
    assert spec is not None and spec.loader is not None
    bench_import = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_import)
    ledger = Ledger(rows)
    ids = list(bench_import._register(bench_import.enterprises(ENTERPRISES)).values())
    steps: list[dict[str, Any]] = []
    run = [0]

    def step(name: str, table: str, *, events: bool, note: str) -> None:
        times = []
        for _ in range(repeat):
            run[0] += 1
            times.append(ledger.write(table, ids, events=events, run=run[0]))
        steps.append({"step": name, "seconds": round(min(times), 3), "note": note})
        emit(steps[-1])

    enterprise_fk = f"{ledger.records}.enterprise_id"
    step("ledger", ledger.records, events=True, note="唯一键、索引、全部外键、每条记录一条 CREATED 事件")
    step("no_created_events", ledger.records, events=False, note="同上,但不写 CREATED 事件")
    dropped = ledger.drop_foreign_keys(keep=(enterprise_fk,))
    step("enterprise_fk_only", ledger.records, events=False, note="只保留指向企业的外键")
    dropped += ledger.drop_foreign_keys()
    step("no_foreign_keys", ledger.records, events=False, note="不查任何外键:只剩索引与预写日志")
    logged = ledger.copy_table("bench_costs_logged", logged=True)
    step("logged_no_indexes", logged, events=False, note="写预写日志、无索引的普通表")
    raw = ledger.copy_table("bench_costs_raw", logged=False)
    step("raw", raw, events=False, note="UNLOGGED、无索引:bench/import.py 的对照组")
    raw_seconds = steps[-1]["seconds"]
    for entry in steps:
        entry["ratio_to_raw"] = round(raw_seconds / entry["seconds"], 3)
    return {"steps": steps, "foreign_keys_dropped": dropped}


def _child(rows: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="parkcredit-costs-") as data_dir:
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
        os.environ["PARKCREDIT_DATA_DIR"] = data_dir
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        result = measure(rows, repeat)
    emit({"bench": "ledger_costs", "engine": "postgresql", "rows": rows, "repeat": repeat, **result})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS} 行")
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    rows = args.rows or (QUICK_ROWS if args.quick else FULL_ROWS)
    try:
        _admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        _admin(f"CREATE DATABASE {PG_DATABASE}")
    except Exception as exc:
        emit({"bench": "ledger_costs", "skipped": f"PostgreSQL 不可用:{type(exc).__name__}: {exc}"})
        return
    try:
        _child(rows, args.repeat)
    finally:
        _admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
