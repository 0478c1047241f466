"""The SQL compiler: the shape of what it emits, for both dialects, and a golden file."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from creditcore.scoring.compiler import (
    build_query,
    compile_evidence_sql,
    compile_sql,
    num,
    output_columns,
)
from creditcore.scoring.frames import ENTERPRISES, frame_from_rows, load_duckdb
from creditcore.scoring.spec import Dimension, ModelSpec, load_default_spec
from tests.creditcore.scoring.test_sql_vs_reference import AS_OF, every_aggregate_spec

GOLDEN = Path(__file__).with_name("test_compiler_golden.duckdb.sql")
DEFAULT = load_default_spec()


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
@pytest.mark.parametrize("spec", [DEFAULT, every_aggregate_spec()], ids=["default", "every"])
def test_sql_parses_back_with_the_promised_columns(dialect: str, spec: ModelSpec) -> None:
    sql = compile_sql(spec, as_of=AS_OF, dialect=dialect)
    tree = sqlglot.parse_one(sql, read=dialect)
    assert isinstance(tree, exp.Select)
    assert tree.named_selects == output_columns(spec)
    ctes = [cte.alias for cte in tree.args["with_"].expressions]
    assert ctes[0] == "rec" and ctes[-4:] == ["vals", "pts", "tot", "grd"]
    # Round trip: rendering the parsed tree again gives the same text.
    assert tree.sql(dialect=dialect, pretty=True) == sql


def test_every_float_constant_is_cast_to_double() -> None:
    sql = compile_sql(DEFAULT, as_of=AS_OF, dialect="duckdb", pretty=False)
    bare = re.sub(r"CAST\(-?[0-9.e+-]+ AS DOUBLE\)", "", sql)
    bare = re.sub(r"'[^']*'", "", bare)  # string literals
    assert not re.search(r"(?<![\w\"])\d+\.\d+", bare), "a DECIMAL literal slows DuckDB down"
    pg = compile_sql(DEFAULT, as_of=AS_OF, dialect="postgres", pretty=False)
    assert "AS DOUBLE PRECISION)" in pg and "AS DOUBLE)" not in pg


def test_indicator_codes_are_quoted_identifiers_and_text_is_literal() -> None:
    spec = every_aggregate_spec()
    first = spec.dimensions[0].indicators[0]
    hostile = replace(first, kinds=("penalty'); DROP TABLE ledger_records; --",))
    spec = replace(spec, dimensions=(Dimension("d", "d", (hostile, *spec.dimensions[0].indicators[1:])),))
    sql = compile_sql(spec, as_of=AS_OF, dialect="duckdb")
    assert '"neg_count__points"' in sql
    tree = sqlglot.parse_one(sql, read="duckdb")
    literals = {lit.this for lit in tree.find_all(exp.Literal) if lit.is_string}
    assert "penalty'); DROP TABLE ledger_records; --" in literals
    con = duckdb.connect()
    load_duckdb(con, {})
    con.execute(sql).fetchall()  # the quote did not break out of the literal
    assert con.execute("SELECT count(*) FROM ledger_records").fetchall() == [(0,)]


def test_windows_are_half_open_date_literals() -> None:
    sql = compile_sql(
        every_aggregate_spec(window=30), as_of=date(2026, 3, 31), dialect="postgres", pretty=False
    )
    assert "\"decided_on\" > CAST('2026-03-01' AS DATE)" in sql
    assert "\"decided_on\" <= CAST('2026-03-31' AS DATE)" in sql


def test_enterprise_filter_reaches_every_scan() -> None:
    tree = build_query(DEFAULT, as_of=AS_OF, enterprise_ids=(7, 9))
    filtered = [
        node
        for node in tree.find_all(exp.In)
        if node.this.name == "enterprise_id" and len(node.expressions) == 2
    ]
    assert len(filtered) >= 4  # records, observations, tags, enterprises (+ latest sub-queries)
    empty = compile_sql(DEFAULT, as_of=AS_OF, enterprise_ids=(), pretty=False)
    assert "FALSE" in empty


def test_unknown_dialect_is_refused_in_chinese() -> None:
    with pytest.raises(ValueError, match="不支持的 SQL 方言"):
        compile_sql(DEFAULT, as_of=AS_OF, dialect="sqlite")
    with pytest.raises(ValueError, match="不支持的 SQL 方言"):
        compile_evidence_sql(DEFAULT, as_of=AS_OF, dialect="mysql")


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_evidence_sql_parses(dialect: str) -> None:
    sql = compile_evidence_sql(DEFAULT, as_of=AS_OF, dialect=dialect)
    tree = sqlglot.parse_one(sql, read=dialect)
    assert isinstance(tree, exp.Select)
    codes = [i.code for i in DEFAULT.indicators if i.source == "records"]
    assert tree.named_selects == ["enterprise_id", "record_id", *[f"{c}__kept" for c in codes]]


def test_a_spec_without_indicators_still_scores_the_base() -> None:
    spec = replace(every_aggregate_spec(), dimensions=(), vetoes=(), caps=(), base_score=700)
    con = duckdb.connect()
    load_duckdb(con, {ENTERPRISES: frame_from_rows(ENTERPRISES, [{"enterprise_id": 3}])})
    rows = con.execute(compile_sql(spec, as_of=AS_OF, pretty=False)).fetchall()
    assert rows == [(3, 700.0, 700, "B", "yellow")]


def test_golden_sql_of_the_every_aggregate_spec() -> None:
    sql = compile_sql(every_aggregate_spec(), as_of=AS_OF, dialect="duckdb") + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":  # pragma: no cover - regenerating by hand
        GOLDEN.write_text(sql, encoding="utf-8")
    assert sql == GOLDEN.read_text(encoding="utf-8"), "compiled SQL changed: review, then UPDATE_GOLDEN=1"


def test_non_finite_constants_are_refused() -> None:
    with pytest.raises(ValueError, match="无法写入 SQL"):
        num(float("inf"))


def test_evidence_of_a_spec_without_record_indicators_is_empty() -> None:
    spec = every_aggregate_spec()
    others = tuple(i for i in spec.indicators if i.source != "records")
    spec = replace(spec, dimensions=(Dimension("d", "d", others),))
    sql = compile_evidence_sql(spec, as_of=AS_OF, dialect="duckdb")
    con = duckdb.connect()
    load_duckdb(con, {})
    assert con.execute(sql).fetchall() == []
    assert "FALSE" in sql
