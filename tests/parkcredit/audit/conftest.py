from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_password_rotation(settings: Any) -> None:
    """The cast never chose their passwords, so rotation would hold them on the change page."""
    settings.PASSWORD_MAX_AGE_DAYS = 0
