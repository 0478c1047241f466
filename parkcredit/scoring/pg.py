"""Score inside PostgreSQL: temporary views shaped like the engine's ledger tables, then the SQL.

The compiled query reads ``ledger_enterprises``, ``ledger_tags``, ``ledger_records`` and
``ledger_observations`` (`creditcore.scoring.frames.SCHEMA`). Here those names are temporary
views over the Django tables, as of the scoring date, so the whole park is scored by the
database without moving a row to Python. A record's status as of the date is its last event up
to the end of that day: with the legal event sequences of `creditcore.ledger` the fold's result
depends on the last event alone (see `creditcore.scoring.frames.resolve_status`).

Only the dates are interpolated into the view text, from `date` objects; table names are quoted
by the database backend. Everything else is fixed text.
"""

# The view texts interpolate only ISO dates and backend-quoted table names (see above).
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import connection, transaction

from creditcore.scoring.spec import ModelSpec
from parkcredit.enterprises.models import Enterprise, EnterpriseTag
from parkcredit.records.models import CreditRecord, Observation, RecordEvent, RecordKind
from parkcredit.scoring.extract import EARLIEST, RESULT_FIELDS, end_of_day

VIEW_NAMES = ("ledger_enterprises", "ledger_tags", "ledger_records", "ledger_observations")


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def view_statements(as_of: date) -> list[str]:
    """CREATE TEMP VIEW statements of the four ledger tables as of `as_of` (PostgreSQL)."""
    day = f"DATE {_literal(as_of.isoformat())}"
    moment = f"TIMESTAMPTZ {_literal(end_of_day(as_of).isoformat())}"
    result_cases = " ".join(
        f"WHEN {_literal(kind)} THEN r.payload ->> {_literal(field)}" for kind, field in RESULT_FIELDS.items()
    )
    enterprises = f"""
        SELECT e.id::BIGINT AS enterprise_id, e.founded_on, e.in_park,
               CASE WHEN e.park_entry_on <= {day} THEN e.park_entry_on END AS park_entry_on,
               e.registered_capital::DOUBLE PRECISION AS registered_capital, e.size::TEXT AS size
        FROM {_table(Enterprise)} e
        WHERE e.in_park AND (e.founded_on IS NULL OR e.founded_on <= {day})"""
    tags = f"""
        SELECT t.enterprise_id::BIGINT AS enterprise_id, t.tag::TEXT AS tag,
               COALESCE(t.since, DATE {_literal(EARLIEST.isoformat())}) AS since, t.until
        FROM {_table(EnterpriseTag)} t
        WHERE t.since IS NULL OR t.since <= {day}"""
    records = f"""
        SELECT r.id::BIGINT AS record_id, r.enterprise_id::BIGINT AS enterprise_id,
               k.code::TEXT AS kind, k.polarity::TEXT AS polarity, r.severity::TEXT AS severity,
               r.decided_on, r.amount::DOUBLE PRECISION AS amount,
               CASE last.event_type
                   WHEN 'created' THEN 'active' WHEN 'disputed' THEN 'active'
                   WHEN 'dispute_rejected' THEN 'active' WHEN 'dispute_upheld' THEN 'revoked'
                   WHEN 'corrected' THEN 'superseded' ELSE last.event_type END::TEXT AS status_as_of,
               (last.event_type = 'disputed') AS disputed,
               COALESCE(CASE k.code {result_cases} END, '')::TEXT AS result
        FROM {_table(CreditRecord)} r
        JOIN {_table(RecordKind)} k ON k.id = r.kind_id
        JOIN (
            SELECT DISTINCT ON (ev.record_id) ev.record_id, ev.event_type
            FROM {_table(RecordEvent)} ev
            WHERE ev.at <= {moment}
            ORDER BY ev.record_id, ev.at DESC, ev.id DESC
        ) last ON last.record_id = r.id
        WHERE r.decided_on <= {day}"""
    observations = f"""
        SELECT o.enterprise_id::BIGINT AS enterprise_id, o.metric::TEXT AS metric, o.period,
               o.value::DOUBLE PRECISION AS value, o.due_on,
               CASE WHEN o.settled_on <= {day} THEN o.settled_on END AS settled_on
        FROM {_table(Observation)} o
        WHERE o.period <= {day}"""
    bodies = (enterprises, tags, records, observations)
    return [
        f"CREATE OR REPLACE TEMP VIEW {name} AS {body}" for name, body in zip(VIEW_NAMES, bodies, strict=True)
    ]


def score_in_postgres(
    spec: ModelSpec, *, as_of: date, enterprise_ids: Sequence[int] | None = None, evidence: bool = True
) -> list[Any]:
    """Score the park in the database with the compiled PostgreSQL SQL (PostgreSQL only)."""
    from creditcore.scoring.engine import score_postgres

    if not is_postgres():
        raise RuntimeError("数据库不是 PostgreSQL,不能在库内评分")
    with transaction.atomic():
        with connection.cursor() as cursor:
            for statement in view_statements(as_of):
                cursor.execute(statement)
        try:
            return list(
                score_postgres(spec, connection, as_of, evidence=evidence, enterprise_ids=enterprise_ids)
            )
        finally:
            with connection.cursor() as cursor:
                for name in VIEW_NAMES:
                    cursor.execute(f"DROP VIEW IF EXISTS {name}")
