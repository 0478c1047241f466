"""The 账号安全 page of the security administrator."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from parkcredit.accounts.models import LockoutRelease, LoginAttempt
from parkcredit.accounts.selectors import lock_list


@pytest.fixture
def attack(db: Any) -> None:
    now = timezone.now()
    for i in range(settings.LOGIN_MAX_FAILURES):
        LoginAttempt.objects.create(username="victim", ip="10.9.9.9", at=now, succeeded=False)
        LoginAttempt.objects.create(username=f"other{i}", ip="10.8.8.8", at=now, succeeded=False)


def test_lock_list_finds_locked_names_and_addresses(attack: None) -> None:
    locks = {(lock.scope, lock.value) for lock in lock_list()}
    assert locks == {("username", "victim"), ("ip", "10.9.9.9"), ("ip", "10.8.8.8")}


def test_page_shows_failures_and_locks(login: Any, attack: None) -> None:
    body = login("security_admin").get(reverse("accounts:security")).content.decode()
    assert "victim" in body and "10.8.8.8" in body and "other3" in body
    assert "用户名" in body and "来源地址" in body


def test_unlock_from_the_page(login: Any, attack: None) -> None:
    client = login("security_admin")
    response = client.post(reverse("accounts:security_unlock"), {"username": "victim"})
    assert response["Location"] == reverse("accounts:security")
    assert LockoutRelease.objects.get().value == "victim"
    client.post(reverse("accounts:security_unlock"), {"address": "10.8.8.8"})
    remaining = {lock.value for lock in lock_list()}
    assert "10.8.8.8" not in remaining and "victim" not in remaining
    assert "10.9.9.9" in remaining


def test_unlock_without_a_target_shows_an_error(login: Any, db: Any) -> None:
    client = login("security_admin")
    response = client.post(reverse("accounts:security_unlock"), {"username": "", "address": ""}, follow=True)
    assert "请指定要解除锁定的用户名或来源地址" in response.content.decode()
    response = client.post(reverse("accounts:security_unlock"), {"address": "not-an-ip"}, follow=True)
    assert "有效的IPv4或IPv6地址" in response.content.decode().replace(" ", "")
    assert not LockoutRelease.objects.exists()
