"""Staff list pages and the enterprise self-service dashboard."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from parkcredit.portal import services
from parkcredit.portal.models import ListEntry, PublishedList
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_staff_drafts_fills_and_admin_publishes_through_the_pages(
    login: Any, grade: Any, ent_a: Any, ent_b: Any, park_admin: Any
) -> None:
    grade(ent_a, "A")
    staff = login("dept_staff")
    response = staff.post(
        reverse("portal:manage_create"), {"kind": "red", "title": "第一批红名单", "period": "2026年第四季度"}
    )
    created = PublishedList.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:manage_detail", args=[created.pk]
    )
    detail = staff.get(reverse("portal:manage_detail", args=[created.pk])).content.decode()
    assert 'data-testid="candidates"' in detail and ent_a.name in detail
    staff.post(reverse("portal:suggest", args=[created.pk]), {"enterprise": [str(ent_a.pk)]})
    staff.post(
        reverse("portal:entry_add", args=[created.pk]), {"uscc": ent_b.uscc, "reason": "纳税信用 A 级"}
    )
    assert set(created.entries.values_list("enterprise_id", flat=True)) == {ent_a.pk, ent_b.pk}
    # Department staff may not publish.
    assert staff.post(reverse("portal:publish", args=[created.pk])).status_code == 403

    admin = login("park_admin")
    assert admin.post(reverse("portal:publish", args=[created.pk])).status_code == 302
    created.refresh_from_db()
    assert created.published_by == park_admin
    page = admin.get(reverse("portal:manage_detail", args=[created.pk])).content.decode()
    assert "撤回名单" in page and "移出" not in page
    admin.post(reverse("portal:withdraw", args=[created.pk]), {"reason": "核对有误"})
    created.refresh_from_db()
    assert created.withdrawn_reason == "核对有误"


def test_page_errors_are_shown_in_chinese(login: Any, ent_a: Any, park_admin: Any) -> None:
    staff = login("dept_staff")
    page = staff.post(reverse("portal:manage_create"), {"kind": "red", "title": "", "period": "x"})
    assert page.status_code == 200 and "invalid-feedback" in page.content.decode()
    assert not PublishedList.objects.exists()
    draft = services.list_create(actor=park_admin, kind="black", title="黑名单", period="2026")
    response = staff.post(
        reverse("portal:entry_add", args=[draft.pk]),
        {"uscc": "91000000000000000X", "reason": "r"},
        follow=True,
    )
    assert "91000000000000000X" in response.content.decode()
    response = staff.post(reverse("portal:suggest", args=[draft.pk]), {"enterprise": ["abc"]}, follow=True)
    assert "abc" in response.content.decode()
    admin = login("park_admin")
    response = admin.post(reverse("portal:publish", args=[draft.pk]), follow=True)
    assert "还没有企业" in response.content.decode()


def test_entry_of_another_list_is_404(login: Any, park_admin: Any, ent_a: Any) -> None:
    one = services.list_create(actor=park_admin, kind="red", title="一", period="p")
    other = services.list_create(actor=park_admin, kind="red", title="二", period="p")
    entry = services.list_entry_add(actor=park_admin, published_list=other, uscc=ent_a.uscc, reason="r")
    staff = login("dept_staff")
    assert staff.post(reverse("portal:entry_remove", args=[one.pk, entry.pk])).status_code == 404
    assert ListEntry.objects.filter(pk=entry.pk).exists()
    assert staff.post(reverse("portal:entry_remove", args=[other.pk, entry.pk])).status_code == 302
    assert not ListEntry.objects.filter(pk=entry.pk).exists()


def test_self_service_shows_own_grade_records_and_nothing_of_others(
    login: Any, grade: Any, ent_a: Any, ent_b: Any
) -> None:
    grade(ent_a, "C")
    grade(ent_b, "A")
    own = f.make_record(ent_a, source_ref="甲罚字〔2026〕1号", summary="甲的处罚")
    f.make_record(ent_a, "tax-credit-grade", source_ref="甲纳税A", summary="纳税信用 A 级", severity="")
    f.make_record(ent_b, source_ref="乙罚字〔2026〕9号", summary="乙的处罚")
    client = login("ent_a_user")
    response = client.get(reverse("portal:mine"))
    assert response.status_code == 200
    body = response.content.decode()
    assert ent_a.name in body and ent_a.uscc in body
    assert 'data-testid="self-grade">C<' in body
    assert "甲罚字〔2026〕1号" in body and "甲纳税A" in body
    assert 'data-testid="score-improvements"' in body or "如何提升" in body
    assert f'data-record="{own.pk}"' in body
    for foreign in (ent_b.name, ent_b.uscc, "乙罚字〔2026〕9号", "乙的处罚"):
        assert foreign not in body
    # One repair window line per negative record, none for the positive one.
    assert body.count('data-testid="repair-window"') == 1


def test_self_service_links_to_the_enterprises_own_public_page(login: Any, ent_a: Any) -> None:
    body = login("ent_a_user").get(reverse("portal:mine")).content.decode()
    assert reverse("portal:enterprise", kwargs={"uscc": ent_a.uscc}) in body
    assert "尚未评分" in body


def test_self_service_for_an_enterprise_account_without_enterprise(client: Any) -> None:
    from parkcredit.accounts.models import Role

    user = f.make_user(Role.ENTERPRISE, None)
    client.force_login(user)
    assert client.get(reverse("portal:mine")).status_code == 404
