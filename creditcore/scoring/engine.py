"""Run the compiled scoring SQL on DuckDB (in process) or PostgreSQL and return ScoreResults.

The results are the reference evaluator's `ScoreResult`s: indicator values and points, fired
vetoes and caps, score, grade and colour all come from the SQL; data depth and the top reasons
are derived from those columns by the same code the reference uses (`results.top_reasons`).
Evidence (the record ids behind each records indicator) comes from a second, optional query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from creditcore.scoring.compiler import Dialect, compile_evidence_sql, compile_sql, points_name, value_name
from creditcore.scoring.frames import Frame, load_duckdb
from creditcore.scoring.results import IndicatorResult, ScoreResult, top_reasons
from creditcore.scoring.spec import ModelSpec

Evidence = dict[tuple[int, str], tuple[int, ...]]


def results_from_rows(
    spec: ModelSpec, rows: Iterable[Sequence[Any]], evidence: Evidence | None = None
) -> list[ScoreResult]:
    """ScoreResults from rows of the compiled query (columns as `compiler.output_columns`)."""
    indicators = spec.indicators
    total_max = sum(ind.max_points for ind in indicators)
    evidence = evidence or {}
    results = []
    for row in rows:
        enterprise_id = int(row[0])
        items = []
        for n, ind in enumerate(indicators):
            value, points = row[1 + 2 * n], row[2 + 2 * n]
            items.append(
                IndicatorResult(
                    code=ind.code,
                    value=None if value is None else float(value),
                    points=float(points),
                    max_points=ind.max_points,
                    missing=value is None,
                    evidence=evidence.get((enterprise_id, ind.code), ()),
                )
            )
        at = 1 + 2 * len(indicators)
        vetoes = tuple(v.code for k, v in enumerate(spec.vetoes) if row[at + k])
        at += len(spec.vetoes)
        caps = tuple(c.code for k, c in enumerate(spec.caps) if row[at + k])
        at += len(spec.caps) + 1  # skip total
        score, grade, colour = int(row[at]), str(row[at + 1]), str(row[at + 2])
        present = sum(item.max_points for item in items if not item.missing)
        results.append(
            ScoreResult(
                enterprise_id=enterprise_id,
                score=score,
                grade=grade,
                colour=colour,
                indicators=tuple(items),
                vetoes=vetoes,
                caps=caps,
                reasons=top_reasons(items),
                data_depth=present / total_max if total_max else 0.0,
            )
        )
    return results


def evidence_from_rows(spec: ModelSpec, rows: Iterable[Sequence[Any]]) -> Evidence:
    """{(enterprise_id, indicator code): record ids ascending} from the evidence query's rows."""
    codes = [ind.code for ind in spec.indicators if ind.source == "records"]
    found: dict[tuple[int, str], list[int]] = {}
    for row in rows:
        enterprise_id, record_id = int(row[0]), int(row[1])
        for code, kept in zip(codes, row[2:], strict=True):
            if kept:
                found.setdefault((enterprise_id, code), []).append(record_id)
    return {key: tuple(sorted(ids)) for key, ids in found.items()}


def _run(
    execute: Any,
    spec: ModelSpec,
    as_of: date,
    dialect: Dialect,
    *,
    evidence: bool,
    enterprise_ids: Sequence[int] | None,
) -> list[ScoreResult]:
    ids = None if enterprise_ids is None else tuple(int(i) for i in enterprise_ids)
    rows = execute(compile_sql(spec, as_of=as_of, dialect=dialect, enterprise_ids=ids, pretty=False))
    found = None
    if evidence:
        sql = compile_evidence_sql(spec, as_of=as_of, dialect=dialect, enterprise_ids=ids)
        found = evidence_from_rows(spec, execute(sql))
    return results_from_rows(spec, rows, found)


def score_duckdb(
    spec: ModelSpec,
    connection: Any,
    as_of: date,
    *,
    evidence: bool = True,
    enterprise_ids: Sequence[int] | None = None,
) -> list[ScoreResult]:
    """Score every enterprise of the ledger tables already in a DuckDB connection."""
    return _run(
        lambda sql: connection.execute(sql).fetchall(),
        spec,
        as_of,
        "duckdb",
        evidence=evidence,
        enterprise_ids=enterprise_ids,
    )


def score_frames_duckdb(
    spec: ModelSpec,
    frames: Mapping[str, Frame],
    as_of: date,
    connection: Any = None,
    *,
    evidence: bool = True,
    enterprise_ids: Sequence[int] | None = None,
) -> list[ScoreResult]:
    """Load ledger frames into DuckDB (a fresh in-memory database unless given one) and score them."""
    import duckdb

    con = connection if connection is not None else duckdb.connect()
    try:
        load_duckdb(con, frames)
        return score_duckdb(spec, con, as_of, evidence=evidence, enterprise_ids=enterprise_ids)
    finally:
        if connection is None:
            con.close()


def score_postgres(
    spec: ModelSpec,
    connection: Any,
    as_of: date,
    *,
    evidence: bool = True,
    enterprise_ids: Sequence[int] | None = None,
) -> list[ScoreResult]:
    """Run the PostgreSQL dialect in the database of a DB-API connection (psycopg, Django's).

    The ledger tables or views (`ledger_enterprises`, ...) must be visible on the search path.
    """

    def execute(sql: str) -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    return _run(execute, spec, as_of, "postgres", evidence=evidence, enterprise_ids=enterprise_ids)


__all__ = [
    "evidence_from_rows",
    "points_name",
    "results_from_rows",
    "score_duckdb",
    "score_frames_duckdb",
    "score_postgres",
    "value_name",
]
