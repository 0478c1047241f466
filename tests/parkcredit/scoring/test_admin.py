"""The admin shows scoring rows but never lets anyone change them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin

from parkcredit.scoring.models import Score, ScoringModel, ScoringRun

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [ScoringModel, ScoringRun, Score])
def test_admin_is_read_only(model: Any, rf: Any, system_admin: Any) -> None:
    request = rf.get("/")
    request.user = system_admin
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
