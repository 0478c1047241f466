"""The public portal: search, the enterprise page, the grade guide and the published lists."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parkcredit.portal import selectors, services
from parkcredit.scoring.services import model_seed
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_exact_uscc_goes_straight_to_the_enterprise(client: Client, ent_a: Any) -> None:
    response = client.get(reverse("portal:home"), {"q": f" {ent_a.uscc.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:enterprise", kwargs={"uscc": ent_a.uscc})


def test_name_search_lists_park_enterprises_with_grades(client: Client, grade: Any) -> None:
    hit = f.make_enterprise("河阳精密铸造有限公司")
    grade(hit, "A")
    f.make_enterprise("河阳精密物流有限公司")
    f.make_enterprise("园外精密贸易有限公司", in_park=False)
    f.make_enterprise("乙化工有限公司")
    response = client.get(reverse("portal:home"), {"q": "精密"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "河阳精密铸造有限公司" in body and "河阳精密物流有限公司" in body
    assert "园外精密贸易有限公司" not in body and "乙化工有限公司" not in body
    assert 'data-grade="A"' in body


def test_search_is_paginated(client: Client) -> None:
    for n in range(25):
        f.make_enterprise(f"分页测试{n:02d}有限公司")
    first = client.get(reverse("portal:home"), {"q": "分页测试"}).content.decode()
    second = client.get(reverse("portal:home"), {"q": "分页测试", "page": "2"}).content.decode()
    assert "分页测试00有限公司" in first and "分页测试24有限公司" not in first
    assert "分页测试24有限公司" in second and "分页测试00有限公司" not in second


def test_search_by_code_fragment_and_no_match(client: Client, ent_a: Any) -> None:
    assert ent_a.name in client.get(reverse("portal:home"), {"q": ent_a.uscc[:12]}).content.decode()
    assert "没有找到" in client.get(reverse("portal:home"), {"q": "不存在的企业"}).content.decode()


def test_enterprise_page_shows_public_information_only(client: Client, grade: Any) -> None:
    enterprise = f.make_enterprise(
        "丁电子有限公司",
        legal_representative="李四",
        legal_representative_id_number="410102198001011234",
        contact_phone="13812345678",
        address="河阳县工业大道8号",
    )
    grade(enterprise, "B")
    response = client.get(reverse("portal:enterprise", kwargs={"uscc": enterprise.uscc}))
    assert response.status_code == 200
    body = response.content.decode()
    assert "丁电子有限公司" in body and enterprise.uscc in body
    assert 'data-grade="B"' in body and "bg-yellow" in body
    for private in ("李四", "410102198001011234", "13812345678", "1234", "5678"):
        assert private not in body


def test_enterprise_page_404_for_unknown_and_outside(client: Client) -> None:
    outside = f.make_enterprise("园外企业有限公司", in_park=False)
    assert client.get(reverse("portal:enterprise", kwargs={"uscc": outside.uscc})).status_code == 404
    assert client.get(reverse("portal:enterprise", kwargs={"uscc": "nonsense"})).status_code == 404
    assert client.get("/public/e/%00/").status_code == 404
    assert client.get("/public/e/" + "9" * 300 + "/").status_code == 404


def test_enterprise_page_without_grade(client: Client, ent_a: Any) -> None:
    body = client.get(reverse("portal:enterprise", kwargs={"uscc": ent_a.uscc})).content.decode()
    assert "暂无信用等级" in body


def test_grade_guide_comes_from_the_published_model(client: Client, published_model: Any) -> None:
    guide = selectors.grade_guide()
    assert guide is not None
    assert [(b.grade, b.min_score, b.max_score) for b in guide.bands] == [
        ("A", 800, 1000),
        ("B", 600, 799),
        ("C", 400, 599),
        ("D", 0, 399),
    ]
    assert guide.total_points == 1000 and guide.base_score == 600
    body = client.get(reverse("portal:grades")).content.decode()
    assert "信用分 800–1000 分" in body and "失信被执行人" in body and "直接评为 D 级" in body


def test_grade_guide_follows_the_default_model(client: Client) -> None:
    model_seed()
    body = client.get(reverse("portal:grades")).content.decode()
    assert "信用分 850–1000 分" in body and "信用优良" in body and "最高 C 级" in body


def test_grade_guide_before_any_model(client: Client) -> None:
    assert "尚未发布" in client.get(reverse("portal:grades")).content.decode()


def test_published_lists_are_public_drafts_and_withdrawn_are_not(
    client: Client, park_admin: Any, ent_a: Any, ent_b: Any
) -> None:
    red = services.list_create(actor=park_admin, kind="red", title="红名单第一批", period="2026年")
    services.list_entry_add(actor=park_admin, published_list=red, uscc=ent_a.uscc, reason="连续三年 A 级")
    services.list_publish(actor=park_admin, published_list=red)
    draft = services.list_create(actor=park_admin, kind="black", title="黑名单草稿", period="2026年")
    services.list_entry_add(actor=park_admin, published_list=draft, uscc=ent_b.uscc, reason="严重失信")
    gone = services.list_create(actor=park_admin, kind="black", title="已撤回黑名单", period="2025年")
    services.list_entry_add(actor=park_admin, published_list=gone, uscc=ent_b.uscc, reason="x")
    services.list_publish(actor=park_admin, published_list=gone)
    services.list_withdraw(actor=park_admin, published_list=gone, reason="有误")

    index = client.get(reverse("portal:lists")).content.decode()
    assert "红名单第一批" in index and "黑名单草稿" not in index and "已撤回黑名单" not in index
    assert "红名单第一批" not in client.get(reverse("portal:lists"), {"kind": "black"}).content.decode()
    detail = client.get(reverse("portal:list", kwargs={"pk": red.pk})).content.decode()
    assert ent_a.name in detail and "连续三年 A 级" in detail
    assert client.get(reverse("portal:list", kwargs={"pk": draft.pk})).status_code == 404
    assert client.get(reverse("portal:list", kwargs={"pk": gone.pk})).status_code == 404
    # The enterprise page says the enterprise is on the published list.
    page = client.get(reverse("portal:enterprise", kwargs={"uscc": ent_a.uscc})).content.decode()
    assert "红名单第一批" in page
    assert (
        "黑名单草稿"
        not in client.get(reverse("portal:enterprise", kwargs={"uscc": ent_b.uscc})).content.decode()
    )
    assert "红名单第一批" in client.get(reverse("portal:home")).content.decode()


def test_login_page_links_to_the_portal(client: Client) -> None:
    assert reverse("portal:home") in client.get(reverse("accounts:login")).content.decode()


FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_code_typed_any_way_finds_its_enterprise(data: st.DataObject, ent_a: Any) -> None:
    """Lower case, full-width characters and stray spaces (as pasted from a PDF or a phone
    keyboard) still count as the exact code."""
    typed = ""
    for ch in ent_a.uscc:
        form = data.draw(st.sampled_from(["same", "lower", "full", "space"]))
        typed += {"same": ch, "lower": ch.lower(), "full": FULL_WIDTH.get(ch, ch), "space": f" {ch}"}[form]
    result = selectors.portal_search(typed)
    assert result.exact == ent_a


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=30))
def test_any_search_text_is_answered_without_an_error(text: str, ent_a: Any) -> None:
    result = selectors.portal_search(text)
    if result.exact is None and result.matches is not None:
        list(result.matches[:5])


def test_control_characters_in_the_search_are_ignored(client: Client, ent_a: Any) -> None:
    assert selectors.portal_search(f"\x00{ent_a.uscc}\t").exact == ent_a
    assert selectors.portal_search("\x00\x01").query == ""
    assert client.get(reverse("portal:home"), {"q": "甲\x00精密"}).status_code == 200
