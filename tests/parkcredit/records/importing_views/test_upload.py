"""The upload page: profile help over htmx, samples, size limits, synchronous and background imports."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from creditcore.collection.profiles import PROFILES
from parkcredit.jobs.models import Job
from parkcredit.records.importing import forms as importing_forms
from parkcredit.records.importing.views import SAMPLES_DIR
from parkcredit.records.models import CreditRecord, ImportBatch

from .conftest import penalty_csv, penalty_row

UPLOAD = reverse("records:import_upload")


def post(client: Any, upload: SimpleUploadedFile, **fields: Any) -> Any:
    return client.post(UPLOAD, {"profile": "penalty", "file": upload, **fields})


def test_upload_page_lists_the_chosen_profiles_columns(login: Any) -> None:
    response = login("dept_staff").get(UPLOAD, {"profile": "licence"})
    html = response.content.decode()
    assert response.status_code == 200
    for spec in PROFILES["licence"].columns:
        assert spec.label in html
    assert reverse("records:sample", kwargs={"name": "licence"}) in html
    assert 'hx-get="' + reverse("records:import_profile") in html


def test_profile_columns_come_back_as_an_htmx_fragment(login: Any) -> None:
    response = login("park_admin").get(
        reverse("records:import_profile"), {"profile": "rent"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="profile-columns"' in html
    assert PROFILES["rent"].columns[0].label in html
    assert "HX-Request" in response["Vary"]


def test_unknown_profile_fragment_asks_for_a_choice(login: Any) -> None:
    response = login("park_admin").get(
        reverse("records:import_profile"), {"profile": "nonsense"}, headers={"HX-Request": "true"}
    )
    assert "请选择导入类型" in response.content.decode()


def test_sample_download_serves_the_profiles_sample(login: Any) -> None:
    response = login("inspector").get(reverse("records:sample", kwargs={"name": "penalty"}))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert response.content == (SAMPLES_DIR / "penalty.csv").read_bytes()


@pytest.mark.parametrize("name", ["settings", "penalty-gbk", "README"])
def test_sample_download_only_serves_profile_names(name: str, login: Any) -> None:
    assert login("park_admin").get(reverse("records:sample", kwargs={"name": name})).status_code == 404


def test_a_path_never_reaches_the_sample_view(login: Any) -> None:
    response = login("park_admin").get("/records/imports/samples/..%2F..%2Fconfig%2Fsettings/")
    assert response.status_code == 404


def test_uploading_a_file_creates_a_batch_and_shows_its_counts(login: Any, ent_a: Any, ent_b: Any) -> None:
    client = login("dept_staff")
    upload = penalty_csv(
        [
            penalty_row(ent_a.name, ent_a.uscc, "测市监罚〔2024〕101号"),
            penalty_row(ent_b.name, ent_b.uscc, "测市监罚〔2024〕102号"),
        ]
    )
    response = post(client, upload)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("records:import_detail", kwargs={"pk": batch.pk})
    assert batch.counts["new"] == 2
    assert CreditRecord.objects.filter(batch=batch).count() == 2

    html = client.get(response["Location"]).content.decode()
    assert 'data-stat="new">2<' in html
    assert 'data-stat="error">0<' in html
    assert "penalty.csv" in html


def test_a_file_with_errors_offers_the_error_file(login: Any, ent_a: Any) -> None:
    client = login("park_admin")
    upload = penalty_csv(
        [
            penalty_row(ent_a.name, ent_a.uscc, "测市监罚〔2024〕201号"),
            penalty_row(ent_a.name, ent_a.uscc, "测市监罚〔2024〕202号", CF_JDRQ="明年某日"),
        ]
    )
    detail = client.get(post(client, upload)["Location"])
    batch = ImportBatch.objects.get()
    html = detail.content.decode()
    assert batch.counts == {**batch.counts, "new": 1, "error": 1}
    assert 'data-stat="error">1<' in html
    assert "明年某日" in html  # the value, in the first-errors table
    errors_url = reverse("records:import_errors", kwargs={"pk": batch.pk})
    assert errors_url in html

    download = client.get(errors_url)
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    text = download.content.decode("utf-8-sig")
    assert "错误原因" in text
    assert "明年某日" in text
    assert "测市监罚〔2024〕201号" not in text  # only the rejected rows go back


def test_strict_mode_writes_nothing_when_a_row_is_wrong(login: Any, ent_a: Any) -> None:
    client = login("dept_staff")
    upload = penalty_csv(
        [
            penalty_row(ent_a.name, ent_a.uscc, "测市监罚〔2024〕301号"),
            penalty_row(ent_a.name, ent_a.uscc, "测市监罚〔2024〕302号", CF_JDRQ="2024-13-45"),
        ]
    )
    html = client.get(post(client, upload, strict="on")["Location"]).content.decode()
    batch = ImportBatch.objects.get()
    assert batch.status == "refused"
    assert not CreditRecord.objects.filter(source_ref__startswith="测市监罚〔2024〕30").exists()
    assert "严格模式" in html


def test_the_error_file_of_a_clean_batch_is_404(login: Any, ent_a: Any) -> None:
    client = login("dept_staff")
    post(client, penalty_csv([penalty_row(ent_a.name, ent_a.uscc, "测市监罚〔2024〕401号")]))
    batch = ImportBatch.objects.get()
    assert client.get(reverse("records:import_errors", kwargs={"pk": batch.pk})).status_code == 404


def test_a_file_over_the_limit_is_refused_with_a_clear_message(login: Any, settings: Any, ent_a: Any) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    rows = [penalty_row(ent_a.name, ent_a.uscc, f"测市监罚〔2024〕5{n:02d}号") for n in range(5)]
    response = post(login("dept_staff"), penalty_csv(rows, name="大文件.csv"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "大文件.csv" in html
    assert "超过上限" in html
    assert not ImportBatch.objects.exists()


def test_no_file_is_a_clear_error(login: Any) -> None:
    response = login("dept_staff").post(UPLOAD, {"profile": "penalty"})
    assert response.status_code == 200
    assert "请选择要导入的文件" in response.content.decode()


def test_an_unknown_profile_names_the_value(login: Any, ent_a: Any) -> None:
    upload = penalty_csv([penalty_row(ent_a.name, ent_a.uscc, "测市监罚〔2024〕601号")])
    response = post(login("dept_staff"), upload, profile="no-such-profile")
    assert "no-such-profile" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_unreadable_file_writes_nothing_and_says_why(login: Any) -> None:
    upload = SimpleUploadedFile(
        "坏文件.xlsx", b"PK\x03\x04 this is not a workbook", content_type="application/zip"
    )
    client = login("dept_staff")
    response = post(client, upload)
    if response.status_code == 302:  # the service kept a failed batch to show
        response = client.get(response["Location"])
    html = response.content.decode()
    assert "坏文件.xlsx" in html
    assert not CreditRecord.objects.exists()


def test_a_large_file_runs_as_a_background_job(
    login: Any, monkeypatch: pytest.MonkeyPatch, ent_a: Any
) -> None:
    monkeypatch.setattr(importing_forms, "BACKGROUND_THRESHOLD_BYTES", 10)
    upload = penalty_csv([penalty_row(ent_a.name, ent_a.uscc, "测市监罚〔2024〕701号")])
    response = post(login("dept_staff"), upload)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", kwargs={"pk": job.pk})
    # The test task backend runs the job at once: the batch is there and points at the job.
    batch = ImportBatch.objects.get()
    assert batch.counts["new"] == 1
    assert batch.job_id == job.pk
