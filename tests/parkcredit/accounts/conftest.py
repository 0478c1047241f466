"""Fixtures and helpers for the accounts tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.test.client import RequestFactory
from django.urls import reverse

from parkcredit.audit.models import AuditEntry
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _rotation_off_unless_asked(settings: Any) -> None:
    # The cast has no password_changed_at, which the middleware treats as "must change now";
    # the rotation tests switch it back on explicitly.
    settings.PASSWORD_MAX_AGE_DAYS = 0


@pytest.fixture
def login(login: Any, db: Any) -> Any:
    # Declaring `db` here lets pytest-django see these as database tests when it orders them,
    # so they never run after a transactional test has flushed the seeded departments.
    return login


def post_login(
    client: Client, username: str, password: str = PASSWORD, ip: str = "10.0.0.1", **data: str
) -> Any:
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password, **data}, REMOTE_ADDR=ip
    )


def login_request(ip: str = "10.0.0.1") -> Any:
    """A bare request with a session, for calling login_attempt directly."""
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)
    request.session = SessionStore()
    return request


def actions() -> list[str]:
    """Audit actions written so far, oldest first."""
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
