"""The demo loader puts applications and objections in every state on a small demo park."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest

from parkcredit.accounts.models import User
from parkcredit.demo.accounts import DEMO_ENTERPRISE_CODE
from parkcredit.demo.extras import DEMO_EXTRAS
from parkcredit.demo.services import demo_park_load
from parkcredit.objections.models import Objection
from parkcredit.repair.workflow.demo import demo_load
from parkcredit.repair.workflow.models import RepairApplication

pytestmark = pytest.mark.django_db


@pytest.fixture
def park(db: Any) -> None:
    demo_park_load(enterprises=60, seed=2026)


def test_the_demo_has_every_state_and_the_demo_enterprise_sees_its_own(park: None) -> None:
    started = time.perf_counter()
    summary = demo_load()
    elapsed = time.perf_counter() - started
    assert summary.startswith("信用修复与异议:生成修复申请 6 件、异议 4 件")
    states = Counter(RepairApplication.objects.values_list("state", flat=True))
    assert states == {"submitted": 1, "reviewing": 1, "deciding": 1, "approved": 2, "rejected": 1}
    objection_states = Counter(Objection.objects.values_list("state", flat=True))
    assert objection_states == {"open": 2, "rejected": 1, "upheld": 1}
    assert Objection.objects.filter(track="verify").count() == 2
    demo_user = User.objects.get(organisation__code=DEMO_ENTERPRISE_CODE)
    assert RepairApplication.objects.visible_to(demo_user).count() == 1
    assert Objection.objects.visible_to(demo_user).count() == 1
    # Demo accounts made for other enterprises cannot sign in.
    assert not any(u.has_usable_password() for u in User.objects.filter(username__startswith="demo-ent-"))
    assert elapsed < 60  # generous: the whole demo must stay fast (measured in the report)
    assert demo_load() == "信用修复与异议:已有办理数据,未重复生成。"


def test_the_loader_is_registered() -> None:
    assert "parkcredit.repair.workflow.demo:demo_load" in DEMO_EXTRAS
