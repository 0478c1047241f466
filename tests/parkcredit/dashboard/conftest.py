from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_password_rotation(settings: Any) -> None:
    # The cast is created without password_changed_at, which the forced-change middleware treats
    # as "change it now" and would redirect every page to the password form.
    settings.PASSWORD_MAX_AGE_DAYS = 0
