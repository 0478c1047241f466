"""Permission-matrix rows for enterprise codes: the verification page is public; the code pages
and downloads belong to park staff and the enterprise's own users (banks, even with consent, get
404); issuing and revoking are for archive editors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import CAST
from tests.parkcredit.matrix_support import EDITORS, PARK, Row, World, everyone


def _enterprise(role: str, w: World, own: bool) -> Any:
    mine = w.ent_b if role == "ent_b_user" else w.ent_a
    theirs = w.ent_a if role == "ent_b_user" else w.ent_b
    return mine if own else theirs


def by_enterprise_with_code(own: bool) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        from tests.parkcredit.codes.support import issued_code

        return {"pk": issued_code(_enterprise(role, w, own)).enterprise_id}

    return kwargs


def by_token(own: bool) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        from tests.parkcredit.codes.support import issued_code

        return {"token": issued_code(_enterprise(role, w, own)).token}

    return kwargs


def _own_or_park(allowed: int, *, editors_only: bool = False) -> dict[str, tuple[int, int]]:
    table: dict[str, tuple[int, int]] = {role: (404, 404) for role in CAST}
    for role in PARK:
        table[role] = (allowed, allowed) if not editors_only or role in EDITORS else (403, 403)
    for role in ("ent_a_user", "ent_b_user"):
        table[role] = (403, 404) if editors_only else (allowed, 404)
    table["anon"] = (302, 302)
    return table


OWN_OR_PARK = _own_or_park(200)
EDITOR_ACTION = _own_or_park(302, editors_only=True)

ROWS: tuple[Row, ...] = (
    Row("codes:public", "get", everyone(200, anon=200), by_token(True), by_token(False)),
    Row("codes:manage", "get", OWN_OR_PARK, by_enterprise_with_code(True), by_enterprise_with_code(False)),
    Row("codes:qr_svg", "get", OWN_OR_PARK, by_enterprise_with_code(True), by_enterprise_with_code(False)),
    Row("codes:qr_png", "get", OWN_OR_PARK, by_enterprise_with_code(True), by_enterprise_with_code(False)),
    Row("codes:plaque", "get", OWN_OR_PARK, by_enterprise_with_code(True), by_enterprise_with_code(False)),
    Row("codes:issue", "post", EDITOR_ACTION, by_enterprise_with_code(True), by_enterprise_with_code(False)),
    Row("codes:revoke", "post", EDITOR_ACTION, by_enterprise_with_code(True), by_enterprise_with_code(False)),
)
