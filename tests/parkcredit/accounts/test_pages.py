"""Who may open which account page: role × page → 200 / 403 / 302 to login."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from parkcredit.audit.models import AuditEntry
from tests.conftest import CAST

ALLOWED = {
    "accounts:security": {"security_admin"},
    "accounts:users": {"system_admin"},
    "accounts:user_create": {"system_admin"},
    "accounts:tokens": {"park_admin", "system_admin"},
    "accounts:password_change": set(CAST),
}


@pytest.mark.parametrize("who", [*CAST, "anon"])
@pytest.mark.parametrize("url_name", sorted(ALLOWED))
def test_role_page_matrix(login: Any, who: str, url_name: str) -> None:
    url = reverse(url_name)
    response = login(who).get(url)
    if who == "anon":
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    elif who in ALLOWED[url_name]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("url_name", "args", "allowed"),
    [
        ("accounts:security_unlock", [], "security_admin"),
        ("accounts:user_active", [1], "system_admin"),
        ("accounts:user_role", [1], "system_admin"),
        ("accounts:token_revoke", [1], "park_admin"),
    ],
)
@pytest.mark.parametrize("who", ["auditor", "ent_a_user", "bank_user", "inspector"])
def test_actions_refuse_other_roles(
    login: Any, who: str, url_name: str, args: list[int], allowed: str
) -> None:
    assert login(who).post(reverse(url_name, args=args), {"username": "x"}).status_code == 403


def test_refusals_are_audited(login: Any, auditor: Any) -> None:
    login("auditor").get(reverse("accounts:users"))
    entry = AuditEntry.objects.get(action="access.denied")
    assert (entry.actor_id, entry.outcome, entry.detail) == (
        auditor.pk,
        "denied",
        {"path": "/accounts/users/", "method": "GET"},
    )


def test_refusals_from_checks_inside_views_are_audited_too(login: Any, ent_a_user: Any) -> None:
    # The audit page checks the role inside the view rather than with role_required.
    login("ent_a_user").get(reverse("audit:list"))
    entry = AuditEntry.objects.get(action="access.denied")
    assert (entry.actor_id, entry.detail["path"]) == (ent_a_user.pk, "/audit/")
