"""API tokens: issue once, store only the SM3 digest, authenticate, revoke; the `token` command."""

from __future__ import annotations

import secrets
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from parkcredit.accounts.models import ApiToken, User
from parkcredit.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from parkcredit.audit.models import AuditEntry
from parkcredit.common.crypto import sm3_hex


def test_create_returns_the_raw_token_once_and_stores_its_digest(park_admin: User) -> None:
    raw, token = api_token_create(actor=park_admin, user=park_admin, name="市平台推送")
    assert len(raw) >= 43
    assert token.digest == sm3_hex(raw.encode()) and token.prefix == raw[:8]
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert raw not in {str(value) for value in stored.values()}
    entry = AuditEntry.objects.get(action="api_token.created")
    assert entry.detail == {"username": "park_admin", "name": "市平台推送", "prefix": token.prefix}
    assert raw not in str(entry.detail)


def test_tokens_are_unique(park_admin: User) -> None:
    first, _ = api_token_create(actor=park_admin, user=park_admin, name="a")
    second, _ = api_token_create(actor=park_admin, user=park_admin, name="b")
    assert first != second


def test_authenticate_finds_the_owner(park_admin: User) -> None:
    raw, _ = api_token_create(actor=park_admin, user=park_admin, name="a")
    assert api_token_authenticate(raw) == park_admin


@pytest.mark.parametrize("raw", ["", "not-a-token", "x" * 201])
def test_authenticate_refuses_unknown_tokens(park_admin: User, raw: str) -> None:
    api_token_create(actor=park_admin, user=park_admin, name="a")
    assert api_token_authenticate(raw) is None


def test_authenticate_refuses_revoked_tokens_and_disabled_users(park_admin: User, system_admin: User) -> None:
    raw, token = api_token_create(actor=park_admin, user=park_admin, name="a")
    api_token_revoke(actor=park_admin, token=token)
    assert api_token_authenticate(raw) is None
    raw2, _ = api_token_create(actor=park_admin, user=park_admin, name="b")
    park_admin.is_active = False
    park_admin.save(update_fields=["is_active"])
    assert api_token_authenticate(raw2) is None


def test_last_used_is_written_at_most_once_a_minute(park_admin: User, time_machine: Any) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    raw, token = api_token_create(actor=park_admin, user=park_admin, name="a")
    api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == start
    time_machine.shift(timedelta(seconds=59))
    api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == start
    time_machine.shift(timedelta(seconds=1))
    api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=60)


@pytest.mark.parametrize("who", ["dept_staff", "auditor", "security_admin", "bank_user", "ent_a_user"])
def test_other_roles_cannot_create_tokens(who: str, request: pytest.FixtureRequest, db: Any) -> None:
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        api_token_create(actor=user, user=user, name="a")


def test_nobody_creates_a_token_for_someone_else_from_the_web(system_admin: User, park_admin: User) -> None:
    with pytest.raises(PermissionDenied):
        api_token_create(actor=system_admin, user=park_admin, name="a")


def test_the_operator_may_create_for_any_active_user(dept_staff: User) -> None:
    raw, _ = api_token_create(actor=None, user=dept_staff, name="导入脚本")
    assert api_token_authenticate(raw) == dept_staff
    assert AuditEntry.objects.get(action="api_token.created").actor_label == "system"


@pytest.mark.parametrize(("name", "text"), [("  ", "请填写令牌名称"), ("长" * 101, "最多 100 个字符")])
def test_token_name_is_checked(park_admin: User, name: str, text: str) -> None:
    with pytest.raises(ValidationError, match=text):
        api_token_create(actor=park_admin, user=park_admin, name=name)


def test_no_tokens_for_disabled_accounts(dept_staff: User) -> None:
    dept_staff.is_active = False
    with pytest.raises(ValidationError, match="已停用"):
        api_token_create(actor=None, user=dept_staff, name="a")


def test_revoke_rules(park_admin: User, dept_staff: User, security_admin: User) -> None:
    _, token = api_token_create(actor=park_admin, user=park_admin, name="a")
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=dept_staff, token=token)
    api_token_revoke(actor=security_admin, token=token)
    with pytest.raises(ValidationError, match="已经吊销"):
        api_token_revoke(actor=park_admin, token=token)
    assert AuditEntry.objects.get(action="api_token.revoked").actor_id == security_admin.pk


# --- the page -----------------------------------------------------------------------------------


def test_page_shows_a_new_token_once(login: Any, park_admin: User) -> None:
    client = login("park_admin")
    response = client.post(reverse("accounts:tokens"), {"name": "市平台推送"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    raw = response.context["raw_token"]
    assert api_token_authenticate(raw) == park_admin
    assert raw in response.content.decode()
    again = client.get(reverse("accounts:tokens")).content.decode()
    assert raw not in again and token.prefix in again


def test_page_rejects_an_empty_name(login: Any) -> None:
    response = login("park_admin").post(reverse("accounts:tokens"), {"name": ""})
    assert response.context["raw_token"] is None
    assert not ApiToken.objects.exists()


def test_page_revokes_own_tokens_only(login: Any, park_admin: User, system_admin: User) -> None:
    _, mine = api_token_create(actor=park_admin, user=park_admin, name="mine")
    _, theirs = api_token_create(actor=system_admin, user=system_admin, name="theirs")
    client = login("park_admin")
    assert client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:token_revoke", args=[mine.pk]))["Location"] == reverse(
        "accounts:tokens"
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    again = client.post(reverse("accounts:token_revoke", args=[mine.pk]), follow=True)
    assert "已经吊销" in again.content.decode()


# --- the command --------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_creates_and_prints_the_token_alone(dept_staff: User) -> None:
    out, err = run("create", "dept_staff", "--name", "导入脚本")
    raw = out.strip()
    assert "\n" not in raw
    assert api_token_authenticate(raw) == dept_staff
    assert "只显示这一次" in err


def test_command_refuses_unknown_users_and_bad_names(dept_staff: User) -> None:
    with pytest.raises(CommandError, match="不存在"):
        run("create", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="请填写令牌名称"):
        run("create", "dept_staff", "--name", " ")


def test_command_revokes_by_prefix(dept_staff: User) -> None:
    raw, token = api_token_create(actor=None, user=dept_staff, name="a")
    out, _ = run("revoke", token.prefix)
    assert "已吊销" in out
    assert api_token_authenticate(raw) is None
    with pytest.raises(CommandError, match="没有前缀"):
        run("revoke", token.prefix)


def test_a_token_never_starts_with_a_dash(dept_staff: User, monkeypatch: pytest.MonkeyPatch) -> None:
    # One raw token in 64 would: its prefix would read as an option to `token revoke`.
    drawn = iter(["-dashfirst" + "a" * 33, "plainfirst" + "b" * 33])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: next(drawn))
    raw, token = api_token_create(actor=None, user=dept_staff, name="a")
    assert raw.startswith("plainfirst") and token.prefix == "plainfir"
    out, _ = run("revoke", token.prefix)
    assert "已吊销" in out


def test_command_refuses_an_ambiguous_prefix(dept_staff: User) -> None:
    _, first = api_token_create(actor=None, user=dept_staff, name="a")
    _, second = api_token_create(actor=None, user=dept_staff, name="b")
    ApiToken.objects.filter(pk=second.pk).update(prefix=first.prefix)
    with pytest.raises(CommandError, match="多个有效令牌"):
        run("revoke", first.prefix)


def test_command_lists_tokens_without_secrets(dept_staff: User, park_admin: User) -> None:
    raw, token = api_token_create(actor=None, user=dept_staff, name="导入脚本")
    api_token_create(actor=None, user=park_admin, name="其他")
    out, _ = run("list", "dept_staff")
    assert token.prefix in out and "导入脚本" in out and "有效" in out
    assert raw not in out and "其他" not in out


def test_command_needs_a_subcommand(db: Any) -> None:
    with pytest.raises(CommandError, match="子命令"):
        run()
