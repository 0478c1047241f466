"""Red and black lists: drafting, filling from grades, publishing, withdrawing, with audit rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parkcredit.audit.models import AuditEntry
from parkcredit.portal import services
from parkcredit.portal.models import ListEntry, ListState, PublishedList
from tests import factories as f

pytestmark = pytest.mark.django_db


def _draft(actor: Any, kind: str = "red") -> PublishedList:
    return services.list_create(actor=actor, kind=kind, title="2026年第四季度红名单", period="2026年第四季度")


def test_staff_drafts_and_admin_publishes(dept_staff: Any, park_admin: Any, ent_a: Any) -> None:
    draft = _draft(dept_staff)
    assert draft.state == ListState.DRAFT
    services.list_entry_add(
        actor=dept_staff, published_list=draft, uscc=ent_a.uscc.lower(), reason="纳税信用 A 级"
    )
    published = services.list_publish(actor=park_admin, published_list=draft)
    assert published.state == ListState.PUBLISHED
    assert published.published_by == park_admin
    assert PublishedList.objects.public().filter(pk=draft.pk).exists()
    actions = list(
        AuditEntry.objects.filter(action__startswith="portal.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["portal.list_create", "portal.list_entry_add", "portal.list_publish"]


def test_department_staff_cannot_publish(dept_staff: Any, ent_a: Any) -> None:
    draft = _draft(dept_staff)
    services.list_entry_add(actor=dept_staff, published_list=draft, uscc=ent_a.uscc, reason="理由")
    with pytest.raises(PermissionDenied):
        services.list_publish(actor=dept_staff, published_list=draft)
    draft.refresh_from_db()
    assert draft.published_at is None


@pytest.mark.parametrize("role", ["inspector", "ent_a_user", "bank_user", "auditor"])
def test_other_roles_cannot_draft(role: str, request: pytest.FixtureRequest) -> None:
    with pytest.raises(PermissionDenied):
        _draft(request.getfixturevalue(role))
    assert not PublishedList.objects.exists()


def test_empty_list_is_not_published(park_admin: Any) -> None:
    draft = _draft(park_admin)
    with pytest.raises(ValidationError, match="还没有企业"):
        services.list_publish(actor=park_admin, published_list=draft)


def test_bad_input_names_field_and_value(dept_staff: Any, ent_a: Any) -> None:
    with pytest.raises(ValidationError) as bad_kind:
        services.list_create(actor=dept_staff, kind="green", title="t", period="p")
    assert "green" in str(bad_kind.value.message_dict["kind"])
    with pytest.raises(ValidationError) as no_title:
        services.list_create(actor=dept_staff, kind="red", title="  ", period="p")
    assert "标题" in str(no_title.value.message_dict["title"])
    draft = _draft(dept_staff)
    with pytest.raises(ValidationError) as unknown:
        services.list_entry_add(actor=dept_staff, published_list=draft, uscc="91410000MA00000000", reason="r")
    assert "91410000MA00000000" in str(unknown.value.message_dict["uscc"])
    outside = f.make_enterprise("园外供应商有限公司", in_park=False)
    with pytest.raises(ValidationError):
        services.list_entry_add(actor=dept_staff, published_list=draft, uscc=outside.uscc, reason="r")
    services.list_entry_add(actor=dept_staff, published_list=draft, uscc=ent_a.uscc, reason="r")
    with pytest.raises(ValidationError, match="已在本名单中"):
        services.list_entry_add(actor=dept_staff, published_list=draft, uscc=ent_a.uscc, reason="r")
    with pytest.raises(ValidationError) as no_reason:
        services.list_entry_add(actor=dept_staff, published_list=draft, uscc=ent_a.uscc, reason="")
    assert "列入理由" in str(no_reason.value.message_dict["reason"])
    assert draft.entries.count() == 1


def test_published_list_is_frozen_and_withdrawn_with_reason(park_admin: Any, ent_a: Any, ent_b: Any) -> None:
    draft = _draft(park_admin)
    entry = services.list_entry_add(actor=park_admin, published_list=draft, uscc=ent_a.uscc, reason="r")
    services.list_publish(actor=park_admin, published_list=draft)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.list_entry_add(actor=park_admin, published_list=draft, uscc=ent_b.uscc, reason="r")
    with pytest.raises(ValidationError, match="不能再修改"):
        services.list_entry_remove(actor=park_admin, entry=entry)
    with pytest.raises(ValidationError, match="撤回原因"):
        services.list_withdraw(actor=park_admin, published_list=draft, reason="")
    withdrawn = services.list_withdraw(actor=park_admin, published_list=draft, reason="名单有误")
    assert withdrawn.state == ListState.WITHDRAWN
    assert not PublishedList.objects.public().filter(pk=draft.pk).exists()
    with pytest.raises(ValidationError, match="只能撤回已发布的名单"):
        services.list_withdraw(actor=park_admin, published_list=draft, reason="再次")
    assert AuditEntry.objects.filter(action="portal.list_withdraw", detail__reason="名单有误").count() == 1


def test_remove_entry_from_draft(dept_staff: Any, ent_a: Any) -> None:
    draft = _draft(dept_staff)
    entry = services.list_entry_add(actor=dept_staff, published_list=draft, uscc=ent_a.uscc, reason="r")
    services.list_entry_remove(actor=dept_staff, entry=entry)
    assert not ListEntry.objects.exists()
    assert AuditEntry.objects.filter(action="portal.list_entry_remove").exists()


def test_fill_red_list_from_grade_a(dept_staff: Any, grade: Any, ent_a: Any, ent_b: Any) -> None:
    grade(ent_a, "A")
    grade(ent_b, "B")
    draft = _draft(dept_staff)
    assert services.list_fill_suggested(actor=dept_staff, published_list=draft) == 1
    entry = draft.entries.get()
    assert entry.enterprise == ent_a
    assert "A 级" in entry.reason
    # Already listed: nothing more to suggest.
    assert services.list_fill_suggested(actor=dept_staff, published_list=draft) == 0


def test_fill_black_list_from_grade_d_and_serious_list(
    dept_staff: Any, grade: Any, ent_a: Any, ent_b: Any
) -> None:
    grade(ent_a, "D")
    grade(ent_b, "C")
    f.make_record(ent_b, "serious-dishonesty", severity="serious", source_ref="豫严失〔2026〕3号")
    repaired = f.make_enterprise("丙已修复有限公司")
    record = f.make_record(repaired, "serious-dishonesty", severity="serious")
    from django.utils import timezone

    from parkcredit.records.models import RecordEvent

    RecordEvent.objects.create(record=record, event_type="repaired", at=timezone.now())
    draft = _draft(dept_staff, kind="black")
    chosen = services.list_fill_suggested(actor=dept_staff, published_list=draft, enterprise_ids=[ent_b.pk])
    assert chosen == 1
    assert draft.entries.get().reason.startswith("列入严重失信主体名单(豫严失〔2026〕3号")
    assert services.list_fill_suggested(actor=dept_staff, published_list=draft) == 1
    assert set(draft.entries.values_list("enterprise_id", flat=True)) == {ent_a.pk, ent_b.pk}


def test_demo_lists_are_published_once(park_admin: Any, grade: Any, ent_a: Any, ent_b: Any) -> None:
    from parkcredit.portal.demo import demo_load

    grade(ent_a, "A")
    grade(ent_b, "D")
    assert "红名单 1 家、黑名单 1 家" in demo_load()
    assert PublishedList.objects.public().count() == 2
    assert "红名单 1 家、黑名单 1 家" in demo_load()
    assert PublishedList.objects.count() == 2
