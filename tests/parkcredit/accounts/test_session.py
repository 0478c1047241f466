"""Idle session expiry and forced password change (等保 CES1-01/02, ASVS 7.3.1)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parkcredit.accounts.models import Role, User
from parkcredit.accounts.services import password_change, password_expired
from parkcredit.audit.models import AuditEntry
from tests import factories as f
from tests.parkcredit.accounts.conftest import post_login

PAGE = "/accounts/password/"  # a page every signed-in user may open


@pytest.fixture
def bob(db: Any) -> User:
    user = f.make_user(Role.PARK_ADMIN, f.department("jjfzb"), username="bob")
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password_changed_at"])
    return user


@pytest.fixture
def signed_in(client: Client, bob: User, time_machine: Any) -> Client:
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(bob)
    assert client.get(PAGE).status_code == 200
    return client


# --- idle expiry --------------------------------------------------------------------------------


def test_activity_within_the_limit_keeps_the_session(signed_in: Client, time_machine: Any) -> None:
    for _ in range(3):
        time_machine.shift(timedelta(seconds=settings.SESSION_IDLE_SECONDS - 1))
        assert signed_in.get(PAGE).status_code == 200


def test_idle_session_is_ended_on_the_server(signed_in: Client, bob: User, time_machine: Any) -> None:
    time_machine.shift(timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1))
    response = signed_in.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?reason=idle&next=")
    entry = AuditEntry.objects.get(action="auth.session_expired")
    assert (entry.actor_id, entry.outcome) == (bob.pk, "expired")
    assert entry.detail["idle_seconds"] == settings.SESSION_IDLE_SECONDS + 1
    # The session is gone: the next request is anonymous.
    assert "_auth_user_id" not in signed_in.session
    follow = signed_in.get(PAGE)
    assert follow["Location"].startswith(reverse("accounts:login") + "?next=")
    assert "长时间未操作" in signed_in.get(response["Location"]).content.decode()


def test_idle_htmx_request_gets_hx_redirect(signed_in: Client, time_machine: Any) -> None:
    time_machine.shift(timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1))
    response = signed_in.get(PAGE, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("accounts:login") + "?reason=idle"


def test_idle_api_call_gets_401_json(signed_in: Client, time_machine: Any) -> None:
    time_machine.shift(timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1))
    response = signed_in.get("/api/v1/enterprises")
    assert response.status_code == 401
    assert "会话已超时" in response.json()["detail"]


def test_idle_post_is_not_replayed_after_login(signed_in: Client, time_machine: Any) -> None:
    time_machine.shift(timedelta(seconds=settings.SESSION_IDLE_SECONDS + 1))
    response = signed_in.post(PAGE, {"old_password": "x"})
    assert response["Location"] == reverse("accounts:login") + "?reason=idle"


# --- password expiry ---------------------------------------------------------------------------


def test_password_expired_rules(bob: User, settings: Any, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    settings.PASSWORD_MAX_AGE_DAYS = 90
    assert not password_expired(bob)
    time_machine.shift(timedelta(days=90) - timedelta(seconds=1))
    assert not password_expired(bob)
    time_machine.shift(timedelta(seconds=1))
    assert password_expired(bob)
    bob.password_changed_at = None
    assert password_expired(bob)
    settings.PASSWORD_MAX_AGE_DAYS = 0
    assert not password_expired(bob)


@pytest.fixture
def expired(signed_in: Client, bob: User, settings: Any) -> Client:
    settings.PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=bob.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    return signed_in


def test_expired_password_holds_every_page(expired: Client) -> None:
    response = expired.get(reverse("accounts:tokens"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change") + "?next=%2Faccounts%2Ftokens%2F"


def test_expired_password_htmx_gets_hx_redirect(expired: Client) -> None:
    response = expired.get(reverse("accounts:tokens"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == reverse("accounts:password_change")


def test_expired_password_api_call_gets_403_json(expired: Client) -> None:
    response = expired.get("/api/v1/enterprises")
    assert response.status_code == 403
    assert "密码已过期" in response.json()["detail"]


def test_expired_password_leaves_change_logout_and_static_open(expired: Client) -> None:
    page = expired.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    assert "密码已到期" in page.content.decode()
    assert 'id="id_new_password_helptext"' in page.content.decode()
    assert "密码至少要包含大写字母" in page.content.decode()
    assert expired.get(settings.STATIC_URL + "missing.css").status_code == 404
    assert expired.post(reverse("accounts:logout"))["Location"].startswith(reverse("accounts:login"))


def test_first_login_with_an_initial_password_asks_for_a_new_one(expired: Client, bob: User) -> None:
    User.objects.filter(pk=bob.pk).update(password_changed_at=None)
    assert "初始密码" in expired.get(reverse("accounts:password_change")).content.decode()


# --- changing the password -----------------------------------------------------------------------

NEW = "Fresh#Pass2027"


def change(
    client: Client, old: str = f.PASSWORD, new: str = NEW, new2: str | None = None, **extra: str
) -> Any:
    data = {"old_password": old, "new_password": new, "new_password2": new if new2 is None else new2, **extra}
    return client.post(reverse("accounts:password_change"), data)


def test_changing_the_password_keeps_this_session_and_ends_others(
    expired: Client, bob: User, time_machine: Any
) -> None:
    other = Client()
    other.force_login(bob)
    time_machine.shift(timedelta(seconds=5))
    response = change(expired, next="/accounts/tokens/")
    assert response["Location"] == "/accounts/tokens/"
    bob.refresh_from_db()
    assert bob.check_password(NEW)
    assert bob.password_changed_at == timezone.now()
    # This session stays valid and is no longer held on the change page.
    assert expired.get(reverse("accounts:tokens")).status_code == 200
    # The other session was signed with the old password hash and is dead.
    assert other.get(PAGE)["Location"].startswith(reverse("accounts:login"))
    assert AuditEntry.objects.filter(action="auth.password_changed", actor=bob).count() == 1


def test_wrong_old_password_is_refused_and_audited(expired: Client, bob: User) -> None:
    response = change(expired, old="not-it")
    assert "原密码不正确" in response.content.decode()
    assert AuditEntry.objects.get(action="auth.password_change_failed").outcome == "failure"
    bob.refresh_from_db()
    assert bob.check_password(f.PASSWORD)


def test_mismatched_confirmation_is_refused(expired: Client) -> None:
    assert "两次输入的新密码不一致" in change(expired, new2="Other#Pass2027").content.decode()


def test_weak_new_password_is_refused_with_the_policy_message(expired: Client) -> None:
    body = change(expired, new="abcdefghij").content.decode()
    assert "大写字母" in body


def test_new_password_must_differ(bob: User) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        password_change(user=bob, old_password=f.PASSWORD, new_password=f.PASSWORD)
    assert exc.value.message_dict == {"new_password": ["新密码不能与原密码相同"]}


def test_login_with_the_new_password_works(client: Client, bob: User) -> None:
    password_change(user=bob, old_password=f.PASSWORD, new_password=NEW)
    assert post_login(client, "bob", NEW).status_code == 302


def test_passive_polling_does_not_keep_the_session_alive(signed_in: Client, time_machine: Any) -> None:
    half = timedelta(seconds=settings.SESSION_IDLE_SECONDS // 2 + 1)
    time_machine.shift(half)
    assert signed_in.get(PAGE, headers={"X-Passive-Request": "1"}).status_code == 200
    time_machine.shift(half)
    assert signed_in.get(PAGE, headers={"X-Passive-Request": "1"}).status_code == 302
