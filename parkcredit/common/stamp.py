"""Database stamps: everything a cached public page shows from the database, in one row.

A stamp is the key a page cache (`parkcredit.common.pagecache`) trusts, so it must change whenever
anything the page shows changes, whoever writes it and however: services, the bulk import's raw
SQL and COPY, the admin, another process. It therefore reads the tables themselves rather than
relying on writers to announce changes, in ONE indexed query per request.

A page's stamp query is assembled from parts. Each part is a scalar SQL expression (usually a
correlated subquery on an enterprise id) written by the app whose data it covers, in that app's
selectors, next to the invariants it relies on (records only ever appended, one current score per
enterprise, ...). `StampSql` gives the parts the table and column names from the models and the few
vendor differences; `StampQuery` builds a page's query once per database vendor and runs it.

Aliases inside a part start with the part's own prefix (`rec_`, `cmt_`, ...), so that they never
shadow the outer query's aliases that the part is correlated with.
"""

# Table and column names in the raw SQL below come from the models, never from input.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

__all__ = ["Part", "StampQuery", "StampSql"]


@dataclass(frozen=True)
class Part:
    """One column of a stamp: a scalar SQL expression and its parameters, in order."""

    sql: str
    params: tuple[Any, ...] = ()


class StampSql:
    """Names and vendor differences for writing stamp parts on one database vendor."""

    def __init__(self, vendor: str, quote: Callable[[str], str]) -> None:
        self.vendor = vendor
        self.quote = quote

    def table(self, model: Any) -> str:
        return self.quote(model._meta.db_table)

    def column(self, model: Any, name: str) -> str:
        return self.quote(model._meta.get_field(name).column)

    @staticmethod
    def literal(value: str | bool) -> str:
        """A constant of the code (a choice's value, a flag) written into the SQL, never input.

        Constants are written, not bound: a condition such as `state = 'published'` or
        `is_current = TRUE` can then use the partial indexes made for it. With a bound value
        SQLite re-prepares the statement on every execution to decide that again (several times
        the query's cost), and PostgreSQL's generic plans cannot use such indexes at all.
        """
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        return "'" + str(value).replace("'", "''") + "'"

    @staticmethod
    def text(expression: str) -> str:
        """A number, date, time or boolean `expression` as text, NULL as the empty string (so it can
        be concatenated). Not for text columns: the cast would cut PostgreSQL text to 40 characters."""
        return f"COALESCE(CAST({expression} AS VARCHAR(40)), '')"

    @classmethod
    def string(cls, expression: str) -> str:
        """A text `expression` whole, preceded by its length, so that no two different values of
        several joined fields read the same (and a change past any length is seen)."""
        return f"{cls.text(f'LENGTH({expression})')} || ':' || COALESCE({expression}, '')"

    def tally(self, rows: str, ident: str, params: tuple[Any, ...] = ()) -> Part:
        """Count and highest `ident` of `rows` (a FROM … WHERE … clause), for rows that are only
        ever added: their number catches a row that commits late with a lower id, their highest id
        a removal followed by an insert."""
        return Part(
            f"(SELECT {self.text('COUNT(*)')} || ':' || {self.text(f'MAX({ident})')} FROM {rows})", params
        )

    def row(self, rows: str, fields: Sequence[str], params: tuple[Any, ...] = ()) -> Part:
        """The `fields` of the one row of `rows` (a FROM … WHERE … clause that a constraint keeps
        to one row at most) joined into one text; NULL without a row. See `rows` for the fields."""
        shown = " || '|' || ".join(fields)
        return Part(f"(SELECT {shown} FROM {rows})", params)

    def rows(self, rows: str, fields: Sequence[str], order: str, params: tuple[Any, ...] = ()) -> Part:
        """The `fields` of every row of `rows` (a FROM … WHERE … clause) joined into one text, in
        `order`: for rows that change in place, whose shown fields are therefore read themselves.
        Each field is an expression already made text by `text` or `string`."""
        shown = " || '|' || ".join(fields)
        if self.vendor == "postgresql":
            return Part(f"(SELECT string_agg({shown}, ',' ORDER BY {order}) FROM {rows})", params)
        # SQLite's group_concat takes no ORDER BY before 3.44: it follows the ordered subquery.
        return Part(
            f"(SELECT group_concat(stamp_row, ',') FROM (SELECT {shown} AS stamp_row FROM {rows} "
            f"ORDER BY {order}))",
            params,
        )

    @staticmethod
    def select(parts: Iterable[Part]) -> tuple[str, tuple[Any, ...]]:
        """The parts as a select list and their parameters, in order."""
        parts = list(parts)
        return ", ".join(part.sql for part in parts), tuple(p for part in parts for p in part.params)


class StampQuery:
    """A stamp query, built by `build` once per database vendor and run with per-request parameters.

    `build(sql)` returns the SQL and its leading (fixed) parameters; `read(*params)` appends the
    request's parameters (the page's key: a token, a USCC) and returns the row, or None.
    """

    def __init__(self, build: Callable[[StampSql], tuple[str, tuple[Any, ...]]]) -> None:
        self._build = build
        self._built: dict[str, tuple[str, tuple[Any, ...]]] = {}

    def sql(self) -> tuple[str, tuple[Any, ...]]:
        """The query and its leading parameters on the current connection's vendor."""
        built = self._built.get(connection.vendor)
        if built is None:
            built = self._built[connection.vendor] = self._build(
                StampSql(connection.vendor, connection.ops.quote_name)
            )
        return built

    def read(self, *params: Any) -> tuple[Any, ...] | None:
        sql, leading = self.sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, [*leading, *params])
            row = cursor.fetchone()
        return tuple(row) if row is not None else None
