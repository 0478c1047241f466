"""The 待关联 queue page reads name suggestions for the whole page at once, not once per row."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parkcredit.records.importing.selectors import unmatched_suggestions, unmatched_suggestions_for_rows
from parkcredit.records.models import ImportBatch, UnmatchedRow
from tests import factories as f

pytestmark = pytest.mark.django_db
QUEUE = reverse("records:unmatched_list")
NAMES = ["甲精密机械股份有限公司", "乙新材料科技股份公司", "精密机械制造有限公司", "某某贸易有限公司"]


def queue(count: int) -> list[UnmatchedRow]:
    batch = ImportBatch.objects.create(source=f.data_source(), label="待关联", profile="penalty")
    return [
        UnmatchedRow.objects.create(batch=batch, number=n + 2, profile="penalty", subject_name=NAMES[n])
        for n in range(count)
    ]


def page_queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(QUEUE).status_code == 200
    return len(captured)


def test_suggestion_queries_do_not_grow_with_the_rows(login: Any, ent_a: Any, ent_b: Any) -> None:
    client = login("dept_staff")
    page_queries(client)  # the first request also saves the session
    rows = queue(1)
    one = page_queries(client)
    UnmatchedRow.objects.filter(pk=rows[0].pk).delete()
    queue(4)
    assert page_queries(client) == one


def test_page_suggestions_match_the_single_row_ones(
    dept_staff: Any, inspector: Any, ent_a: Any, ent_b: Any
) -> None:
    rows = queue(4)
    page = unmatched_suggestions_for_rows(actor=dept_staff, rows=rows, limit=3)
    for row in rows:
        alone = unmatched_suggestions(actor=dept_staff, row=row, limit=3)
        assert [s.enterprise.pk for s in page.get(row.pk, [])] == [s.enterprise.pk for s in alone]
    assert any(page.values())
    assert unmatched_suggestions_for_rows(actor=f.make_user("enterprise", None), rows=rows) == {}
