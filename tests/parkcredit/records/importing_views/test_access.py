"""Who may open which collection page: editors import and resolve, park roles read, only the
park administrator undoes; everyone else gets 403 and anonymous visitors the login page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from parkcredit.records.models import ImportBatch, UnmatchedRow
from tests import factories as f
from tests.conftest import CAST

PARK = {"park_admin", "dept_staff", "inspector"}
EDITORS = {"park_admin", "dept_staff"}


@pytest.fixture
def batch(db: Any) -> ImportBatch:
    return ImportBatch.objects.create(
        source=f.data_source(), label="测试批次", profile="penalty", file_name="penalty.csv"
    )


@pytest.fixture
def queued(batch: ImportBatch) -> UnmatchedRow:
    return UnmatchedRow.objects.create(
        batch=batch, number=2, profile="penalty", subject_name="丙贸易有限公司"
    )


PAGES = [
    ("records:import_upload", None, EDITORS),
    ("records:import_profile", None, EDITORS),
    ("records:import_list", None, PARK),
    ("records:import_detail", "batch", PARK),
    ("records:import_undo", "batch", {"park_admin"}),
    ("records:unmatched_list", None, EDITORS),
    ("records:unmatched_resolve", "queued", EDITORS),
    ("records:quality", None, PARK),
]


@pytest.mark.parametrize("role", [*CAST, "anon"])
@pytest.mark.parametrize(("name", "obj", "allowed"), PAGES, ids=[page[0] for page in PAGES])
def test_page_status_per_cast_member(
    role: str, name: str, obj: str | None, allowed: set[str], login: Any, request: pytest.FixtureRequest
) -> None:
    kwargs = {"pk": request.getfixturevalue(obj).pk} if obj else None
    client = login(role)
    response = client.get(reverse(name, kwargs=kwargs))
    if role == "anon":
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    else:
        assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("records:import_detail", "inspector"),
        ("records:import_errors", "dept_staff"),
        ("records:import_undo", "park_admin"),
        ("records:unmatched_resolve", "dept_staff"),
    ],
)
def test_missing_objects_are_404(name: str, role: str, login: Any) -> None:
    assert login(role).get(reverse(name, kwargs={"pk": 987654})).status_code == 404


def test_undo_post_is_refused_to_dept_staff(login: Any, batch: ImportBatch) -> None:
    response = login("dept_staff").post(reverse("records:import_undo", kwargs={"pk": batch.pk}))
    assert response.status_code == 403
    batch.refresh_from_db()
    assert batch.undone_at is None


def test_upload_post_is_refused_to_the_inspector(login: Any) -> None:
    response = login("inspector").post(reverse("records:import_upload"), {"profile": "penalty"})
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


def test_a_refusal_is_audited(login: Any) -> None:
    from parkcredit.audit.models import AuditEntry

    login("bank_user").get(reverse("records:import_list"))
    assert AuditEntry.objects.filter(
        action="access.denied", detail__path=reverse("records:import_list")
    ).exists()
