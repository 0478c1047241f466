"""Import history, batch detail and undo."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from parkcredit.records.models import CreditRecord, ImportBatch
from tests import factories as f

from .conftest import penalty_csv, penalty_row

LIST = reverse("records:import_list")


def make_batch(**fields: Any) -> ImportBatch:
    defaults: dict[str, Any] = {
        "source": f.data_source(),
        "label": "批次",
        "profile": "penalty",
        "file_name": "penalty.csv",
        "file_sha256": "ab" * 32,
        "counts": {"new": 3, "duplicate": 1, "corrected": 0, "revoked": 0, "error": 2, "unmatched": 1},
    }
    defaults.update(fields)
    return ImportBatch.objects.create(**defaults)


def test_history_shows_who_when_file_hash_and_counts(login: Any, dept_staff: Any) -> None:
    make_batch(created_by=dept_staff, file_name="二季度处罚.csv", file_sha256="0123456789abcdef" + "0" * 48)
    html = login("inspector").get(LIST).content.decode()
    assert "二季度处罚.csv" in html
    assert "0123456789ab" in html
    assert "李科员" in html
    assert "新增 3" in html and "错误 2" in html and "待关联 1" in html


def test_history_filters(login: Any, park_admin: Any, dept_staff: Any) -> None:
    make_batch(file_name="处罚一.csv", profile="penalty", created_by=park_admin)
    make_batch(file_name="许可一.csv", profile="licence", created_by=dept_staff, status="refused")
    client = login("park_admin")

    def shown(**query: str) -> set[str]:
        html = client.get(LIST, query).content.decode()
        return {name for name in ("处罚一.csv", "许可一.csv") if name in html}

    assert shown() == {"处罚一.csv", "许可一.csv"}
    assert shown(profile="licence") == {"许可一.csv"}
    assert shown(q="处罚") == {"处罚一.csv"}
    assert shown(status="refused") == {"许可一.csv"}
    assert shown(created_by="李科员") == {"许可一.csv"}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert shown(since=tomorrow) == set()
    assert shown(until=tomorrow) == {"处罚一.csv", "许可一.csv"}


def test_an_invalid_filter_is_named_and_ignored(login: Any) -> None:
    make_batch(file_name="处罚一.csv")
    html = login("park_admin").get(LIST, {"since": "2024-02-30"}).content.decode()
    assert "2024-02-30" in html
    assert "处罚一.csv" in html


def test_history_answers_htmx_with_the_table_only(login: Any) -> None:
    make_batch(file_name="处罚一.csv")
    response = login("dept_staff").get(LIST, {"q": "处罚"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="batch-table"' in html
    assert "处罚一.csv" in html


def test_history_paginates(login: Any) -> None:
    for n in range(30):
        make_batch(file_name=f"第{n:02d}批.csv")
    client = login("dept_staff")
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    assert first.count('data-testid="batch-row"') == 25
    assert second.count('data-testid="batch-row"') == 5


@pytest.mark.parametrize(
    ("role", "shown"), [("park_admin", True), ("dept_staff", False), ("inspector", False)]
)
def test_only_the_park_admin_sees_the_undo_button(role: str, shown: bool, login: Any) -> None:
    batch = make_batch()
    undo = reverse("records:import_undo", kwargs={"pk": batch.pk})
    assert (undo in login(role).get(LIST).content.decode()) is shown
    assert (
        undo in login(role).get(reverse("records:import_detail", kwargs={"pk": batch.pk})).content.decode()
    ) is shown


def test_detail_lists_at_most_200_errors(login: Any) -> None:
    errors = [
        {"number": n, "column": "处罚决定日期", "value": f"坏{n}", "reason": "日期格式不正确"}
        for n in range(2, 252)
    ]
    batch = make_batch(errors=errors, counts={"new": 0, "error": 250})
    html = login("inspector").get(reverse("records:import_detail", kwargs={"pk": batch.pk})).content.decode()
    assert "坏201" in html
    assert "坏202<" not in html
    assert "另有 50 条" in html


def test_undo_confirms_first_then_revokes_the_batch(login: Any, ent_a: Any) -> None:
    client = login("park_admin")
    upload = penalty_csv([penalty_row(ent_a.name, ent_a.uscc, "测市监罚〔2024〕801号")])
    client.post(reverse("records:import_upload"), {"profile": "penalty", "file": upload})
    batch = ImportBatch.objects.get()
    record = CreditRecord.objects.get(batch=batch)
    undo = reverse("records:import_undo", kwargs={"pk": batch.pk})

    confirm = client.get(undo)
    assert confirm.status_code == 200
    assert "确认撤销" in confirm.content.decode()
    batch.refresh_from_db()
    assert batch.status == "done"  # looking at the confirmation changes nothing

    response = client.post(undo)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "undone"
    assert batch.undone_at is not None
    assert record.events.filter(event_type="revoked").exists()
    page = client.get(response["Location"]).content.decode()
    assert "已撤销" in page
    # An undone batch cannot be undone again.
    assert "确认撤销" not in client.get(undo).content.decode()
