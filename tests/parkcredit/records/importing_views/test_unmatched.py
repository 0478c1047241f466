"""The 待关联 queue: name suggestions (never automatic), linking to an archive entry, creating the subject."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from parkcredit.enterprises.models import Enterprise
from parkcredit.records.models import CreditRecord, ImportBatch, UnmatchedRow
from tests import factories as f

from .conftest import penalty_csv, penalty_row

QUEUE = reverse("records:unmatched_list")
STRANGER = "丙精密机械有限公司"


@pytest.fixture
def queued(login: Any, ent_a: Any) -> UnmatchedRow:
    """A penalty row for a subject the archive does not hold, imported through the page."""
    uscc = f.make_uscc()
    upload = penalty_csv([penalty_row(STRANGER, uscc, "测市监罚〔2024〕901号")])
    login("dept_staff").post(reverse("records:import_upload"), {"profile": "penalty", "file": upload})
    batch = ImportBatch.objects.get()
    assert batch.counts["unmatched"] == 1
    return UnmatchedRow.objects.get(batch=batch)


def resolve_url(row: UnmatchedRow) -> str:
    return reverse("records:unmatched_resolve", kwargs={"pk": row.pk})


def test_the_queue_suggests_similar_names_without_linking(
    login: Any, queued: UnmatchedRow, ent_a: Any
) -> None:
    html = login("dept_staff").get(QUEUE).content.decode()
    assert STRANGER in html
    assert ent_a.name in html  # 甲精密机械有限公司: a suggestion
    assert "乙新材料科技有限公司" not in html
    queued.refresh_from_db()
    assert queued.state == "pending"
    assert queued.enterprise_id is None
    assert not CreditRecord.objects.filter(source_ref="测市监罚〔2024〕901号").exists()


def test_the_batch_detail_links_to_its_queued_rows(login: Any, queued: UnmatchedRow) -> None:
    client = login("dept_staff")
    html = client.get(reverse("records:import_detail", kwargs={"pk": queued.batch_id})).content.decode()
    assert f"{QUEUE}?batch={queued.batch_id}" in html
    other = UnmatchedRow.objects.create(
        batch=ImportBatch.objects.create(source=f.data_source(), label="别的批次", profile="penalty"),
        number=5,
        profile="penalty",
        subject_name="丁物流有限公司",
    )
    filtered = client.get(QUEUE, {"batch": queued.batch_id, "state": ""}).content.decode()
    assert STRANGER in filtered
    assert other.subject_name not in filtered


def test_queue_htmx_filter_returns_the_table(login: Any, queued: UnmatchedRow) -> None:
    response = login("dept_staff").get(QUEUE, {"q": "丙精密"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="unmatched-table"' in html
    assert STRANGER in html


def test_link_to_an_existing_enterprise_writes_the_row(login: Any, queued: UnmatchedRow, ent_b: Any) -> None:
    client = login("dept_staff")
    response = client.post(resolve_url(queued), {"action": "link", "enterprise": ent_b.pk})
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.state == "linked"
    assert queued.enterprise_id == ent_b.pk
    assert CreditRecord.objects.filter(enterprise=ent_b, source_ref="测市监罚〔2024〕901号").exists()
    assert "已关联" in client.get(response["Location"]).content.decode()


def test_link_without_a_choice_is_a_clear_error(login: Any, queued: UnmatchedRow) -> None:
    response = login("dept_staff").post(resolve_url(queued), {"action": "link"})
    assert response.status_code == 200
    assert "请先搜索并选择要关联的企业" in response.content.decode()
    queued.refresh_from_db()
    assert queued.state == "pending"


def test_link_to_a_missing_enterprise_is_a_clear_error(login: Any, queued: UnmatchedRow) -> None:
    response = login("dept_staff").post(resolve_url(queued), {"action": "link", "enterprise": 987654})
    assert "所选企业不存在" in response.content.decode()


@pytest.mark.parametrize(("action", "in_park"), [("create_park", True), ("create_outside", False)])
def test_create_the_subject(action: str, in_park: bool, login: Any, queued: UnmatchedRow) -> None:
    response = login("park_admin").post(resolve_url(queued), {"action": action})
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(uscc=queued.uscc)
    assert enterprise.name == STRANGER
    assert enterprise.in_park is in_park
    queued.refresh_from_db()
    assert queued.state == "created"
    assert CreditRecord.objects.filter(enterprise=enterprise, source_ref="测市监罚〔2024〕901号").exists()


def test_a_resolved_row_takes_no_second_decision(login: Any, queued: UnmatchedRow, ent_b: Any) -> None:
    client = login("dept_staff")
    client.post(resolve_url(queued), {"action": "link", "enterprise": ent_b.pk})
    client.post(resolve_url(queued), {"action": "create_park"})
    assert not Enterprise.objects.filter(uscc=queued.uscc).exists()
    assert "这一行已处理" in client.get(resolve_url(queued)).content.decode()


def test_resolve_page_shows_suggestions_and_searches_over_htmx(
    login: Any, queued: UnmatchedRow, ent_a: Any, ent_b: Any
) -> None:
    client = login("dept_staff")
    page = client.get(resolve_url(queued)).content.decode()
    assert ent_a.name in page
    assert f'data-testid="link-{ent_a.pk}"' in page

    response = client.get(resolve_url(queued), {"q": ent_b.uscc}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="search-results"' in html
    assert ent_b.name in html
    assert f'data-testid="link-{ent_b.pk}"' in html

    nothing = client.get(resolve_url(queued), {"q": "不存在的企业"}, headers={"HX-Request": "true"})
    assert "没有找到" in nothing.content.decode()
