"""The public page's database stamp: everything `/c/<token>` shows from the database, in one row.

`code_page_stamp(token)` is the key the page cache (`parkcredit.codes.pagecache`) trusts, so it
must change whenever anything the page shows changes, whoever writes it and however: services,
the bulk import's raw SQL and COPY, the admin, another process. It therefore reads the tables
themselves rather than relying on writers to announce changes (see `parkcredit.common.stamp`).
The public disclosure block it shares with the portal's enterprise page brings its own parts
(`parkcredit.portal.selectors.disclosure_stamp`).
"""

# Table and column names in the raw SQL below come from the models, never from input.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from parkcredit.codes.models import EnterpriseCode
from parkcredit.common.stamp import Part, StampQuery, StampSql
from parkcredit.enterprises.models import Enterprise

__all__ = ["code_page_stamp", "current_code_stamp"]


def current_code_stamp(sql: StampSql, enterprise: str) -> Part:
    """The id of the current code of `enterprise` (an SQL expression of its id): changes with every
    issue, re-issue and revocation. One current code at most (a constraint); a code's token, and
    with it the page it links to, never changes."""
    table = sql.table(EnterpriseCode)

    def field(name: str) -> str:
        return f"cod_cur.{sql.column(EnterpriseCode, name)}"

    return Part(
        f"(SELECT cod_cur.id FROM {table} cod_cur WHERE {field('enterprise')} = {enterprise} "
        f"AND {field('revoked_at')} IS NULL AND {field('superseded_at')} IS NULL)"
    )


def _build(sql: StampSql) -> tuple[str, tuple[Any, ...]]:
    """SQL and leading parameters of `code_page_stamp` (the token is the last parameter)."""
    from parkcredit.portal.selectors import disclosure_stamp

    owner = f"c.{sql.column(EnterpriseCode, 'enterprise')}"
    # The enterprise's current code: the "newer code" link of a superseded one. Then the records
    # in publicity and the public commitments (the block shared with the portal).
    select, params = sql.select([current_code_stamp(sql, owner), *disclosure_stamp(sql, owner)])
    return (
        f"SELECT c.id, c.serial, c.revoked_at, c.superseded_at, e.uscc, e.name, {select} "
        f"FROM {sql.table(EnterpriseCode)} c JOIN {sql.table(Enterprise)} e ON e.id = {owner} "
        "WHERE c.token = %s",
        params,
    )


_query = StampQuery(_build)


def code_page_stamp(token: str) -> tuple[Any, ...] | None:
    """What the public page of `token` shows from the database, condensed into one row.

    One query, by the unique token and then by indexed enterprise ids: the code's state, the
    enterprise's name and USCC, its current code, and the parts of the public disclosure block
    (record events, commitments, approved rule sets, catalogue changes).
    Anything the page shows from the database changes this row (see docs/enterprise-code.md);
    None when no code holds the token.
    """
    if not token or len(token) > 200:
        return None
    return _query.read(token)
