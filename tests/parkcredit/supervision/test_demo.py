"""The demo loader on a small park: items, inspectors, published plans that verify."""

from __future__ import annotations

from typing import Any

import pytest

from parkcredit.accounts.models import Role
from parkcredit.supervision.demo import demo_load
from parkcredit.supervision.models import Inspection, InspectionState, Plan, PlanState
from parkcredit.supervision.selectors import draw_verify
from tests import factories as f
from tests.parkcredit.supervision.support import build_park


@pytest.mark.django_db
def test_demo_load_creates_verifiable_published_plans(inspector: Any) -> None:
    build_park(None, n=40)
    from parkcredit.supervision.models import InspectionItem, Inspector

    # The demo loader starts from an empty directory.
    Inspector.objects.all().delete()
    InspectionItem.objects.all().delete()
    inspector.username = "inspector"
    inspector.save()
    f.make_user(Role.PARK_ADMIN, f.department("jjfzb"), username="parkadmin")
    summary = demo_load()
    assert summary.startswith("双随机抽查")
    plans = list(Plan.objects.order_by("period_start"))
    assert [p.state for p in plans][:2] == [PlanState.PUBLISHED, PlanState.PUBLISHED]
    for plan in plans:
        assert draw_verify(plan) == []
    assert Inspection.objects.filter(state=InspectionState.PUBLISHED).exists()
    assert demo_load().endswith("跳过")


def test_demo_loader_is_registered() -> None:
    from parkcredit.demo.extras import DEMO_EXTRAS

    assert "parkcredit.supervision.demo:demo_load" in DEMO_EXTRAS
