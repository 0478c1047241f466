"""Archive pages: the role × object permission matrix, list page vs htmx fragment, search,
filters, pagination, the masked archive card, and the create / edit flows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from parkcredit.audit.models import AuditEntry
from parkcredit.enterprises.models import Enterprise, EnterpriseTag
from parkcredit.records.models import RecordEvent
from tests import factories as f
from tests.conftest import CAST

pytestmark = pytest.mark.django_db

ROLES = (*CAST, "anon")
# Who may see which enterprise (ent_a consented to bank_user).
SEES = {
    "park_admin": {"a", "b"},
    "dept_staff": {"a", "b"},
    "inspector": {"a", "b"},
    "ent_a_user": {"a"},
    "ent_b_user": {"b"},
    "bank_user": {"a"},
}
EDITORS = {"park_admin", "dept_staff"}


def _expected_detail(role: str, target: str) -> int:
    if role == "anon":
        return 302
    return 200 if target in SEES.get(role, set()) else 404


def _expected_edit(role: str, target: str) -> int:
    if role == "anon":
        return 302
    if target not in SEES.get(role, set()):
        return 404  # not even a hint that it exists
    return 200 if role in EDITORS else 403


@pytest.fixture
def both(ent_a: Enterprise, ent_b: Enterprise) -> dict[str, Enterprise]:
    return {"a": ent_a, "b": ent_b}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", ["a", "b"])
def test_detail_matrix(role: str, target: str, login: Any, both: dict[str, Enterprise]) -> None:
    response = login(role).get(reverse("enterprises:detail", args=[both[target].pk]))
    assert response.status_code == _expected_detail(role, target)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("target", ["a", "b"])
def test_edit_matrix(role: str, target: str, login: Any, both: dict[str, Enterprise]) -> None:
    client = login(role)
    url = reverse("enterprises:edit", args=[both[target].pk])
    assert client.get(url).status_code == _expected_edit(role, target)
    if role not in EDITORS:
        assert client.post(url, {"name": "改名"}).status_code == _expected_edit(role, target)
    both[target].refresh_from_db()
    assert both[target].name != "改名"


@pytest.mark.parametrize("role", ROLES)
def test_create_matrix(role: str, login: Any, both: dict[str, Enterprise]) -> None:
    client = login(role)
    url = reverse("enterprises:create")
    expected = 302 if role == "anon" else 200 if role in EDITORS else 403
    assert client.get(url).status_code == expected
    if role not in EDITORS:
        assert (
            client.post(url, {"uscc": f.make_uscc(), "name": "新企业", "status": "operating"}).status_code
            == expected
        )
        assert not Enterprise.objects.filter(name="新企业").exists()


@pytest.mark.parametrize("role", ROLES)
def test_list_matrix(role: str, login: Any, both: dict[str, Enterprise]) -> None:
    response = login(role).get(reverse("enterprises:list"))
    if role == "anon":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        return
    assert response.status_code == 200
    shown = {e.name for e in response.context["page"]}
    assert shown == {both[t].name for t in SEES.get(role, set())}


@pytest.mark.parametrize("role", ROLES)
def test_mine_matrix(role: str, login: Any, both: dict[str, Enterprise]) -> None:
    response = login(role).get(reverse("enterprises:mine"))
    if role in ("ent_a_user", "ent_b_user"):
        own = both[role[4]]
        assert response.status_code == 302
        assert response["Location"] == reverse("enterprises:detail", args=[own.pk])
    elif role == "anon":
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    else:
        assert response.status_code == 404


# --- list -------------------------------------------------------------------------------------


def test_list_full_page_and_htmx_fragment(login: Any, ent_a: Enterprise) -> None:
    client = login("park_admin")
    full = client.get(reverse("enterprises:list"))
    html = full.content.decode()
    assert "<html" in html and 'id="enterprise-filters"' in html and 'id="enterprise-table"' in html
    assert 'hx-trigger="input changed delay:300ms, change"' in html
    assert reverse("enterprises:create") in html  # editors get the button
    fragment = client.get(reverse("enterprises:list"), headers={"HX-Request": "true"})
    part = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in part and 'id="enterprise-filters"' not in part
    assert part.lstrip().startswith('<div id="enterprise-table"')
    assert ent_a.name in part
    assert "HX-Request" in fragment["Vary"]


def test_history_restore_gets_the_full_page(login: Any) -> None:
    response = login("park_admin").get(
        reverse("enterprises:list"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_list_has_no_create_button_for_non_editors(login: Any) -> None:
    html = login("inspector").get(reverse("enterprises:list")).content.decode()
    assert reverse("enterprises:create") not in html


def test_list_search_and_filters(login: Any, ent_a: Enterprise, ent_b: Enterprise) -> None:
    client = login("dept_staff")
    url = reverse("enterprises:list")

    def names(**params: Any) -> set[str]:
        response = client.get(url, params, headers={"HX-Request": "true"})
        return {e.name for e in response.context["page"]}

    assert names(q="新材料") == {ent_b.name}
    assert names(q=ent_a.uscc[-8:].lower()) == {ent_a.name}
    ent_b.status = "moved_out"
    ent_b.save()
    assert names(status="moved_out") == {ent_b.name}
    EnterpriseTag.objects.create(enterprise=ent_a, tag="specialised")
    assert names(tag="specialised") == {ent_a.name}
    # A bad filter is reported and ignored, the page still answers.
    response = client.get(url, {"size": "huge", "q": "甲"})
    assert response.status_code == 200
    assert {e.name for e in response.context["page"]} == {ent_a.name}
    assert "企业规模「huge」" in response.content.decode()


def test_list_pagination(login: Any) -> None:
    for n in range(30):
        f.make_enterprise(f"分页企业{n:02d}")
    client = login("park_admin")
    first = client.get(reverse("enterprises:list"), {"q": "分页"})
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("enterprises:list"), {"q": "分页", "page": 2}, headers={"HX-Request": "true"})
    assert [e.name for e in second.context["page"]] == [f"分页企业{n}" for n in range(25, 30)]
    html = second.content.decode()
    assert 'hx-target="#enterprise-table"' in html and "q=%E5%88%86%E9%A1%B5" in html
    # Out-of-range and junk page numbers fall back to a real page.
    assert client.get(reverse("enterprises:list"), {"page": "x"}).status_code == 200
    assert client.get(reverse("enterprises:list"), {"q": "分页", "page": 99}).context["page"].number == 2


# --- detail -----------------------------------------------------------------------------------

ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


@pytest.fixture
def ent_a_personal(ent_a: Enterprise) -> Enterprise:
    ent_a.legal_representative_id_number = ID_NUMBER
    ent_a.contact_phone = PHONE
    ent_a.save()
    return ent_a


@pytest.mark.parametrize("role", ["park_admin", "inspector", "ent_a_user"])
def test_detail_shows_personal_data_masked_only(role: str, login: Any, ent_a_personal: Enterprise) -> None:
    html = login(role).get(reverse("enterprises:detail", args=[ent_a_personal.pk])).content.decode()
    assert "110***********002X" in html
    assert "138****5678" in html
    assert ID_NUMBER not in html and PHONE not in html


def test_detail_withholds_personal_data_from_banks(login: Any, ent_a_personal: Enterprise) -> None:
    html = login("bank_user").get(reverse("enterprises:detail", args=[ent_a_personal.pk])).content.decode()
    assert ID_NUMBER not in html and PHONE not in html
    assert "110***" not in html and "138****" not in html
    assert "已授权查询的金融机构" not in html  # the consent list is for park staff and the enterprise


def test_detail_card(login: Any, ent_a: Enterprise, ent_b: Enterprise) -> None:
    EnterpriseTag.objects.create(
        enterprise=ent_a, tag="new_economy", since=date(2024, 1, 1), until=date(2099, 12, 31)
    )
    record = f.make_record(ent_a, summary="未按规定公示年度报告")
    disputed = f.make_record(ent_a)
    RecordEvent.objects.create(record=disputed, event_type="disputed", at=timezone.now())
    f.make_record(ent_b, summary="乙企业的记录")
    f.grant_consent(ent_a, f.make_organisation("bank", name="示范银行"))
    html = login("park_admin").get(reverse("enterprises:detail", args=[ent_a.pk])).content.decode()
    assert reverse("records:detail", args=[record.pk]) in html
    assert "有效" in html and "异议中" in html
    assert "乙企业的记录" not in html
    assert "新业态" in html and "包容期内" in html and "2099-12-31" in html
    assert "示范银行" in html
    assert reverse("enterprises:edit", args=[ent_a.pk]) in html


def test_detail_chart_data_travels_as_json(login: Any, ent_a: Enterprise) -> None:
    from decimal import Decimal

    from parkcredit.records.models import Observation

    today = timezone.localdate()
    Observation.objects.create(
        enterprise=ent_a,
        metric="electricity",
        period=today.replace(day=1),
        value=Decimal("321.5"),
        source=f.data_source(),
    )
    html = login("park_admin").get(reverse("enterprises:detail", args=[ent_a.pk])).content.decode()
    assert 'data-chart="chart-electricity"' in html
    assert '<script id="chart-electricity" type="application/json">' in html
    assert "321.5" in html
    assert "js/charts.js" in html
    assert "<script>" not in html  # no inline script under the CSP


def test_detail_without_observations_loads_no_chart_script(login: Any, ent_a: Enterprise) -> None:
    html = login("park_admin").get(reverse("enterprises:detail", args=[ent_a.pk])).content.decode()
    assert "js/charts.js" not in html
    assert "data-chart=" not in html


# --- create and edit --------------------------------------------------------------------------


def _form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "uscc": f.make_uscc(),
        "name": "戊电子科技有限公司",
        "legal_representative": "吴五",
        "legal_representative_id_number": ID_NUMBER,
        "contact_phone": PHONE,
        "registered_capital": "1000000",
        "founded_on": "2020-06-01",
        "industry_code": "c3971",
        "status": "operating",
        "in_park": "on",
        "tags": ["new_economy", "high_tech"],
        "new_economy_since": "2024-01-01",
        "new_economy_until": "2026-12-31",
    }
    data.update(overrides)
    return data


def test_create_flow(login: Any) -> None:
    client = login("dept_staff")
    response = client.post(reverse("enterprises:create"), _form_data())
    enterprise = Enterprise.objects.get(name="戊电子科技有限公司")
    assert response.status_code == 302
    assert response["Location"] == reverse("enterprises:detail", args=[enterprise.pk])
    assert enterprise.industry_code == "C3971"
    assert enterprise.legal_representative_id_number == ID_NUMBER
    assert {t.tag: t.until for t in enterprise.tags.all()} == {
        "new_economy": date(2026, 12, 31),
        "high_tech": None,
    }
    assert AuditEntry.objects.filter(action="enterprise.created", object_id=str(enterprise.pk)).exists()


def test_create_with_legacy_code_shows_a_warning(login: Any) -> None:
    client = login("park_admin")
    response = client.post(reverse("enterprises:create"), _form_data(uscc="91350211M0000XUF46"), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "试点" in html
    assert Enterprise.objects.get(uscc="91350211M0000XUF46").uscc_legacy


def test_create_errors_name_field_and_mask_personal_values(login: Any, ent_a: Enterprise) -> None:
    client = login("park_admin")
    response = client.post(
        reverse("enterprises:create"),
        _form_data(uscc=ent_a.uscc, legal_representative_id_number="110105194912310021"),
    )
    assert response.status_code == 200
    errors = " ".join(str(e) for field in response.context["form"].errors.values() for e in field)
    assert "110***********0021" in errors and "110105194912310021" not in errors
    # The typed value is echoed only inside its own input, for the same user to correct it.
    assert response.content.decode().count("110105194912310021") == 1
    assert not Enterprise.objects.filter(name="戊电子科技有限公司").exists()
    # Once the ID number is right, the duplicate USCC is reported by the service, naming ent_a.
    response = client.post(reverse("enterprises:create"), _form_data(uscc=ent_a.uscc))
    assert response.status_code == 200
    assert ent_a.name in response.content.decode()
    assert not Enterprise.objects.filter(name="戊电子科技有限公司").exists()


def test_edit_keeps_personal_data_unless_replaced_or_cleared(login: Any, ent_a_personal: Enterprise) -> None:
    client = login("park_admin")
    url = reverse("enterprises:edit", args=[ent_a_personal.pk])
    page = client.get(url).content.decode()
    assert ID_NUMBER not in page and PHONE not in page
    assert "110***********002X" in page  # shown masked as a placeholder
    data = _form_data(
        uscc=ent_a_personal.uscc, name="甲精密", legal_representative_id_number="", contact_phone=""
    )
    assert client.post(url, data).status_code == 302
    ent_a_personal.refresh_from_db()
    assert ent_a_personal.name == "甲精密"
    assert ent_a_personal.legal_representative_id_number == ID_NUMBER
    assert ent_a_personal.contact_phone == PHONE
    data["clear_contact_phone"] = "on"
    data["legal_representative_id_number"] = "440524188001010014"
    assert client.post(url, data).status_code == 302
    ent_a_personal.refresh_from_db()
    assert ent_a_personal.contact_phone == ""
    assert ent_a_personal.legal_representative_id_number == "440524188001010014"


def test_edit_service_error_is_shown_on_the_form(login: Any, ent_a: Enterprise, ent_b: Enterprise) -> None:
    response = login("park_admin").post(
        reverse("enterprises:edit", args=[ent_b.pk]), _form_data(uscc=ent_a.uscc, name="乙")
    )
    assert response.status_code == 200
    assert ent_a.name in response.content.decode()
    ent_b.refresh_from_db()
    assert ent_b.name == "乙新材料科技有限公司"


def test_detail_shows_a_corrected_record_as_corrected(login: Any, dept_staff: Any, ent_a: Enterprise) -> None:
    from parkcredit.records.services import record_event_append

    # A correction leaves the old version in the timeline as 已更正 (it once crashed the page).
    record = f.make_record(ent_a)
    record_event_append(actor=dept_staff, record=record, event_type="corrected", note="金额更正")
    page = login("dept_staff").get(reverse("enterprises:detail", kwargs={"pk": ent_a.pk}))
    assert page.status_code == 200
    assert "已更正" in page.content.decode()
