"""Login, lock-out and logout (等保 CES1-02, ASVS 6.3.1, 6.3.8, 7.2.4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parkcredit.accounts.models import LoginAttempt, Role, User
from parkcredit.accounts.services import LoginRefused, lockout_clear, login_attempt
from parkcredit.audit.models import AuditEntry
from tests import factories as f
from tests.parkcredit.accounts.conftest import actions, login_request, post_login

WRONG = "用户名或密码错误"
LOCKED = "登录失败次数过多"


@pytest.fixture
def alice(db: Any) -> User:
    user = f.make_user(Role.DEPT_STAFF, f.department("czjrb"), username="alice")
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password_changed_at"])
    return user


def refused(username: str, password: str = f.PASSWORD, ip: str = "10.0.0.1") -> LoginRefused:
    with pytest.raises(LoginRefused) as exc:
        login_attempt(request=login_request(ip), username=username, password=password)
    return exc.value


def fail_times(username: str, n: int, *, ip: str | None = None) -> None:
    for i in range(n):
        refused(username, "wrong-password", ip=ip or f"10.1.0.{i + 1}")


# --- success and failure --------------------------------------------------------------------


def test_correct_password_signs_in_and_is_recorded(client: Client, alice: User) -> None:
    response = post_login(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert int(client.session["_auth_user_id"]) == alice.pk
    attempt = LoginAttempt.objects.get()
    assert (attempt.username, attempt.ip, attempt.succeeded) == ("alice", "10.0.0.1", True)
    entry = AuditEntry.objects.get(action="auth.login")
    assert (entry.actor_id, entry.outcome, entry.ip, entry.detail) == (
        alice.pk,
        "success",
        "10.0.0.1",
        {"username": "alice"},
    )


def test_login_rotates_the_session_key(client: Client, alice: User) -> None:
    session = client.session
    session["planted"] = "yes"
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before
    post_login(client, "alice")
    assert client.session.session_key != before


def test_wrong_password_gets_the_generic_message_and_is_audited(client: Client, alice: User) -> None:
    response = post_login(client, "alice", "not-the-password")
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not LoginAttempt.objects.get().succeeded
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert (entry.actor_id, entry.actor_label, entry.outcome) == (None, "anonymous", "failure")
    assert entry.detail == {"username": "alice"}


def test_unknown_user_gets_exactly_the_same_message(alice: User) -> None:
    assert (
        refused("alice", "not-the-password").message
        == refused("nobody-here", "not-the-password").message
        == WRONG
    )
    assert actions() == ["auth.login_failed", "auth.login_failed"]


def test_inactive_user_fails_like_a_wrong_password(alice: User) -> None:
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert refused("alice").message == WRONG


def test_empty_form_is_rejected_by_the_form(client: Client, db: Any) -> None:
    response = client.post(reverse("accounts:login"), {"username": "", "password": ""})
    assert response.status_code == 200
    assert LoginAttempt.objects.count() == 0


# --- lock-out ------------------------------------------------------------------------------


def test_username_locks_after_five_failures_from_any_address(alice: User) -> None:
    fail_times("alice", settings.LOGIN_MAX_FAILURES - 1)
    last = refused("alice", "still-wrong", ip="10.2.0.1")
    assert last.locked and LOCKED in last.message
    # Even the right password, from a fresh address, is refused now.
    assert refused("alice", ip="10.3.0.1").locked
    assert actions().count("auth.locked") == 2
    assert (
        LoginAttempt.objects.filter(username="alice", succeeded=False).count()
        == settings.LOGIN_MAX_FAILURES + 1
    )


def test_four_failures_do_not_lock(alice: User) -> None:
    fail_times("alice", settings.LOGIN_MAX_FAILURES - 1)
    assert login_attempt(request=login_request("10.9.0.1"), username="alice", password=f.PASSWORD) == alice


def test_address_locks_after_five_failures_for_any_names(alice: User, client: Client) -> None:
    for i in range(settings.LOGIN_MAX_FAILURES):
        refused(f"guess{i}", "wrong", ip="10.5.5.5")
    response = post_login(client, "alice", ip="10.5.5.5")
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The same account from another address is fine: the counters are separate.
    assert post_login(client, "alice", ip="10.6.6.6").status_code == 302


def test_unknown_username_locks_and_answers_like_a_real_one(alice: User) -> None:
    fail_times("alice", settings.LOGIN_MAX_FAILURES)
    fail_times("ghost", settings.LOGIN_MAX_FAILURES)
    assert refused("alice", ip="10.7.0.1").message == refused("ghost", ip="10.7.0.2").message
    assert LOCKED in refused("ghost", ip="10.7.0.3").message


def test_lock_expires_after_the_lockout_period(alice: User, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    fail_times("alice", settings.LOGIN_MAX_FAILURES)
    time_machine.shift(timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS - 1))
    assert refused("alice", ip="10.8.0.1").locked
    # That refused attempt counts as a failure and restarts the lock period.
    time_machine.shift(timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS - 1))
    assert refused("alice", ip="10.8.0.2").locked
    time_machine.shift(timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS + 1))
    assert login_attempt(request=login_request("10.8.0.3"), username="alice", password=f.PASSWORD) == alice


def test_failures_outside_the_window_do_not_add_up(alice: User, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    fail_times("alice", 3)
    time_machine.shift(timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1))
    fail_times("alice", 3)
    assert login_attempt(request=login_request("10.9.0.1"), username="alice", password=f.PASSWORD) == alice


def test_success_resets_the_username_counter(alice: User, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    fail_times("alice", 4)
    time_machine.shift(timedelta(seconds=1))
    login_attempt(request=login_request("10.9.0.1"), username="alice", password=f.PASSWORD)
    time_machine.shift(timedelta(seconds=1))
    fail_times("alice", 4)
    assert login_attempt(request=login_request("10.9.0.2"), username="alice", password=f.PASSWORD) == alice


# --- security administrator releases locks ------------------------------------------------------


def test_security_admin_releases_a_username(alice: User, security_admin: User, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    fail_times("alice", settings.LOGIN_MAX_FAILURES)
    time_machine.shift(timedelta(seconds=1))
    lockout_clear(actor=security_admin, username="alice", ip="10.0.9.9")
    time_machine.shift(timedelta(seconds=1))
    assert login_attempt(request=login_request("10.9.0.1"), username="alice", password=f.PASSWORD) == alice
    entry = AuditEntry.objects.get(action="auth.unlocked")
    assert (entry.actor_id, entry.detail, entry.ip) == (
        security_admin.pk,
        {"username": "alice", "address": ""},
        "10.0.9.9",
    )


def test_security_admin_releases_an_address(alice: User, security_admin: User, time_machine: Any) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    for i in range(settings.LOGIN_MAX_FAILURES):
        refused(f"guess{i}", "wrong", ip="10.5.5.5")
    assert refused("alice", ip="10.5.5.5").locked
    time_machine.shift(timedelta(seconds=1))
    lockout_clear(actor=security_admin, address="10.5.5.5")
    time_machine.shift(timedelta(seconds=1))
    assert login_attempt(request=login_request("10.5.5.5"), username="alice", password=f.PASSWORD) == alice


@pytest.mark.parametrize("who", ["system_admin", "auditor", "park_admin"])
def test_only_the_security_admin_releases_locks(who: str, request: pytest.FixtureRequest, db: Any) -> None:
    with pytest.raises(PermissionDenied):
        lockout_clear(actor=request.getfixturevalue(who), username="alice")


def test_release_needs_a_target(security_admin: User) -> None:
    with pytest.raises(ValidationError, match="用户名或来源地址"):
        lockout_clear(actor=security_admin, username="  ")


# --- the login page ---------------------------------------------------------------------------


def test_login_page_renders_standard_fields(client: Client, db: Any) -> None:
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body and 'name="password"' in body
    assert reverse("accounts:login") == "/accounts/login/"


def test_login_follows_a_safe_next_and_ignores_an_external_one(client: Client, alice: User) -> None:
    assert post_login(client, "alice", next="/accounts/password/")["Location"] == "/accounts/password/"
    client.logout()
    assert post_login(client, "alice", next="https://evil.example/")["Location"] == reverse(
        settings.LOGIN_REDIRECT_URL
    )


def test_signed_in_user_visiting_login_is_sent_on(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.get(reverse("accounts:login"))["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_user_due_a_password_change_goes_there_after_login(
    client: Client, alice: User, settings: Any
) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 90
    alice.password_changed_at = None
    alice.save(update_fields=["password_changed_at"])
    response = post_login(client, "alice")
    assert response["Location"].startswith(reverse("accounts:password_change") + "?next=")


def test_logout_is_post_only_and_ends_the_server_session(client: Client, alice: User) -> None:
    post_login(client, "alice")
    session_key = client.session.session_key
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login") + "?reason=logout"
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert AuditEntry.objects.filter(action="auth.logout", actor=alice).exists()
    assert "您已安全退出" in client.get(response["Location"]).content.decode()


def test_anonymous_logout_is_harmless(client: Client, db: Any) -> None:
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert not AuditEntry.objects.filter(action="auth.logout").exists()


def test_the_hasher_runs_for_unknown_names_too(alice: User, monkeypatch: pytest.MonkeyPatch) -> None:
    # Equal work for "no such user" and "wrong password" keeps response times alike.
    from django.contrib.auth.hashers import MD5PasswordHasher

    calls: list[str] = []
    original = MD5PasswordHasher.encode

    def counting(self: MD5PasswordHasher, password: str, salt: str) -> str:
        calls.append(password)
        return original(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    refused("alice", "wrong-1")
    refused("nobody-here", "wrong-2")
    assert calls == ["wrong-1", "wrong-2"]
