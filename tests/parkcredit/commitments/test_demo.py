"""The demo loader signs commitments (government ones included) and the check finds the breach."""

from __future__ import annotations

from typing import Any

import pytest

from parkcredit.commitments.demo import demo_load
from parkcredit.commitments.models import Commitment, CommitmentStatus
from parkcredit.demo.extras import DEMO_EXTRAS
from parkcredit.demo.services import demo_park_load
from parkcredit.records.models import CreditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def park(db: Any) -> None:
    demo_park_load(enterprises=60, seed=2026)


def test_the_demo_signs_commitments_and_shows_a_breach(park: None) -> None:
    summary = demo_load()
    assert summary.startswith("信用承诺:签署 ")
    government = Commitment.objects.filter(organisation__isnull=False)
    assert government.count() == 2
    assert government.filter(events__kind="delivered").count() == 1
    breached = Commitment.objects.filter(status=CommitmentStatus.BREACHED, enterprise__isnull=False)
    assert breached.exists()
    for commitment in breached:
        assert commitment.breach_record is not None
        assert commitment.breach_record.kind.code == "commitment-breach"
    construction = Commitment.objects.get(template__code="construction", scope="厂房改扩建项目")
    assert construction.status == CommitmentStatus.BREACHED
    assert (
        Commitment.objects.filter(is_public=False).exists()
        and Commitment.objects.filter(is_public=True).exists()
    )
    assert CreditRecord.objects.filter(
        kind__code="commitment-breach", source__code="park-commitments"
    ).count() == (breached.count())
    assert demo_load().startswith("信用承诺:已有")


def test_the_loader_is_registered() -> None:
    assert "parkcredit.commitments.demo:demo_load" in DEMO_EXTRAS
