"""The admin shows the audit log and the jobs but never lets anyone change them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory

from parkcredit.accounts.models import Role
from parkcredit.audit.models import AuditChainHead, AuditEntry
from parkcredit.audit.services import audit_log
from parkcredit.jobs.models import Job
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [AuditEntry, AuditChainHead, Job])
def test_even_a_superuser_cannot_add_change_or_delete(model: Any) -> None:
    superuser = f.make_user(Role.SYSTEM_ADMIN, f.department("zhb"), is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    obj = model.objects.first()
    assert model_admin.has_view_permission(request, obj)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)


def test_audit_changelist_renders_for_a_superuser(client: Any) -> None:
    audit_log(actor=None, action="test.admin")
    superuser = f.make_user(Role.SYSTEM_ADMIN, f.department("zhb"), is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.get("/admin/audit/auditentry/")
    assert response.status_code == 200
    assert "test.admin" in response.content.decode()
