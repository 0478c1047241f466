"""User management by the system administrator (三员分立, CES1-05…08)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from parkcredit.accounts.models import Organisation, OrganisationKind, Role, User
from parkcredit.accounts.services import (
    LoginRefused,
    login_attempt,
    user_create,
    user_set_active,
    user_update_role,
)
from parkcredit.audit.models import AuditEntry
from tests import factories as f
from tests.parkcredit.accounts.conftest import login_request

GOOD = "Start#Pass2026"


def create(actor: User, **overrides: Any) -> User:
    fields: dict[str, Any] = {
        "username": "new_staff",
        "full_name": "孙科员",
        "role": Role.DEPT_STAFF,
        "organisation": f.department("ghjsb"),
        "password": GOOD,
    }
    fields.update(overrides)
    return user_create(actor=actor, **fields)


def test_system_admin_creates_a_user_with_an_initial_password(system_admin: User) -> None:
    user = create(system_admin, username="  new_staff ")
    assert (user.username, user.role, user.organisation.code) == ("new_staff", Role.DEPT_STAFF, "ghjsb")
    assert user.check_password(GOOD)
    assert user.password_changed_at is None  # must choose their own at first login
    entry = AuditEntry.objects.get(action="user.created")
    assert entry.actor_id == system_admin.pk
    assert entry.detail == {"username": "new_staff", "role": "dept_staff", "organisation": "规划建设部"}
    assert GOOD not in str(entry.detail)


def test_bank_and_enterprise_roles_need_their_own_organisation_kind(system_admin: User, ent_a: Any) -> None:
    bank = f.make_organisation(OrganisationKind.BANK, name="县农商银行")
    assert create(system_admin, username="b1", role=Role.BANK, organisation=bank).organisation == bank
    with pytest.raises(ValidationError) as exc:
        create(system_admin, username="e1", role=Role.ENTERPRISE, organisation=f.department("jjfzb"))
    message = exc.value.message_dict["organisation"][0]
    assert "企业用户" in message and "经济发展部" in message and "园区部门" in message
    with pytest.raises(ValidationError) as exc:
        create(system_admin, username="p1", role=Role.PARK_ADMIN, organisation=bank)
    assert "金融机构" in exc.value.message_dict["organisation"][0]
    assert not User.objects.filter(username__in=["e1", "p1"]).exists()
    assert AuditEntry.objects.filter(action="user.created").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"username": " "}, "username", "请填写用户名"),
        ({"username": "system_admin"}, "username", "已被使用"),
        ({"role": "wizard"}, "role", "wizard"),
        ({"organisation": None}, "organisation", "请选择所属组织"),
        ({"password": "abcdefghij"}, "password", "大写字母"),
        ({"username": "bad name!"}, "username", ""),
    ],
)
def test_bad_input_names_the_field(
    system_admin: User, overrides: dict[str, Any], field: str, text: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        create(system_admin, **overrides)
    assert text in " ".join(exc.value.message_dict[field])
    assert not AuditEntry.objects.filter(action="user.created").exists()


@pytest.mark.parametrize("who", ["security_admin", "auditor", "park_admin", "ent_a_user"])
def test_only_the_system_admin_creates_users(who: str, request: pytest.FixtureRequest, db: Any) -> None:
    with pytest.raises(PermissionDenied):
        create(request.getfixturevalue(who))
    with pytest.raises(PermissionDenied):
        create(None)  # type: ignore[arg-type]


def test_role_change_is_checked_and_audited(system_admin: User, dept_staff: User) -> None:
    user_update_role(
        actor=system_admin, user=dept_staff, role=Role.INSPECTOR, organisation=f.department("ghjsb")
    )
    dept_staff.refresh_from_db()
    assert dept_staff.role == Role.INSPECTOR
    entry = AuditEntry.objects.get(action="user.role_changed")
    assert entry.detail["before"] == {"role": "dept_staff", "organisation": "财政金融部"}
    assert entry.detail["after"] == {"role": "inspector", "organisation": "规划建设部"}
    bank = f.make_organisation(OrganisationKind.BANK)
    with pytest.raises(ValidationError):
        user_update_role(actor=system_admin, user=dept_staff, role=Role.INSPECTOR, organisation=bank)
    dept_staff.refresh_from_db()
    assert dept_staff.organisation.code == "ghjsb"


def test_system_admin_cannot_change_own_role(system_admin: User) -> None:
    # Otherwise they could turn themselves into the auditor of their own grants.
    with pytest.raises(PermissionDenied):
        user_update_role(
            actor=system_admin, user=system_admin, role=Role.AUDITOR, organisation=f.department("zhb")
        )


@pytest.mark.parametrize("who", ["security_admin", "auditor", "park_admin"])
def test_only_the_system_admin_changes_roles(
    who: str, dept_staff: User, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(PermissionDenied):
        user_update_role(
            actor=request.getfixturevalue(who),
            user=dept_staff,
            role=Role.PARK_ADMIN,
            organisation=f.department("zhb"),
        )


def test_deactivated_user_cannot_sign_in(system_admin: User, dept_staff: User) -> None:
    user_set_active(actor=system_admin, user=dept_staff, active=False)
    with pytest.raises(LoginRefused, match="用户名或密码错误"):
        login_attempt(request=login_request(), username="dept_staff", password=f.PASSWORD)
    user_set_active(actor=system_admin, user=dept_staff, active=True)
    assert (
        login_attempt(request=login_request("10.0.0.2"), username="dept_staff", password=f.PASSWORD)
        == dept_staff
    )
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="user.").order_by("seq")] == [
        "user.deactivated",
        "user.activated",
    ]


def test_deactivation_ends_open_sessions(client: Client, system_admin: User, dept_staff: User) -> None:
    client.force_login(dept_staff)
    assert client.get(reverse("accounts:password_change")).status_code == 200
    user_set_active(actor=system_admin, user=dept_staff, active=False)
    assert client.get(reverse("accounts:password_change")).status_code == 302


def test_cannot_deactivate_self_and_only_system_admin_may(system_admin: User, security_admin: User) -> None:
    with pytest.raises(PermissionDenied):
        user_set_active(actor=system_admin, user=system_admin, active=False)
    with pytest.raises(PermissionDenied):
        user_set_active(actor=security_admin, user=system_admin, active=False)


# --- the pages ----------------------------------------------------------------------------------


def test_users_page_lists_accounts(login: Any, dept_staff: User) -> None:
    body = login("system_admin").get(reverse("accounts:users")).content.decode()
    assert "dept_staff" in body and "财政金融部" in body and "部门工作人员" in body


def test_create_page_creates_and_redirects(login: Any) -> None:
    client = login("system_admin")
    org = Organisation.objects.get(code="czjrb")
    data = {
        "username": "zhou",
        "full_name": "周科员",
        "role": Role.DEPT_STAFF,
        "organisation": org.pk,
        "password": GOOD,
        "password2": GOOD,
    }
    response = client.post(reverse("accounts:user_create"), data)
    assert response["Location"] == reverse("accounts:users")
    assert User.objects.get(username="zhou").organisation == org


def test_create_page_shows_service_and_form_errors(login: Any) -> None:
    client = login("system_admin")
    data = {
        "username": "zhou",
        "full_name": "周科员",
        "role": Role.ENTERPRISE,
        "organisation": Organisation.objects.get(code="czjrb").pk,
        "password": GOOD,
        "password2": GOOD + "x",
    }
    body = client.post(reverse("accounts:user_create"), data).content.decode()
    assert "两次输入的密码不一致" in body
    data["password2"] = GOOD
    body = client.post(reverse("accounts:user_create"), data).content.decode()
    assert "只能属于" in body
    assert not User.objects.filter(username="zhou").exists()


def test_role_page_changes_the_role(login: Any, dept_staff: User) -> None:
    client = login("system_admin")
    url = reverse("accounts:user_role", args=[dept_staff.pk])
    assert "财政金融部" in client.get(url).content.decode()
    org = Organisation.objects.get(code="jjfzb")
    response = client.post(url, {"role": Role.PARK_ADMIN, "organisation": org.pk})
    assert response.status_code == 302
    dept_staff.refresh_from_db()
    assert (dept_staff.role, dept_staff.organisation) == (Role.PARK_ADMIN, org)
    bank = f.make_organisation(OrganisationKind.BANK)
    assert "只能属于" in client.post(url, {"role": Role.PARK_ADMIN, "organisation": bank.pk}).content.decode()


def test_role_page_for_a_missing_user_is_404(login: Any) -> None:
    assert login("system_admin").get(reverse("accounts:user_role", args=[999999])).status_code == 404


def test_active_toggle_page(login: Any, dept_staff: User) -> None:
    client = login("system_admin")
    url = reverse("accounts:user_active", args=[dept_staff.pk])
    client.post(url, {"active": "0"})
    dept_staff.refresh_from_db()
    assert not dept_staff.is_active
    client.post(url, {"active": "1"})
    dept_staff.refresh_from_db()
    assert dept_staff.is_active
