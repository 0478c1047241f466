"""The archive admin is read-only for enterprises, tags and consents, and never shows personal data."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from parkcredit.enterprises.models import BankConsent, Building, Enterprise
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client: Client) -> Client:
    user = f.make_user("system_admin", f.department("zhb"), is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", [Enterprise, BankConsent])
def test_archive_models_are_read_only(model: Any) -> None:
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_buildings_stay_editable() -> None:
    assert Building in admin.site._registry


def test_enterprise_admin_pages_hide_personal_data(
    superuser_client: Client, ent_a: Enterprise, bank_user: Any
) -> None:
    ent_a.legal_representative_id_number = "11010519491231002X"
    ent_a.contact_phone = "13812345678"
    ent_a.save()
    changelist = superuser_client.get(reverse("admin:enterprises_enterprise_changelist"))
    assert changelist.status_code == 200
    assert ent_a.name in changelist.content.decode()
    page = superuser_client.get(reverse("admin:enterprises_enterprise_change", args=[ent_a.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "11010519491231002X" not in html and "13812345678" not in html
    consents = superuser_client.get(reverse("admin:enterprises_bankconsent_changelist"))
    assert consents.status_code == 200
    assert "县农商银行" in consents.content.decode()
