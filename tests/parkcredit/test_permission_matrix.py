"""Role × object permission matrix over every URL of the platform.

Each row names a URL, how to call it and, for every member of the cast, the status for the
actor's OWN object and for ANOTHER's object (enterprise A is the own enterprise of ent_a_user and
the consented one of bank_user; enterprise B belongs to ent_b_user). A URL added without a row
here fails `test_every_url_is_in_the_matrix`, so access rules are decided, not inherited.

Status codes: 200 shown, 302 redirected (to login for anon, or after a POST), 403 the role may
not use the page at all, 404 the object is missing or not the actor's to see, 405 wrong method.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from parkcredit.accounts.models import Role
from tests import factories as f
from tests.conftest import CAST
from tests.parkcredit.matrix_rows import feature_rows
from tests.parkcredit.matrix_support import (
    ARCHIVE_OBJECT,
    EDITORS,
    PARK,
    ROLES,
    Row,
    World,
    by_batch,
    by_enterprise,
    by_job,
    by_record,
    by_sample,
    by_scoring_model,
    by_token,
    by_unmatched,
    by_uscc,
    by_user,
    everyone,
    only,
)


@pytest.fixture
def world(request: pytest.FixtureRequest, ent_a: Any, ent_b: Any) -> World:
    users = {name: request.getfixturevalue(name) for name in CAST}
    return World(
        users=users,
        ent_a=ent_a,
        ent_b=ent_b,
        record_a=f.make_record(ent_a),
        record_b=f.make_record(ent_b),
        bystander=f.make_user(Role.DEPT_STAFF, f.department("tzcjb"), username="bystander"),
    )


MATRIX: tuple[Row, ...] = (
    Row("dashboard:home", "get", everyone(200)),
    Row("accounts:login", "get", everyone(302, anon=200)),
    Row("accounts:logout", "post", everyone(302)),
    Row("accounts:password_change", "get", everyone(200)),
    Row("accounts:security", "get", only({"security_admin"})),
    Row("accounts:security_unlock", "post", only({"security_admin"}, allowed=302)),
    Row("accounts:users", "get", only({"system_admin"})),
    Row("accounts:user_create", "get", only({"system_admin"})),
    Row("accounts:user_role", "get", only({"system_admin"}), by_user(True), by_user(False)),
    Row("accounts:user_active", "post", only({"system_admin"}, allowed=302), by_user(False), by_user(False)),
    Row("accounts:tokens", "get", only({"park_admin", "system_admin"})),
    Row(
        "accounts:token_revoke",
        "post",
        {
            **only({"park_admin", "system_admin"}),
            # Through the web a token holder revokes only their own tokens.
            "park_admin": (302, 404),
            "system_admin": (302, 404),
        },
        by_token(True),
        by_token(False),
    ),
    Row("enterprises:list", "get", everyone(200)),
    Row("enterprises:create", "get", only(EDITORS)),
    Row("enterprises:mine", "get", everyone(404, ent_a_user=302, ent_b_user=302)),
    Row("enterprises:detail", "get", ARCHIVE_OBJECT, by_enterprise(True), by_enterprise(False)),
    Row(
        "enterprises:edit",
        "get",
        {
            role: (
                (200, 200)
                if role in EDITORS
                else (403, 403)
                if role == "inspector"
                else (403, 404)
                if status == (200, 404)
                else status
            )
            for role, status in ARCHIVE_OBJECT.items()
        },
        by_enterprise(True),
        by_enterprise(False),
    ),
    Row("records:detail", "get", ARCHIVE_OBJECT, by_record(True), by_record(False)),
    Row("records:import_upload", "get", only(EDITORS)),
    Row("records:import_profile", "get", only(EDITORS)),
    Row("records:sample", "get", only(PARK), by_sample, by_sample),
    Row("records:import_list", "get", only(PARK)),
    Row("records:import_detail", "get", only(PARK), by_batch(), by_batch()),
    Row("records:import_errors", "get", only(PARK), by_batch(error_file=True), by_batch(error_file=True)),
    Row("records:import_undo", "get", only({"park_admin"}), by_batch(), by_batch()),
    Row("records:unmatched_list", "get", only(EDITORS)),
    Row("records:unmatched_resolve", "get", only(EDITORS), by_unmatched, by_unmatched),
    Row("records:quality", "get", only(PARK)),
    Row("jobs:list", "get", everyone(200)),
    Row("jobs:selfcheck", "post", only({"park_admin", "system_admin"}, allowed=302)),
    Row(
        "jobs:detail",
        "get",
        {**{role: (200, 404) for role in CAST}, "park_admin": (200, 200), "anon": (302, 302)},
        by_job(True),
        by_job(False),
    ),
    Row("audit:list", "get", only({"auditor", "security_admin"})),
    Row("audit:verify", "post", only({"auditor", "security_admin"}, allowed=302)),
    Row("api-1.0.0:openapi-json", "get", everyone(200, anon=200)),
    Row("api-1.0.0:openapi-view", "get", everyone(200, anon=200)),
    Row("api-1.0.0:api-root", "get", everyone(404, anon=404)),
    Row("api-1.0.0:enterprises_list", "get", everyone(200, anon=401)),
    Row(
        "api-1.0.0:enterprise_detail",
        "get",
        {**ARCHIVE_OBJECT, "anon": (401, 401)},
        by_uscc(True),
        by_uscc(False),
    ),
    Row(
        "api-1.0.0:enterprise_records",
        "get",
        {**ARCHIVE_OBJECT, "anon": (401, 401)},
        by_uscc(True),
        by_uscc(False),
    ),
    # An empty POST: editors get past access control to the missing Idempotency-Key (422).
    Row("api-1.0.0:records_batch", "post", {**only(EDITORS, allowed=422), "anon": (401, 401)}),
    Row("set_language", "post", everyone(302, anon=302)),
    Row("scoring:overview", "get", only(PARK)),
    Row("scoring:runs", "get", only(PARK)),
    Row(
        "scoring:run_start",
        "post",
        only(EDITORS, allowed=302),
        by_scoring_model("published", with_pk=False),
        by_scoring_model("published", with_pk=False),
    ),
    Row("scoring:models", "get", only(PARK)),
    Row(
        "scoring:model_detail",
        "get",
        only(PARK),
        by_scoring_model("published"),
        by_scoring_model("published"),
    ),
    # Without an "action" field the editors are sent back with an explanation.
    Row(
        "scoring:model_action",
        "post",
        only(EDITORS, allowed=302),
        by_scoring_model("draft"),
        by_scoring_model("draft"),
    ),
    Row("scoring:whatif", "get", only(EDITORS), by_scoring_model("draft"), by_scoring_model("draft")),
    *feature_rows(),
)

# URL namespaces left out of the matrix, with the reason.
EXEMPT_NAMESPACES = {"admin"}  # Django's admin: is_staff only, covered by each app's admin tests


def _all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or ""
                if ns in EXEMPT_NAMESPACES:
                    continue
                walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_is_in_the_matrix() -> None:
    assert _all_url_names() == {row.url_name for row in MATRIX}


def test_every_role_is_in_every_row() -> None:
    for row in MATRIX:
        assert set(row.expected) == set(ROLES), row.url_name


CASES = [
    pytest.param(row, role, own, id=f"{row.url_name}-{role}-{'own' if own else 'other'}")
    for row in MATRIX
    for role in ROLES
    for own in ((True, False) if row.own else (True,))
]


@pytest.mark.parametrize(("row", "role", "own"), CASES)
def test_permission(row: Row, role: str, own: bool, world: World, client: Client) -> None:
    if role != "anon":
        client.force_login(world.users[role])
    builder = row.own if own else row.other
    url = reverse(row.url_name, kwargs=builder(role, world) if builder else None)
    response = getattr(client, row.method)(url)
    expected = row.expected[role][0 if own else 1]
    assert response.status_code == expected, f"{row.method.upper()} {url} as {role}"
