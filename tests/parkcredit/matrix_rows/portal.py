"""Permission-matrix rows for the portal: public pages open to everyone (anonymous included),
red/black list editing for park admins and department staff (publishing for admins only), and
the self-service dashboard for enterprise users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.parkcredit.matrix_support import EDITORS, Row, World, by_uscc, everyone, only


def _list(w: World, *, published: bool, with_entry: bool = False) -> Any:
    from parkcredit.portal import services

    admin = w.users["park_admin"]
    made = services.list_create(actor=admin, kind="red", title="矩阵名单", period="2026年")
    if with_entry or published:
        services.list_entry_add(actor=admin, published_list=made, uscc=w.ent_a.uscc, reason="矩阵")
    if published:
        services.list_publish(actor=admin, published_list=made)
    return made


def by_list(*, published: bool) -> Callable[[str, World], dict[str, Any]]:
    def kwargs(role: str, w: World) -> dict[str, Any]:
        return {"pk": _list(w, published=published).pk}

    return kwargs


def by_entry(role: str, w: World) -> dict[str, Any]:
    made = _list(w, published=False, with_entry=True)
    return {"pk": made.pk, "entry_pk": made.entries.get().pk}


PUBLIC = everyone(200, anon=200)

ROWS: tuple[Row, ...] = (
    Row("portal:home", "get", PUBLIC),
    Row("portal:enterprise", "get", PUBLIC, by_uscc(True), by_uscc(False)),
    Row("portal:grades", "get", PUBLIC),
    Row("portal:lists", "get", PUBLIC),
    Row("portal:list", "get", PUBLIC, by_list(published=True), by_list(published=True)),
    Row("portal:manage", "get", only(EDITORS)),
    Row("portal:manage_create", "get", only(EDITORS)),
    Row("portal:manage_detail", "get", only(EDITORS), by_list(published=False), by_list(published=False)),
    # Empty POSTs: editors are sent back to the list with the error in a message.
    Row(
        "portal:entry_add",
        "post",
        only(EDITORS, allowed=302),
        by_list(published=False),
        by_list(published=False),
    ),
    Row("portal:entry_remove", "post", only(EDITORS, allowed=302), by_entry, by_entry),
    Row(
        "portal:suggest",
        "post",
        only(EDITORS, allowed=302),
        by_list(published=False),
        by_list(published=False),
    ),
    Row(
        "portal:publish",
        "post",
        only({"park_admin"}, allowed=302),
        by_list(published=False),
        by_list(published=False),
    ),
    Row(
        "portal:withdraw",
        "post",
        only({"park_admin"}, allowed=302),
        by_list(published=True),
        by_list(published=True),
    ),
    Row("portal:mine", "get", only({"ent_a_user", "ent_b_user"})),
)
