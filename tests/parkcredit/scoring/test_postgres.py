"""In-database scoring on PostgreSQL agrees with the DuckDB path (skipped on SQLite)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from parkcredit.scoring.extract import ledger_extract
from parkcredit.scoring.pg import score_in_postgres, view_statements
from parkcredit.scoring.scorer import score_inputs, spec_cached
from tests.parkcredit.scoring.conftest import AS_OF, add_event, add_record

pytestmark = pytest.mark.django_db

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def test_view_text_quotes_dates() -> None:
    statements = view_statements(date(2026, 6, 30))
    assert len(statements) == 4
    assert all("DATE '2026-06-30'" in s for s in statements if "ledger_tags" not in s)
    assert "TIMESTAMPTZ '2026-06-30T23:59:59.999999+08:00'" in statements[2]


def test_refused_off_postgres(published: Any) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("runs in PostgreSQL here")
    with pytest.raises(RuntimeError):
        score_in_postgres(spec_cached(published.spec_yaml), as_of=AS_OF)


@on_postgres
def test_postgres_agrees_with_duckdb(published: Any, park: dict[str, Any], ent_a: Any) -> None:
    disputed = add_record(ent_a, decided_on=date(2026, 2, 1))
    add_event(disputed, "disputed", date(2026, 3, 1))
    repaired = add_record(ent_a, decided_on=date(2026, 2, 2))
    add_event(repaired, "repaired", date(2026, 7, 1))
    add_record(
        ent_a, "tax-credit-grade", decided_on=date(2026, 4, 20), severity="", payload={"纳税信用等级": "C"}
    )
    add_record(ent_a, decided_on=date(2026, 6, 1), entered=date(2026, 8, 1))
    spec = spec_cached(published.spec_yaml)
    for as_of in (date(2026, 2, 15), AS_OF, date(2026, 7, 2)):
        inputs = ledger_extract(as_of=as_of)
        duck, _ = score_inputs(spec, inputs, engine="duckdb")
        pg, used = score_inputs(spec, inputs, engine="postgres")
        assert used == "postgres"
        assert pg == duck


@on_postgres
def test_full_run_in_database(published: Any, park: dict[str, Any]) -> None:
    from parkcredit.scoring.services import scoring_run_create, scoring_run_execute

    duck = scoring_run_execute(run=scoring_run_create(actor=None, as_of=AS_OF), engine="duckdb")
    pg = scoring_run_execute(run=scoring_run_create(actor=None, as_of=AS_OF), engine="postgres")
    assert pg.counts["engine"] == "postgres"
    assert pg.fingerprint == duck.fingerprint
    assert {s.enterprise_id: s.score for s in pg.scores.all()} == {
        s.enterprise_id: s.score for s in duck.scores.all()
    }
