"""The named cast every Django test speaks in.

Roles: park_admin, dept_staff, inspector (park departments); ent_a_user and ent_b_user (two
enterprises); bank_user (a bank that enterprise A authorised) and bank_unauthorised_user (a bank
nobody authorised); system_admin, security_admin and auditor (三员分立); anon (not signed in).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from parkcredit.accounts.models import OrganisationKind, Role, User
from parkcredit.enterprises.models import Enterprise
from tests import factories as f


@pytest.fixture
def ent_a(db: Any) -> Enterprise:
    return f.make_enterprise("甲精密机械有限公司")


@pytest.fixture
def ent_b(db: Any) -> Enterprise:
    return f.make_enterprise("乙新材料科技有限公司")


@pytest.fixture
def park_admin(db: Any) -> User:
    return f.make_user(Role.PARK_ADMIN, f.department("jjfzb"), username="park_admin", full_name="王主任")


@pytest.fixture
def dept_staff(db: Any) -> User:
    return f.make_user(Role.DEPT_STAFF, f.department("czjrb"), username="dept_staff", full_name="李科员")


@pytest.fixture
def inspector(db: Any) -> User:
    return f.make_user(Role.INSPECTOR, f.department("ghjsb"), username="inspector", full_name="赵检查")


@pytest.fixture
def ent_a_user(ent_a: Enterprise) -> User:
    return f.enterprise_user(ent_a, username="ent_a_user")


@pytest.fixture
def ent_b_user(ent_b: Enterprise) -> User:
    return f.enterprise_user(ent_b, username="ent_b_user")


@pytest.fixture
def bank_user(ent_a: Enterprise) -> User:
    bank = f.make_organisation(OrganisationKind.BANK, name="县农商银行")
    f.grant_consent(ent_a, bank)
    return f.make_user(Role.BANK, bank, username="bank_user", full_name="钱经理")


@pytest.fixture
def bank_unauthorised_user(db: Any) -> User:
    bank = f.make_organisation(OrganisationKind.BANK, name="某城商银行")
    return f.make_user(Role.BANK, bank, username="bank_unauthorised_user")


@pytest.fixture
def system_admin(db: Any) -> User:
    return f.make_user(Role.SYSTEM_ADMIN, f.department("zhb"), username="system_admin", is_staff=True)


@pytest.fixture
def security_admin(db: Any) -> User:
    return f.make_user(Role.SECURITY_ADMIN, f.department("zhb"), username="security_admin")


@pytest.fixture
def auditor(db: Any) -> User:
    return f.make_user(Role.AUDITOR, f.department("zhb"), username="auditor")


CAST = (
    "park_admin",
    "dept_staff",
    "inspector",
    "ent_a_user",
    "ent_b_user",
    "bank_user",
    "bank_unauthorised_user",
    "system_admin",
    "security_admin",
    "auditor",
)


@pytest.fixture
def login(db: Any, client: Client, request: pytest.FixtureRequest) -> Any:
    """`login("park_admin")` signs the test client in as that member of the cast."""

    def _login(name: str) -> Client:
        if name == "anon":
            return client
        user: User = request.getfixturevalue(name)
        client.force_login(user)
        return client

    return _login


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests flush the database when they end, which would also wipe the rows that
    migrations seed (park departments, the record kind catalogue). Serialized rollback restores
    them, so test order never decides whether the catalogue exists."""
    for item in items:
        names = getattr(item, "fixturenames", [])
        if ("transactional_db" in names or "live_server" in names) and (
            "django_db_serialized_rollback" not in names
        ):
            names.append("django_db_serialized_rollback")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Each test starts with an empty cache: rolled-back rows reuse primary keys across tests."""
    from django.core.cache import cache

    cache.clear()
    yield
