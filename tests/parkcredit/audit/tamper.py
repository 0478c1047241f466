"""Raw-SQL tampering behind the application's back, portable across SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db import connection

from parkcredit.audit.models import AuditChainHead, AuditEntry


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def execute(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def update_entry(seq: int, column: str, value: Any) -> None:
    assert column in {f.column for f in AuditEntry._meta.concrete_fields}
    col = connection.ops.quote_name(column)
    assert execute(f"UPDATE {_table(AuditEntry)} SET {col} = %s WHERE seq = %s", [value, seq]) == 1  # noqa: S608


def delete_entries(*, seq_from: int, seq_to: int) -> None:
    execute(f"DELETE FROM {_table(AuditEntry)} WHERE seq >= %s AND seq <= %s", [seq_from, seq_to])  # noqa: S608


def insert_entry(*, seq: int, at: Any, action: str, detail: str, prev_hash: str, entry_hash: str) -> None:
    execute(
        f"INSERT INTO {_table(AuditEntry)} "  # noqa: S608
        "(seq, at, actor_id, actor_label, action, object_type, object_id, ip, outcome, detail, "
        "prev_hash, entry_hash) VALUES (%s, %s, NULL, %s, %s, '', '', NULL, %s, %s, %s, %s)",
        [seq, at, "system", action, "success", detail, prev_hash, entry_hash],
    )


def update_head(**columns: Any) -> None:
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    execute(f"UPDATE {_table(AuditChainHead)} SET {assignments} WHERE id = 1", list(columns.values()))  # noqa: S608


def delete_head() -> None:
    execute(f"DELETE FROM {_table(AuditChainHead)} WHERE id = 1", [])  # noqa: S608
