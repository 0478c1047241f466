"""Benchmark: import a 1,000,000-row 行政处罚 file in GB18030 on SQLite and on PostgreSQL.

    python bench/import.py [--quick] [--rows N] [--enterprises E] [--keep DIR]

Generates the file itself (realistic 双公示 columns, fines in 万元, dates in several spellings),
then measures each engine in a subprocess of its own, so `peak_rss_mb` is that engine's import
alone: a fresh database is migrated, E enterprises are registered, and `import_run` reads the
file as a stream and writes it as one batch (one transaction). In the same subprocess, after
the import, the raw baseline loads the same parsed rows into a staging table with the same
columns and no indexes: SQLite `executemany` in one transaction, PostgreSQL `COPY` into an
UNLOGGED table. Only the load is timed for the baseline (the parsing is not), so
`ratio_to_raw` = import rows/s ÷ raw rows/s is a strict measure. PostgreSQL runs in a scratch
database `parkcredit_bench` at postgres://postgres@127.0.0.1:5432 (created and dropped); the
key `postgresql` says why when the server cannot be reached.

Before the import, the floor: the same parsed rows written by the importer's own bulk path
straight into the real ledger tables (unique key, indexes, foreign keys, one CREATED event per
record) in one transaction, nothing else timed; `floor_ratio` = raw seconds ÷ floor seconds is
the best `ratio_to_raw` any importer keeping the ledger's guarantees could reach. Those rows are
removed again before the import. `peak_rss_mb` adds the peak of the import's reading process
(a large file is read and parsed in a second process, see `creditcore.collection.pipeline`).

Prints JSON lines; the last line is one JSON object with keys `sqlite` and `postgresql`, each
with `rows_per_s`, `peak_rss_mb`, `ratio_to_raw`, `floor_seconds` and `floor_ratio`. Nothing
asserts on time.
"""

# The staging table's name is a constant; the subprocess runs this same file with our arguments.
# ruff: noqa: S608, S603

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL_ROWS = 1_000_000
QUICK_ROWS = 50_000
ENTERPRISES = 2_000
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "parkcredit_bench"
HEADER = [
    "行政相对人名称",
    "行政相对人代码_1(统一社会信用代码)",
    "法定代表人",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额(万元)",
    "处罚决定日期",
    "处罚机关",
    "数据来源单位",
]
FACTS = [
    "未按规定公示年度报告",
    "生产销售不合格产品",
    "未取得排污许可证排放污染物",
    "安全生产管理制度不落实",
    "发布虚假广告",
    "未按规定办理消防验收手续",
]
CATEGORIES = ["警告", "罚款", "罚款;没收违法所得", "通报批评", "责令停产停业"]
AUTHORITIES = ["某市市场监督管理局", "某市生态环境局", "某市应急管理局", "某区消防救援大队"]


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def peak_rss_mb() -> float:
    """This process's peak memory since the last `reset_peak` (VmHWM; lifetime ru_maxrss elsewhere)."""
    from creditcore.collection.pipeline import peak_rss_mb as vm_hwm

    own = vm_hwm()
    return own if own is not None else round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def reset_peak() -> bool:
    """Start this process's peak memory afresh (Linux: writing 5 to clear_refs), so the floor load
    that ran before does not count against the import."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def reader_peak_rss_mb() -> float:
    """The largest finished child's peak (an upper bound: Linux counts the parent's size at fork)."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


class ReaderPeak(logging.Handler):
    """Catches the reading process's own peak memory, which the importer logs when it ends."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.mb: float | None = None

    def emit(self, record: logging.LogRecord) -> None:
        value = getattr(record, "reader_peak_rss_mb", None)
        if value is not None:
            self.mb = max(self.mb or 0.0, value)


def enterprises(count: int) -> list[tuple[str, str]]:
    from creditcore.uscc import with_check_character

    out = []
    for n in range(count):
        body8 = f"{n + 10_000_000:08d}"
        weights = (3, 7, 9, 10, 5, 8, 4, 2)
        check = 11 - sum(int(ch) * w for ch, w in zip(body8, weights, strict=True)) % 11
        org = "X" if check == 10 else "0" if check == 11 else str(check)
        out.append((with_check_character(f"91410100{body8}{org}"), f"园区样本企业{n:05d}有限公司"))
    return out


def _date_text(day: date, style: int) -> str:
    if style == 0:
        return day.isoformat()
    if style == 1:
        return f"{day.year}/{day.month}/{day.day}"
    if style == 2:
        return f"{day:%Y%m%d}"
    return f"{day.year}年{day.month}月{day.day}日"


def generate(path: Path, rows: int, subjects: list[tuple[str, str]], seed: int = 20260501) -> None:
    """The penalty file, GB18030, written as a stream."""
    rng = random.Random(seed)
    start = date(2019, 1, 1)
    with path.open("w", encoding="gb18030", newline="") as handle:
        handle.write(",".join(HEADER) + "\r\n")
        for n in range(rows):
            uscc, name = subjects[rng.randrange(len(subjects))]
            day = start + timedelta(days=rng.randrange(2000))
            fine = f"{rng.randrange(1, 5000) / 100:.2f}"
            handle.write(
                f"{name},{uscc},法定代表人{n % 97},某市监罚〔{day.year}〕{n}号,违反市场管理规定,"
                f"{FACTS[n % len(FACTS)]},《中华人民共和国行政处罚法》,{CATEGORIES[n % len(CATEGORIES)]},"
                f"罚款人民币{fine}万元,{fine},{_date_text(day, n % 4)},{AUTHORITIES[n % len(AUTHORITIES)]},"
                "某市公共信用信息中心\r\n"
            )


# --- one engine, in its own process ------------------------------------------------------------------


def _setup_django(database_url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["PARKCREDIT_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _register(subjects: list[tuple[str, str]]) -> dict[str, int]:
    from parkcredit.enterprises.models import Enterprise

    Enterprise.objects.bulk_create(
        [Enterprise(uscc=uscc, name=name) for uscc, name in subjects], batch_size=1000
    )
    return dict(Enterprise.objects.values_list("uscc", "id"))


def _raw_load(path: Path, ids: dict[str, int]) -> tuple[float, float]:
    """Seconds spent loading the parsed rows raw (parsing excluded), and seconds spent reading and
    parsing them (for the breakdown: the share of the import that is the pure parser)."""
    from django.db import connection, transaction

    from creditcore.collection.profiles import PROFILES
    from creditcore.collection.readers import open_table_path
    from creditcore.collection.rows import bind_headers, parse_row

    spec = PROFILES["penalty"]
    table = open_table_path(path)
    binding = bind_headers(spec, table.headers)
    columns = (
        "enterprise_id bigint, kind_id bigint, source_id bigint, source_ref varchar(128), "
        "severity varchar(16), occurred_on date, decided_on date, amount numeric(18,2), "
        "authority varchar(200), summary varchar(500), "
        "payload text, batch_id bigint, version integer, created_at varchar(40)"
    )
    names = (
        "enterprise_id, kind_id, source_id, source_ref, severity, occurred_on, decided_on, amount, "
        "authority, summary, payload, batch_id, version, created_at"
    )
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_staging")
        cursor.execute(f"CREATE {'UNLOGGED ' if pg else ''}TABLE bench_raw_staging ({columns})")
    spent = 0.0
    stamp = "2026-01-01T00:00:00+00:00"

    def tuples(chunk: list[Any]) -> list[tuple[Any, ...]]:
        out = []
        for parsed in chunk:
            f = parsed.fields
            out.append(
                (
                    ids.get(f["uscc"]),
                    1,
                    1,
                    f["source_ref"],
                    f["severity"],
                    f["occurred_on"],
                    f["decided_on"],
                    f["amount"],
                    f["authority"],
                    f["summary"],
                    json.dumps(parsed.payload, ensure_ascii=False),
                    1,
                    1,
                    stamp,
                )
            )
        return out

    parse_seconds = [0.0]

    def chunks() -> Any:
        chunk: list[Any] = []
        rows = table.rows()
        while True:
            t0 = time.perf_counter()
            for row in rows:
                parsed = parse_row(spec, binding, row)
                if not isinstance(parsed, list):
                    chunk.append(parsed)
                if len(chunk) >= 20_000:
                    break
            parse_seconds[0] += time.perf_counter() - t0
            if not chunk:
                return
            yield tuples(chunk)
            chunk = []

    with transaction.atomic():
        raw = connection.connection
        if pg:
            with raw.cursor() as cursor:
                for rows in chunks():
                    t0 = time.perf_counter()
                    with cursor.copy(f"COPY bench_raw_staging ({names}) FROM STDIN") as copy:
                        for values in rows:
                            copy.write_row(values)
                    spent += time.perf_counter() - t0
        else:
            cursor = raw.cursor()
            placeholders = ", ".join("?" * 14)
            for rows in chunks():
                prepared = [
                    (*r[:5], r[5] and r[5].isoformat(), r[6].isoformat(), r[7] and str(r[7]), *r[8:])
                    for r in rows
                ]
                t0 = time.perf_counter()
                cursor.executemany(
                    f"INSERT INTO bench_raw_staging ({names}) VALUES ({placeholders})", prepared
                )
                spent += time.perf_counter() - t0
        t0 = time.perf_counter()
    spent += time.perf_counter() - t0  # the commit
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_staging")
    return spent, parse_seconds[0]


def _floor_load(path: Path) -> float:
    """Seconds to write the same parsed rows straight into the real ledger tables, one transaction.

    The importer's own bulk path does the writing: a `RecordSink` of a real batch gets the rows as
    its `_row` builds them (enterprise ids known, no validation, no dedupe) and `flush` inserts them
    with their CREATED events, chunk by chunk as the import does; only `flush` and the commit are
    timed (with the batch's page cache, as `import_run` has it). This is what any importer
    honouring the unique key, indexes, foreign keys and the event per record must spend at least.
    The rows are removed again (and the tables emptied) afterwards, so the import starts from an
    empty ledger.
    """
    from django.db import connection, transaction

    from creditcore.collection.profiles import PROFILES
    from creditcore.collection.readers import open_table_path
    from creditcore.collection.rows import bind_headers, parse_row
    from parkcredit.records.importing.services import CHUNK_ROWS, _bulk_cache, source_resolve
    from parkcredit.records.importing.writers import BatchContext, EnterpriseIndex, RecordSink
    from parkcredit.records.models import CreditRecord, ImportBatch, RecordEvent

    spec = PROFILES["penalty"]
    table = open_table_path(path)
    binding = bind_headers(spec, table.headers)
    source = source_resolve(None, spec)
    spent = 0.0
    # The importer's own transaction settings (SQLite's larger page cache during a batch).
    with _bulk_cache(), transaction.atomic():
        batch = ImportBatch.objects.create(source=source, label="bench floor", profile="penalty")
        ctx = BatchContext(actor=None, source=source, batch=batch, profile="penalty")
        index = EnterpriseIndex()
        sink = RecordSink(ctx, index)
        chunk: list[Any] = []

        def write(chunk: list[Any]) -> float:
            index.load(p.fields["uscc"] for p in chunk)
            for parsed in chunk:
                f = parsed.fields
                kind = sink.kinds[f["kind"]]
                values = {
                    "enterprise_id": index.get(f["uscc"]),
                    "severity": f["severity"] or "",
                    "occurred_on": f["occurred_on"],
                    "decided_on": f["decided_on"],
                    "amount": f["amount"],
                    "authority": f["authority"] or "",
                    "summary": f["summary"] or "",
                }
                sink.pending.append(sink._row(kind, f["source_ref"], values, parsed.payload))
            t0 = time.perf_counter()
            sink.flush()
            return time.perf_counter() - t0

        for row in table.rows():
            parsed = parse_row(spec, binding, row)
            if not isinstance(parsed, list):
                chunk.append(parsed)
            if len(chunk) >= CHUNK_ROWS:
                spent += write(chunk)
                chunk = []
        if chunk:
            spent += write(chunk)
        t0 = time.perf_counter()
    spent += time.perf_counter() - t0  # the commit, with the deferred foreign-key checks
    records, events = CreditRecord._meta.db_table, RecordEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Fresh files: no dead index entries for the unique-key checks. CASCADE empties the (empty)
            # tables that refer to records in this scratch database.
            cursor.execute(f"TRUNCATE {events}, {records} CASCADE")
        else:
            cursor.execute(f"DELETE FROM {events}")
            cursor.execute(f"DELETE FROM {records}")
    ImportBatch.objects.filter(pk=batch.pk).delete()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")
    return spent


def run_engine(engine: str, file: Path, rows: int, n_enterprises: int, database_url: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="parkcredit-bench-") as data_dir:
        _setup_django(database_url or f"sqlite:///{data_dir}/bench.sqlite3", data_dir)
        ids = _register(enterprises(n_enterprises))
        floor_seconds = _floor_load(file)
        from parkcredit.records.importing.services import import_run
        from parkcredit.records.models import CreditRecord

        peak_reset = reset_peak()
        rss_before = peak_rss_mb()
        reader = ReaderPeak()
        pipeline_log = logging.getLogger("creditcore.collection.pipeline")
        pipeline_log.addHandler(reader)
        pipeline_log.setLevel(logging.INFO)
        t0 = time.perf_counter()
        report = import_run(actor=None, system=True, profile="penalty", path=str(file), file_name=file.name)
        seconds = time.perf_counter() - t0
        pipeline_log.removeHandler(reader)
        # Both processes of the import at once, at worst: its own peak plus its reading process's
        # (the reader's own VmHWM; without /proc, the largest child's ru_maxrss, an upper bound).
        reader_peak = reader.mb if reader.mb is not None else reader_peak_rss_mb()
        peak = round(peak_rss_mb() + reader_peak, 1)
        written = CreditRecord.objects.count()
        raw_seconds, parse_seconds = _raw_load(file, ids)
    rows_per_s = rows / seconds
    raw_per_s = rows / raw_seconds
    return {
        "engine": engine,
        "rows": rows,
        "new": report.new,
        "error": report.error,
        "records_in_db": written,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows_per_s),
        "raw_seconds": round(raw_seconds, 2),
        "raw_rows_per_s": round(raw_per_s),
        "ratio_to_raw": round(rows_per_s / raw_per_s, 3),
        "floor_seconds": round(floor_seconds, 2),
        "floor_ratio": round(raw_seconds / floor_seconds, 3),
        # Reading and parsing alone, in one process (the import overlaps them with its writes, so
        # `seconds` minus this is not the import's write time).
        "read_parse_seconds": round(parse_seconds, 2),
        "peak_rss_mb": peak,
        "reader_peak_rss_mb": reader_peak,
        "rss_before_import_mb": rss_before,
        # True when the peak was reset after the floor load: `peak_rss_mb` is the import's alone.
        "peak_is_import_only": peak_reset,
    }


# --- orchestration -----------------------------------------------------------------------------------


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def _child(engine: str, file: Path, rows: int, n_enterprises: int, database_url: str) -> dict[str, Any]:
    command = [
        sys.executable, __file__, "--engine", engine, "--file", str(file), "--rows", str(rows),
        "--enterprises", str(n_enterprises), "--database-url", database_url,
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        return {"skipped": f"{engine} 子进程失败(退出码 {result.returncode}):{result.stderr.strip()[-800:]}"}
    out: dict[str, Any] = json.loads(lines[-1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS} 行")
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--enterprises", type=int, default=ENTERPRISES)
    parser.add_argument("--keep", default="", help="把生成的文件留在该目录")
    parser.add_argument("--engine", default="", help=argparse.SUPPRESS)
    parser.add_argument("--file", default="", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    rows = args.rows or (QUICK_ROWS if args.quick else FULL_ROWS)
    if args.engine:
        emit(run_engine(args.engine, Path(args.file), rows, args.enterprises, args.database_url))
        return

    with tempfile.TemporaryDirectory(prefix="parkcredit-import-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        file = folder / f"penalty-{rows}.gb18030.csv"
        t0 = time.perf_counter()
        generate(file, rows, enterprises(args.enterprises))
        emit({"generated": str(file), "rows": rows, "mb": round(file.stat().st_size / 2**20, 1),
              "seconds": round(time.perf_counter() - t0, 1)})  # fmt: skip
        results: dict[str, Any] = {}
        results["sqlite"] = _child("sqlite", file, rows, args.enterprises, "")
        emit({"sqlite": results["sqlite"]})
        try:
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
            _pg_admin(f"CREATE DATABASE {PG_DATABASE}")
        except Exception as exc:
            results["postgresql"] = {"skipped": f"PostgreSQL 不可用:{type(exc).__name__}: {exc}"}
        else:
            try:
                results["postgresql"] = _child(
                    "postgresql", file, rows, args.enterprises, f"{PG_SERVER}/{PG_DATABASE}"
                )
            finally:
                _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
            emit({"postgresql": results["postgresql"]})
        emit(
            {
                "bench": "import",
                "rows": rows,
                "file_mb": round(file.stat().st_size / 2**20, 1),
                "encoding": "gb18030",
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "sqlite": results["sqlite"],
                "postgresql": results["postgresql"],
            }
        )


if __name__ == "__main__":
    main()
