"""All feature demo loaders, in their registered order, on one small park: each finds what the
earlier ones left and still creates its own objects (none mistakes another's data for its own)."""

from __future__ import annotations

from typing import Any

import pytest

from parkcredit.demo.extras import DEMO_EXTRAS, demo_extras_load
from parkcredit.demo.services import demo_park_load
from parkcredit.scoring.services import scoring_bootstrap

pytestmark = pytest.mark.django_db

# The beginning of each loader's summary when it created its objects.
CREATED = {
    "parkcredit.codes.demo:demo_load": "企业信用码:新签发",
    "parkcredit.portal.demo:demo_load": "红黑名单:已发布",
    "parkcredit.supervision.demo:demo_load": "双随机抽查:",
    "parkcredit.repair.workflow.demo:demo_load": "信用修复与异议:生成",
    "parkcredit.commitments.demo:demo_load": "信用承诺:签署",
    "parkcredit.alerts.demo:demo_load": "风险预警:",
}


def test_every_loader_creates_its_own_objects_after_the_others(db: Any) -> None:
    demo_park_load(enterprises=80, seed=2026)
    scoring_bootstrap()
    summaries = dict(zip(DEMO_EXTRAS, demo_extras_load(), strict=True))
    assert set(summaries) == set(CREATED)
    for path, summary in summaries.items():
        assert summary.startswith(CREATED[path]), (path, summary)
