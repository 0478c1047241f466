"""Changes through the Django admin are audited and keep roles consistent."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from parkcredit.accounts.models import Organisation, OrganisationKind, Role, User
from parkcredit.audit.models import AuditEntry
from tests import factories as f


@pytest.fixture
def admin_client(client: Client, db: Any) -> Client:
    root = f.make_user(
        Role.SYSTEM_ADMIN, f.department("zhb"), username="root", is_staff=True, is_superuser=True
    )
    client.force_login(root)
    return client


def test_organisation_create_change_delete_are_audited(admin_client: Client) -> None:
    add = reverse("admin:accounts_organisation_add")
    data = {"name": "某村镇银行", "kind": OrganisationKind.BANK, "code": "czyh", "enterprise": ""}
    assert admin_client.post(add, data).status_code == 302
    org = Organisation.objects.get(code="czyh")
    change = reverse("admin:accounts_organisation_change", args=[org.pk])
    assert admin_client.post(change, {**data, "name": "某村镇银行股份"}).status_code == 302
    delete = reverse("admin:accounts_organisation_delete", args=[org.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    entries = list(AuditEntry.objects.filter(object_type="accounts.organisation").order_by("seq"))
    assert [e.action for e in entries] == [
        "organisation.created",
        "organisation.updated",
        "organisation.deleted",
    ]
    assert entries[1].detail["changed"] == ["name"]
    assert all(e.detail["via"] == "admin" and e.actor_label == "root" for e in entries)


def test_bulk_delete_is_audited_per_object(admin_client: Client) -> None:
    a = f.make_organisation(OrganisationKind.BANK)
    b = f.make_organisation(OrganisationKind.BANK)
    changelist = reverse("admin:accounts_organisation_changelist")
    admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [a.pk, b.pk], "post": "yes"}
    )
    assert not Organisation.objects.filter(pk__in=[a.pk, b.pk]).exists()
    assert AuditEntry.objects.filter(action="organisation.deleted").count() == 2


def user_form(user: User, **overrides: Any) -> dict[str, Any]:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": "",
        "role": user.role,
        "organisation": user.organisation_id,
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }
    data.update(overrides)
    return data


def test_admin_role_change_is_checked_and_audited(admin_client: Client, dept_staff: User) -> None:
    url = reverse("admin:accounts_user_change", args=[dept_staff.pk])
    bank = f.make_organisation(OrganisationKind.BANK)
    response = admin_client.post(url, user_form(dept_staff, organisation=bank.pk))
    assert response.status_code == 200
    assert "只能属于" in response.content.decode()
    response = admin_client.post(url, user_form(dept_staff, role=Role.INSPECTOR))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="user.role_changed")
    assert entry.detail["role"] == "inspector" and entry.detail["via"] == "admin"


def test_admin_plain_change_is_audited_as_update(admin_client: Client, dept_staff: User) -> None:
    url = reverse("admin:accounts_user_change", args=[dept_staff.pk])
    assert admin_client.post(url, user_form(dept_staff, full_name="李科长")).status_code == 302
    assert AuditEntry.objects.get(action="user.updated").detail["changed"] == ["full_name"]


def test_admin_add_user_checks_role_and_is_audited(admin_client: Client, ent_a: Any) -> None:
    url = reverse("admin:accounts_user_add")
    data = {
        "username": "wu",
        "full_name": "吴",
        "role": Role.ENTERPRISE,
        "organisation": f.department("jjfzb").pk,
        "usable_password": "true",
        "password1": "Start#Pass2026",
        "password2": "Start#Pass2026",
    }
    assert "只能属于" in admin_client.post(url, data).content.decode()
    data.update(role=Role.DEPT_STAFF)
    assert admin_client.post(url, data).status_code == 302
    assert User.objects.get(username="wu").password_changed_at is None
    assert AuditEntry.objects.get(action="user.created").detail["via"] == "admin"


def test_admin_password_reset_forces_a_change_and_is_audited(admin_client: Client, dept_staff: User) -> None:
    url = reverse("admin:auth_user_password_change", args=[dept_staff.pk])
    data = {"password1": "Reset#Pass2026", "password2": "Reset#Pass2026", "usable_password": "true"}
    assert admin_client.post(url, data).status_code == 302
    dept_staff.refresh_from_db()
    assert dept_staff.check_password("Reset#Pass2026") and dept_staff.password_changed_at is None
    entry = AuditEntry.objects.get(action="auth.password_reset")
    assert entry.object_id == str(dept_staff.pk)


def test_admin_password_form_errors_write_nothing(admin_client: Client, dept_staff: User) -> None:
    url = reverse("admin:auth_user_password_change", args=[dept_staff.pk])
    admin_client.post(url, {"password1": "a", "password2": "b", "usable_password": "true"})
    assert not AuditEntry.objects.filter(action__startswith="auth.password").exists()
    assert admin_client.get(reverse("admin:auth_user_password_change", args=["abc"])).status_code in {
        302,
        404,
    }
