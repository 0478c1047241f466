"""The record detail page: who may see it, and what it shows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from parkcredit.records.services import record_event_append, record_register
from tests import factories as f

pytestmark = pytest.mark.django_db

EXPECTED = {
    "park_admin": 200,
    "dept_staff": 200,
    "inspector": 200,
    "ent_a_user": 200,
    "ent_b_user": 404,
    "bank_user": 200,
    "bank_unauthorised_user": 404,
    "system_admin": 404,
    "security_admin": 404,
    "auditor": 404,
    "anon": 302,
}


@pytest.fixture
def record(ent_a: Any, dept_staff: Any) -> Any:
    record = record_register(
        actor=dept_staff,
        enterprise=ent_a,
        kind="penalty",
        source=f.data_source(),
        source_ref="豫市监罚〔2025〕17号",
        severity="general",
        decided_on=date(2025, 6, 1),
        amount="1234567.5",
        authority="示范市市场监督管理局",
        # Keys deliberately out of catalogue order, plus one the catalogue does not know.
        payload={"处罚内容": "罚款", "备注": "来源附加字段", "违法行为类型": "信息公示"},
        at=timezone.now() - timedelta(days=2),
    )
    record_event_append(actor=dept_staff, record=record, event_type="disputed", note="企业提出异议")
    return record


@pytest.mark.parametrize(("who", "status"), sorted(EXPECTED.items()))
def test_detail_access_per_cast_member(login: Any, record: Any, who: str, status: int) -> None:
    response = login(who).get(reverse("records:detail", args=[record.pk]))
    assert response.status_code == status
    if status == 302:
        assert reverse("accounts:login") in response["Location"]


def test_missing_record_is_404(login: Any, record: Any) -> None:
    response = login("park_admin").get(reverse("records:detail", args=[record.pk + 999]))
    assert response.status_code == 404


def test_detail_shows_fields_payload_history_and_status(login: Any, record: Any, ent_a: Any) -> None:
    html = login("park_admin").get(reverse("records:detail", args=[record.pk])).content.decode()
    assert "行政处罚" in html
    assert "豫市监罚〔2025〕17号" in html
    assert "1,234,567.50 元" in html
    assert "示范市市场监督管理局" in html
    assert "测试来源" in html
    assert "2025-06-01" in html
    # Catalogue order first (违法行为类型 before 处罚内容), then the extra key.
    assert html.index("违法行为类型") < html.index("处罚内容") < html.index("备注")
    assert "记录生成" in html and "提出异议" in html and "企业提出异议" in html
    assert "有效(异议中)" in html
    assert "bg-orange-lt" in html
    assert reverse("enterprises:detail", args=[ent_a.pk]) in html
    assert "经办人" in html  # park staff see who handled each event


def test_enterprise_user_does_not_see_staff_names(login: Any, record: Any, dept_staff: Any) -> None:
    html = login("ent_a_user").get(reverse("records:detail", args=[record.pk])).content.decode()
    assert "提出异议" in html
    assert "经办人" not in html
    assert str(dept_staff) not in html


def test_positive_record_without_amount_or_payload(login: Any, ent_a: Any) -> None:
    honour = record_register(
        actor=None,
        enterprise=ent_a,
        kind="honour",
        source=f.data_source(),
        source_ref="表彰〔2025〕3号",
        decided_on=date(2025, 1, 1),
    )
    html = login("park_admin").get(reverse("records:detail", args=[honour.pk])).content.decode()
    assert "bg-green-lt" in html
    assert "来源未提供信息项" in html
    assert "金额" not in html
