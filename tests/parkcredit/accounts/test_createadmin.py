from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from parkcredit.accounts.models import Role, User
from parkcredit.audit.models import AuditEntry


def _run(monkeypatch: pytest.MonkeyPatch, *args: str, password: str = "Str0ng#Passw0rd") -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    out = io.StringIO()
    call_command("createadmin", *args, stdout=out)
    return out.getvalue()


def test_creates_the_first_system_admin_with_an_audit_entry(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    output = _run(monkeypatch, "sysop", "--full-name", "孙运维")
    user = User.objects.get(username="sysop")
    assert "sysop" in output
    assert user.role == Role.SYSTEM_ADMIN and user.is_staff and user.organisation.code == "zhb"
    assert user.check_password("Str0ng#Passw0rd")
    assert AuditEntry.objects.filter(action="user.bootstrapped", object_id=str(user.pk)).exists()


def test_refuses_once_a_system_admin_exists(system_admin: User, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CommandError, match="已存在启用的系统管理员"):
        _run(monkeypatch, "second")
    assert not User.objects.filter(username="second").exists()


def test_refuses_a_weak_password(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CommandError):
        _run(monkeypatch, "sysop", password="12345678")
    assert not User.objects.filter(username="sysop").exists()


def test_refuses_a_taken_username(dept_staff: User, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CommandError, match="已被使用"):
        _run(monkeypatch, "dept_staff")
