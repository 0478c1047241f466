"""The ledger admin: catalogue and sources editable and audited, ledger rows view-only."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from creditcore.ledger import RecordState, Status
from parkcredit.accounts.models import Role
from parkcredit.audit.models import AuditEntry
from parkcredit.records.models import DataSource, ImportBatch, RecordKind
from parkcredit.records.services import observation_record, record_register, relation_record
from parkcredit.records.templatetags.records_tags import status_badge, status_label, yuan
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    superuser = f.make_user(Role.SYSTEM_ADMIN, f.department("zhb"), is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return client


@pytest.fixture
def ledger(ent_a: Any, ent_b: Any) -> dict[str, Any]:
    source = f.data_source()
    batch = ImportBatch.objects.create(source=source, label="批次一")
    record = record_register(
        actor=None,
        enterprise=ent_a,
        kind="penalty",
        source=source,
        source_ref="罚〔2025〕1号",
        severity="minor",
        decided_on=date(2025, 1, 2),
        amount="10",
        batch=batch,
    )
    observation = observation_record(
        actor=None, enterprise=ent_a, metric="water", period=date(2025, 1, 1), value="30", source=source
    )
    relation = relation_record(
        actor=None,
        enterprise=ent_a,
        counterparty=ent_b,
        relation_type="customer",
        weight="0.2",
        source=source,
    )
    return {
        "creditrecord": record,
        "recordevent": record.events.get(),
        "importbatch": batch,
        "observation": observation,
        "relation": relation,
    }


READ_ONLY = ("creditrecord", "recordevent", "importbatch", "observation", "relation")


@pytest.mark.parametrize("model", [*READ_ONLY, "recordkind", "datasource"])
def test_changelists_open(admin_client: Client, ledger: dict[str, Any], model: str) -> None:
    assert admin_client.get(reverse(f"admin:records_{model}_changelist")).status_code == 200


@pytest.mark.parametrize("model", READ_ONLY)
def test_ledger_rows_are_view_only(admin_client: Client, ledger: dict[str, Any], model: str) -> None:
    obj = ledger[model]
    change_url = reverse(f"admin:records_{model}_change", args=[obj.pk])
    page = admin_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.get(reverse(f"admin:records_{model}_add")).status_code == 403
    assert admin_client.post(change_url, {}).status_code == 403
    assert admin_client.get(reverse(f"admin:records_{model}_delete", args=[obj.pk])).status_code == 403


def kind_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "park-volunteer",
        "name": "园区志愿服务",
        "category": "park_honours",
        "polarity": "positive",
        "severities": "[]",
        "payload_fields": '["服务时长"]',
        "publicity_rule": "",
        "repair_rule": "",
        "description": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_adding_and_changing_a_kind_is_audited(admin_client: Client) -> None:
    response = admin_client.post(reverse("admin:records_recordkind_add"), kind_form())
    assert response.status_code == 302
    kind = RecordKind.objects.get(code="park-volunteer")
    created = AuditEntry.objects.get(action="recordkind.created")
    assert created.object_id == str(kind.pk)
    assert created.detail["via"] == "admin"
    response = admin_client.post(
        reverse("admin:records_recordkind_change", args=[kind.pk]),
        kind_form(name="志愿服务表彰", is_active=""),
    )
    assert response.status_code == 302
    changed = AuditEntry.objects.get(action="recordkind.changed")
    assert changed.detail["changed_fields"] == ["is_active", "name"]


def test_saving_a_source_is_audited_and_sources_cannot_be_deleted(admin_client: Client) -> None:
    response = admin_client.post(
        reverse("admin:records_datasource_add"),
        {"code": "city-platform", "name": "市信用平台", "kind": "public_platform", "organisation": ""},
    )
    assert response.status_code == 302
    source = DataSource.objects.get(code="city-platform")
    assert AuditEntry.objects.filter(action="datasource.created", object_id=str(source.pk)).exists()
    assert admin_client.get(reverse("admin:records_datasource_delete", args=[source.pk])).status_code == 403


def test_yuan_filter() -> None:
    assert yuan(None) == ""
    assert yuan("") == ""
    assert yuan("1234.5") == "1,234.50 元"


@pytest.mark.parametrize(
    ("state", "polarity", "badge", "label"),
    [
        (RecordState(exists=True), "negative", "bg-red-lt", "有效"),
        (RecordState(exists=True), "positive", "bg-green-lt", "有效"),
        (RecordState(exists=True), "neutral", "bg-blue-lt", "有效"),
        (RecordState(exists=True, disputed=True), "negative", "bg-orange-lt", "有效(异议中)"),
        (RecordState(exists=True, status=Status.REPAIRED), "negative", "bg-green-lt", "已修复"),
        (RecordState(exists=True, status=Status.REVOKED), "negative", "bg-secondary-lt", "已撤销"),
        (RecordState(exists=True, status=Status.PUBLICITY_ENDED), "negative", "bg-secondary-lt", "公示期满"),
    ],
)
def test_status_badges(state: RecordState, polarity: str, badge: str, label: str) -> None:
    assert status_badge(state, polarity) == badge
    assert status_label(state) == label
