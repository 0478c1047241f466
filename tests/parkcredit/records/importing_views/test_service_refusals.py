"""When a service refuses, the page says why in Chinese and nothing changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from parkcredit.records.importing import services
from parkcredit.records.importing import views as importing_views
from parkcredit.records.importing.report import ImportReport
from parkcredit.records.models import ImportBatch, UnmatchedRow
from tests import factories as f

from .conftest import penalty_csv, penalty_row


def upload(client: Any, enterprise: Any) -> Any:
    file = penalty_csv([penalty_row(enterprise.name, enterprise.uscc, "测市监罚〔2024〕1101号")])
    return client.post(reverse("records:import_upload"), {"profile": "penalty", "file": file})


def test_a_service_validation_error_shows_on_the_upload_form(
    login: Any, ent_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**kwargs: Any) -> None:
        raise ValidationError("数据来源「某局」已停用")

    monkeypatch.setattr(services, "import_run", refuse)
    response = upload(login("dept_staff"), ent_a)
    assert response.status_code == 200
    assert "数据来源「某局」已停用" in response.content.decode()


def test_a_report_without_a_batch_shows_its_message(
    login: Any, ent_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        services,
        "import_run",
        lambda **kwargs: ImportReport(batch_id=None, status="failed", message="文件没有数据行"),
    )
    response = upload(login("dept_staff"), ent_a)
    assert response.status_code == 200
    assert "文件没有数据行" in response.content.decode()


def test_a_profile_without_a_sample_file_is_404(
    login: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(importing_views, "SAMPLES_DIR", tmp_path)
    response = login("dept_staff").get(reverse("records:sample", kwargs={"name": "penalty"}))
    assert response.status_code == 404


def test_undoing_a_batch_that_is_not_done_is_refused(login: Any) -> None:
    batch = ImportBatch.objects.create(
        source=f.data_source(), label="已拒绝", profile="penalty", status="refused"
    )
    client = login("park_admin")
    response = client.post(reverse("records:import_undo", kwargs={"pk": batch.pk}), follow=True)
    batch.refresh_from_db()
    assert batch.status == "refused"
    assert "只有已完成的批次可以撤销" in response.content.decode()
    assert "不能撤销" in client.get(reverse("records:import_undo", kwargs={"pk": batch.pk})).content.decode()


def test_a_service_refusal_while_resolving_is_shown(
    login: Any, ent_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = ImportBatch.objects.create(source=f.data_source(), label="批次", profile="penalty")
    row = UnmatchedRow.objects.create(batch=batch, number=3, profile="penalty", subject_name="丙贸易有限公司")

    def refuse(**kwargs: Any) -> None:
        raise ValidationError({"row": "第 3 行处罚决定日期缺失"})

    monkeypatch.setattr(services, "unmatched_link", refuse)
    response = login("dept_staff").post(
        reverse("records:unmatched_resolve", kwargs={"pk": row.pk}),
        {"action": "link", "enterprise": ent_a.pk},
    )
    assert response.status_code == 200
    assert "第 3 行处罚决定日期缺失" in response.content.decode()
    row.refresh_from_db()
    assert row.state == "pending"
