"""Fixtures for the ledger tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _passwords_not_due(settings: Any) -> None:
    # The cast is created without password_changed_at, so the forced-change middleware would
    # hold every signed-in request; rotation is tested in the accounts app, not here.
    settings.PASSWORD_MAX_AGE_DAYS = 0
