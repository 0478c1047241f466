"""Fixtures the supervision service and page tests share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from tests.parkcredit.supervision.support import build_park


@pytest.fixture
def frozen_today() -> Iterator[None]:
    """A fixed Friday morning in Shanghai, so plan periods and rectification deadlines are stable."""
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False):
        yield


@pytest.fixture
def park(inspector: Any) -> Any:
    return build_park(inspector)
