"""The public page's database stamp: everything `/c/<token>` shows from the database, in one row.

`code_page_stamp(token)` is the key the page cache (`parkcredit.codes.pagecache`) trusts, so it
must change whenever anything the page shows changes, whoever writes it and however: services,
the bulk import's raw SQL and COPY, the admin, another process. It therefore reads the tables
themselves rather than relying on writers to announce changes.
"""

# Table and column names in the raw SQL below come from the models, never from input.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

from parkcredit.codes.models import EnterpriseCode
from parkcredit.enterprises.models import Enterprise

__all__ = ["code_page_stamp"]


# The stamp query, built once per database vendor (table names come from the models).
_stamp_sql: dict[str, tuple[str, tuple[Any, ...]]] = {}


def _stamp_sql_build(vendor: str, quote: Callable[[str], str]) -> tuple[str, tuple[Any, ...]]:
    """SQL and leading parameters of `code_page_stamp` (the token is the last parameter)."""
    from parkcredit.audit.models import AuditEntry
    from parkcredit.commitments.models import Commitment
    from parkcredit.records.models import CreditRecord, RecordEvent, RecordKind
    from parkcredit.repair.models import RepairRuleSet, RuleSetState

    def table(model: Any) -> str:
        return quote(model._meta.db_table)

    def column(model: Any, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    def text(expression: str) -> str:
        return f"COALESCE(CAST({expression} AS VARCHAR(40)), '')"

    def tally(rows: str, ident: str) -> str:
        # For rows that are only ever added: their number catches a row that commits late with a
        # lower id, their highest id a removal followed by an insert.
        return f"(SELECT {text('COUNT(*)')} || ':' || {text(f'MAX({ident})')} FROM {rows})"

    code, enterprise = table(EnterpriseCode), table(Enterprise)
    records, events, commitments = table(CreditRecord), table(RecordEvent), table(Commitment)
    code_enterprise = column(EnterpriseCode, "enterprise")
    # Commitments change in place (status, publicity), so their shown fields are read themselves.
    fields = ["m.number", "m.title", "m.scenario", "m.status", "m.breach_reason"]
    fields += [text(f"m.{name}") for name in ("id", "signed_at", "status_on", "valid_until", "is_public")]
    shown = " || '|' || ".join(fields)
    joined = (
        f"string_agg({shown}, ',' ORDER BY m.id)" if vendor == "postgresql" else f"group_concat({shown}, ',')"
    )
    sql = (
        "SELECT c.id, c.serial, c.revoked_at, c.superseded_at, e.uscc, e.name, "
        # The enterprise's current code: the "newer code" link of a superseded one.
        f"(SELECT cur.id FROM {code} cur WHERE cur.{code_enterprise} = c.{code_enterprise} "
        "AND cur.revoked_at IS NULL AND cur.superseded_at IS NULL), "
        # The events of its records. Records never change, and one is public only once its
        # CREATED event exists, so the events alone follow every record added, corrected,
        # revoked, repaired, disputed or ended.
        + tally(
            f"{events} v JOIN {records} r ON r.id = v.{column(RecordEvent, 'record')} "
            f"WHERE r.{column(CreditRecord, 'enterprise')} = c.{code_enterprise}",
            "v.id",
        )
        + ", "
        f"(SELECT {joined} FROM {commitments} m "
        f"WHERE m.{column(Commitment, 'enterprise')} = c.{code_enterprise}), "
        # Park-wide: approved repair rule sets (publicity windows) and catalogue changes (kind
        # names and polarity), which the admin and `catalogue_sync` always audit.
        + tally(f"{table(RepairRuleSet)} s WHERE s.{column(RepairRuleSet, 'state')} = %s", "s.id")
        + ", "
        + tally(f"{table(AuditEntry)} a WHERE a.{column(AuditEntry, 'object_type')} = %s", "a.id")
        + f" FROM {code} c JOIN {enterprise} e ON e.id = c.{code_enterprise} WHERE c.token = %s"
    )
    # `audit_log` names the object type by the model's label, as the admin and the sync pass it.
    return sql, (RuleSetState.APPROVED.value, RecordKind._meta.label_lower)


def code_page_stamp(token: str) -> tuple[Any, ...] | None:
    """What the public page of `token` shows from the database, condensed into one row.

    One query, by the unique token and then by indexed enterprise ids: the code's state, the
    enterprise's name and USCC, its current code, the count and highest id of its record events,
    the shown fields of its commitments, and the park-wide rule and catalogue changes.
    Anything the page shows from the database changes this row (see docs/enterprise-code.md);
    None when no code holds the token.
    """
    if not token or len(token) > 200:
        return None
    built = _stamp_sql.get(connection.vendor)
    if built is None:
        built = _stamp_sql[connection.vendor] = _stamp_sql_build(connection.vendor, connection.ops.quote_name)
    sql, params = built
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, token])
        row = cursor.fetchone()
    return tuple(row) if row is not None else None
