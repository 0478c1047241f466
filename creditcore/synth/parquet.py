"""Write a synthetic park to Parquet with DuckDB, chunk by chunk, in bounded memory.

Chunks go into a scratch DuckDB database on disk (DuckDB reads a dict of numpy arrays directly)
and each table is then copied to one Parquet file; DuckDB spills to disk rather than holding the
ledger in memory, so 10^7 rows fit in a few hundred megabytes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from creditcore.ledger import OBSERVATION_COLUMNS, RECORD_COLUMNS
from creditcore.synth import vocab
from creditcore.synth.chunks import DEFAULT_CHUNK_ROWS, Columns, observation_blocks, rechunk, record_blocks
from creditcore.synth.enterprises import INDUSTRIES, enterprise_table
from creditcore.synth.relations import RELATION_TYPES, outcome_arrays, outcome_table, relation_arrays
from creditcore.synth.spec import ParkSpec

Progress = Callable[[int, int, str], None]

EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("record_id", "BIGINT"),
    ("event_type", "VARCHAR"),
    ("at", "TIMESTAMP"),  # UTC
    ("note", "VARCHAR"),
)
ENTERPRISE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("enterprise_id", "BIGINT"),
    ("uscc", "VARCHAR"),
    ("name", "VARCHAR"),
    ("industry_code", "VARCHAR"),
    ("industry_name", "VARCHAR"),
    ("cluster", "VARCHAR"),
    ("size", "VARCHAR"),
    ("registered_capital", "DECIMAL(18,2)"),
    ("founded_on", "DATE"),
    ("park_entry_on", "DATE"),
    ("building", "VARCHAR"),
    ("status", "VARCHAR"),
    ("in_park", "BOOLEAN"),
    ("risk", "DOUBLE"),  # latent truth, for back-tests only
    ("decline", "DOUBLE"),
)
RELATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("enterprise_id", "BIGINT"),
    ("counterparty_id", "BIGINT"),
    ("relation_type", "VARCHAR"),
    ("weight", "DECIMAL(5,4)"),
    ("valid_from", "DATE"),
    ("valid_to", "DATE"),
)
OUTCOME_COLUMNS: tuple[tuple[str, str], ...] = (
    ("enterprise_id", "BIGINT"),
    ("event", "BOOLEAN"),
    ("kind", "VARCHAR"),
    ("on", "DATE"),
    ("via", "BIGINT"),
)


def write_parquet(
    spec: ParkSpec,
    out_dir: str | os.PathLike[str],
    progress: Progress | None = None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    memory_limit: str = "512MB",
) -> dict[str, Any]:
    """Write records, events, observations, enterprises, relations and outcomes as Parquet files.

    Personal data (ID numbers, phones) stays out of the files. Returns, per table, the rows and
    bytes written and the seconds its final copy took; `ledger_seconds` (generating and storing
    records and events, the enterprise table included) and `seconds` (everything).
    `progress(done, total, message)` is called after every block with blocks done so far.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scratch = out / ".synth-scratch.duckdb"
    scratch.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(scratch))
    try:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute("SET preserve_insertion_order = true")
        tables = {
            "records": RECORD_COLUMNS,
            "events": EVENT_COLUMNS,
            "observations": OBSERVATION_COLUMNS,
            "enterprises": ENTERPRISE_COLUMNS,
            "relations": RELATION_COLUMNS,
            "outcomes": OUTCOME_COLUMNS,
        }
        for name, columns in tables.items():
            con.execute(f"CREATE TABLE {name} ({', '.join(f'{_q(c)} {t}' for c, t in columns)})")
        total_steps = 2 * spec.blocks + 1
        done = 0

        def step(message: str) -> None:
            nonlocal done
            done += 1
            if progress is not None:
                progress(done, total_steps, message)

        def ledger_blocks() -> Iterable[Columns]:
            for record_block, event_block in record_blocks(spec):
                # A block's events are a fraction of its records: bounded, so inserted whole.
                insert_chunk(con, "events", EVENT_COLUMNS, event_block)
                yield record_block
                step("生成信用记录")

        for chunk in rechunk(ledger_blocks(), chunk_rows):
            insert_chunk(con, "records", RECORD_COLUMNS, chunk)
        ledger_seconds = time.perf_counter() - started

        def obs_blocks() -> Iterable[Columns]:
            for block in observation_blocks(spec):
                yield block
                step("生成园区观测数据")

        for chunk in rechunk(obs_blocks(), chunk_rows):
            insert_chunk(con, "observations", OBSERVATION_COLUMNS, chunk)
        insert_chunk(con, "enterprises", ENTERPRISE_COLUMNS, _enterprise_columns(spec))
        insert_chunk(con, "relations", RELATION_COLUMNS, _relation_columns(spec))
        insert_chunk(
            con, "outcomes", OUTCOME_COLUMNS, outcome_table(enterprise_table(spec), outcome_arrays(spec))
        )
        step("写出 Parquet 文件")

        result: dict[str, Any] = {}
        for name in tables:
            path = out / f"{name}.parquet"
            copy_started = time.perf_counter()
            con.execute(f"COPY {name} TO '{sql_path(path)}' (FORMAT parquet, COMPRESSION zstd)")
            row = con.execute(f"SELECT count(*) FROM {name}").fetchone()  # noqa: S608 - a constant name
            result[name] = {
                "rows": int(row[0]) if row else 0,
                "bytes": path.stat().st_size,
                "copy_seconds": time.perf_counter() - copy_started,
            }
    finally:
        con.close()
        scratch.unlink(missing_ok=True)
        Path(f"{scratch}.wal").unlink(missing_ok=True)
    result["ledger_seconds"] = ledger_seconds
    result["seconds"] = time.perf_counter() - started
    return result


def _q(name: str) -> str:
    return f'"{name}"'


def sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def insert_chunk(
    con: duckdb.DuckDBPyConnection, table: str, columns: tuple[tuple[str, str], ...], chunk: Columns
) -> None:
    """Insert a chunk, casting each column to its declared type (dates travel as timestamps)."""
    frame = {}
    for name, _ in columns:
        column = chunk[name]
        if column.dtype.kind == "M":
            column = column.astype("datetime64[s]")
        frame[name] = column
    select = ", ".join(f"CAST({_q(name)} AS {sql_type})" for name, sql_type in columns)
    con.register("chunk_frame", frame)
    try:
        con.execute(f"INSERT INTO {table} SELECT {select} FROM chunk_frame")  # noqa: S608 - constant names
    finally:
        con.unregister("chunk_frame")


def _enterprise_columns(spec: ParkSpec) -> Columns:
    table = enterprise_table(spec)
    industry = np.array([i.code for i in INDUSTRIES], dtype=object)[table.industry]
    industry_name = np.array([i.name for i in INDUSTRIES], dtype=object)[table.industry]
    building = np.where(table.building >= 0, table.buildings.code[np.maximum(table.building, 0)], None)
    return {
        "enterprise_id": table.ids,
        "uscc": table.uscc,
        "name": table.name,
        "industry_code": industry,
        "industry_name": industry_name,
        "cluster": np.array([c.name for c in vocab.CLUSTERS], dtype=object)[table.cluster],
        "size": np.array(vocab.SIZES, dtype=object)[table.size],
        "registered_capital": table.capital,
        "founded_on": table.founded.astype("datetime64[D]"),
        "park_entry_on": table.entry.astype("datetime64[D]"),
        "building": building,
        "status": np.array(vocab.STATUSES, dtype=object)[table.status],
        "in_park": table.in_park,
        "risk": table.risk,
        "decline": table.decline,
    }


def _relation_columns(spec: ParkSpec) -> Columns:
    rel = relation_arrays(spec)
    return {
        "enterprise_id": rel.enterprise + 1,
        "counterparty_id": rel.counterparty + 1,
        "relation_type": np.array([t.value for t in RELATION_TYPES], dtype=object)[rel.relation_type],
        "weight": rel.weight,
        "valid_from": rel.valid_from.astype("datetime64[D]"),
        "valid_to": rel.valid_to.astype("datetime64[D]"),
    }


__all__ = ["EVENT_COLUMNS", "insert_chunk", "sql_path", "write_parquet"]
