"""The REST API: authentication, scoping per cast member, filters, errors and personal data."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone
from ninja.errors import HttpError

from config.api import ActiveSessionAuth, describe_validation_error
from parkcredit.accounts.models import User
from parkcredit.accounts.services import api_token_create, api_token_revoke
from parkcredit.enterprises.models import EnterpriseTag
from parkcredit.records.services import record_event_append, record_register
from tests import factories as f

pytestmark = pytest.mark.django_db

ID_NUMBER = "410102198001011234"
PHONE = "13912345678"

# Which enterprises each member of the cast sees through the API.
VISIBLE = {
    "park_admin": {"a", "b"},
    "dept_staff": {"a", "b"},
    "inspector": {"a", "b"},
    "ent_a_user": {"a"},
    "ent_b_user": {"b"},
    "bank_user": {"a"},
    "bank_unauthorised_user": set(),
    "system_admin": set(),
    "security_admin": set(),
    "auditor": set(),
}


@pytest.fixture
def park(ent_a: Any, ent_b: Any) -> dict[str, Any]:
    ent_a.legal_representative_id_number = ID_NUMBER
    ent_a.contact_phone = PHONE
    ent_a.registered_capital = "5000000.00"
    ent_a.save()
    EnterpriseTag.objects.create(enterprise=ent_a, tag="specialised", since=date(2023, 1, 1))
    EnterpriseTag.objects.create(enterprise=ent_b, tag="gazelle", until=date(2020, 1, 1))  # lapsed
    source = f.data_source()
    start = timezone.now() - timedelta(days=30)
    penalty = record_register(
        actor=None,
        enterprise=ent_a,
        kind="penalty",
        source=source,
        source_ref="罚〔2025〕1号",
        severity="general",
        decided_on=date(2025, 3, 1),
        amount="5000",
        authority="示范市应急管理局",
        at=start,
    )
    record_event_append(actor=None, record=penalty, event_type="disputed", at=start + timedelta(days=1))
    arrears = record_register(
        actor=None,
        enterprise=ent_a,
        kind="tax-arrears",
        source=source,
        source_ref="税〔2024〕9号",
        severity="serious",
        decided_on=date(2024, 8, 1),
        amount="12.5",
        at=start,
    )
    record_event_append(actor=None, record=arrears, event_type="repaired", at=start + timedelta(days=2))
    honour = record_register(
        actor=None,
        enterprise=ent_b,
        kind="honour",
        source=source,
        source_ref="表彰〔2025〕2号",
        decided_on=date(2025, 1, 1),
    )
    return {"a": ent_a, "b": ent_b, "penalty": penalty, "arrears": arrears, "honour": honour}


def token_for(user: User) -> str:
    raw, _ = api_token_create(actor=None, user=user, name="集成测试")
    return raw


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- authentication --------------------------------------------------------------------------


def test_token_auth(client: Client, park: dict[str, Any], park_admin: User) -> None:
    response = client.get("/api/v1/enterprises", **bearer(token_for(park_admin)))
    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": "Bearer not-a-token"},
        {"HTTP_AUTHORIZATION": "Token something"},
    ],
)
def test_missing_or_bad_token_is_401_in_chinese(
    client: Client, park: dict[str, Any], headers: dict[str, str]
) -> None:
    response = client.get("/api/v1/enterprises", **headers)
    assert response.status_code == 401
    assert "未认证" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(client: Client, park: dict[str, Any], park_admin: User) -> None:
    raw, token = api_token_create(actor=None, user=park_admin, name="将被吊销")
    assert client.get("/api/v1/enterprises", **bearer(raw)).status_code == 200
    api_token_revoke(actor=None, token=token)
    assert client.get("/api/v1/enterprises", **bearer(raw)).status_code == 401


def test_token_of_a_disabled_account_is_401(client: Client, park: dict[str, Any], dept_staff: User) -> None:
    raw = token_for(dept_staff)
    dept_staff.is_active = False
    dept_staff.save()
    assert client.get("/api/v1/enterprises", **bearer(raw)).status_code == 401


def test_session_auth(login: Any, park: dict[str, Any]) -> None:
    response = login("dept_staff").get("/api/v1/enterprises")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_session_auth_keeps_csrf_for_unsafe_methods(park_admin: User) -> None:
    factory = RequestFactory()
    auth = ActiveSessionAuth()
    for method, expect_ok in (("get", True), ("post", False)):
        request = getattr(factory, method)("/api/v1/enterprises")
        request.user = park_admin
        request.COOKIES["sessionid"] = "x"
        if expect_ok:
            assert auth(request) == park_admin
        else:
            with pytest.raises(HttpError) as caught:
                auth(request)
            assert caught.value.status_code == 403


def test_session_auth_refuses_anonymous_and_inactive(rf: RequestFactory, park_admin: User) -> None:
    from django.contrib.auth.models import AnonymousUser

    auth = ActiveSessionAuth()
    request = rf.get("/api/v1/enterprises")
    request.user = AnonymousUser()
    assert auth(request) is None
    park_admin.is_active = False
    request.user = park_admin
    assert auth(request) is None


# --- scoping: the same rows as the pages -------------------------------------------------------


@pytest.mark.parametrize(("who", "visible"), sorted(VISIBLE.items()))
def test_scoping_per_cast_member(
    client: Client, park: dict[str, Any], request: pytest.FixtureRequest, who: str, visible: set[str]
) -> None:
    user: User = request.getfixturevalue(who)
    headers = bearer(token_for(user))
    listed = {item["uscc"] for item in client.get("/api/v1/enterprises", **headers).json()["items"]}
    assert listed == {park[key].uscc for key in visible}
    for key in ("a", "b"):
        uscc = park[key].uscc
        expected = 200 if key in visible else 404
        detail = client.get(f"/api/v1/enterprises/{uscc}", **headers)
        records = client.get(f"/api/v1/enterprises/{uscc}/records", **headers)
        assert detail.status_code == expected
        assert records.status_code == expected
        if expected == 404:
            # Forbidden and missing read the same.
            missing = client.get(f"/api/v1/enterprises/{f.make_uscc(99999)}", **headers)
            assert detail.json() == missing.json() == {"detail": "企业档案不存在"}


def test_personal_data_never_leaves(client: Client, park: dict[str, Any], park_admin: User) -> None:
    headers = bearer(token_for(park_admin))
    uscc = park["a"].uscc
    for url in ("/api/v1/enterprises", f"/api/v1/enterprises/{uscc}", f"/api/v1/enterprises/{uscc}/records"):
        body = client.get(url, **headers).content.decode()
        assert ID_NUMBER not in body
        assert PHONE not in body
        assert "id_number" not in body
        assert "phone" not in body


# --- the enterprise endpoints ------------------------------------------------------------------


def test_enterprise_detail_fields_and_uscc_normalisation(
    client: Client, park: dict[str, Any], park_admin: User
) -> None:
    headers = bearer(token_for(park_admin))
    messy = " " + park["a"].uscc.lower() + " "
    response = client.get(f"/api/v1/enterprises/{messy}", **headers)
    assert response.status_code == 200
    body = response.json()
    assert body["uscc"] == park["a"].uscc
    assert body["name"] == "甲精密机械有限公司"
    assert body["registered_capital"] == "5000000.00"
    assert body["tags"] == ["specialised"]
    assert body["status_label"] == "在营"
    assert "甲精密" in response.content.decode()  # UTF-8, not \\u escapes


def test_enterprise_list_filters_and_pages(client: Client, park: dict[str, Any], park_admin: User) -> None:
    headers = bearer(token_for(park_admin))

    def usccs(query: str) -> list[str]:
        response = client.get(f"/api/v1/enterprises?{query}", **headers)
        assert response.status_code == 200, response.content
        return [item["uscc"] for item in response.json()["items"]]

    a, b = park["a"].uscc, park["b"].uscc
    assert usccs("search=乙新材料") == [b]
    assert usccs(f"search={a}") == [a]
    assert usccs("tag=specialised") == [a]
    assert usccs("tag=gazelle") == []  # the tag has lapsed
    assert sorted(usccs("cluster=高端装备制造")) == sorted([a, b])
    assert usccs("cluster=生物医药") == []
    first = client.get("/api/v1/enterprises?page_size=1", **headers).json()
    second = client.get("/api/v1/enterprises?page_size=1&page=2", **headers).json()
    assert first["count"] == second["count"] == 2
    assert len(first["items"]) == len(second["items"]) == 1
    assert first["items"] != second["items"]
    assert client.get("/api/v1/enterprises?page=9", **headers).json()["items"] == []


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("page_size=101", "参数 page_size 的值「101」无效:不能大于 100"),
        ("page_size=abc", "参数 page_size 的值「abc」无效:应为整数"),
        ("page=0", "参数 page 的值「0」无效:不能小于 1"),
        ("tag=big", "参数 tag 的值「big」无效"),
    ],
)
def test_enterprise_list_bad_parameters_are_422_in_chinese(
    client: Client, park: dict[str, Any], park_admin: User, query: str, fragment: str
) -> None:
    response = client.get(f"/api/v1/enterprises?{query}", **bearer(token_for(park_admin)))
    assert response.status_code == 422
    assert fragment in response.json()["detail"]


# --- the records endpoint --------------------------------------------------------------------


def test_records_with_status_from_the_fold(client: Client, park: dict[str, Any], bank_user: User) -> None:
    response = client.get(f"/api/v1/enterprises/{park['a'].uscc}/records", **bearer(token_for(bank_user)))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    penalty, arrears = body["items"]
    assert penalty["kind"] == {
        "code": "penalty",
        "name": "行政处罚",
        "category": "administrative",
        "polarity": "negative",
    }
    assert penalty["source_ref"] == "罚〔2025〕1号"
    assert penalty["amount"] == "5000.00"
    assert penalty["decided_on"] == "2025-03-01"
    assert penalty["authority"] == "示范市应急管理局"
    assert penalty["status"] == "active" and penalty["disputed"] is True
    assert arrears["status"] == "repaired" and arrears["status_label"] == "已修复"
    assert arrears["amount"] == "12.50"
    assert arrears["disputed"] is False


def test_records_filters(client: Client, park: dict[str, Any], park_admin: User) -> None:
    headers = bearer(token_for(park_admin))
    base = f"/api/v1/enterprises/{park['a'].uscc}/records"

    def refs(query: str) -> list[str]:
        response = client.get(f"{base}?{query}", **headers)
        assert response.status_code == 200, response.content
        return [item["source_ref"] for item in response.json()["items"]]

    assert refs("kind=penalty") == ["罚〔2025〕1号"]
    assert refs("since=2025-01-01") == ["罚〔2025〕1号"]
    assert refs("until=2024-08-01") == ["税〔2024〕9号"]
    assert refs("since=2024-08-01&until=2025-03-01") == ["罚〔2025〕1号", "税〔2024〕9号"]
    assert refs("kind=honour") == []
    assert refs("page_size=1&page=2") == ["税〔2024〕9号"]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("kind=bogus", "参数 kind 的值「bogus」无效"),
        ("since=2025-13-01", "参数 since 的值「2025-13-01」无效:应为日期"),
        ("since=2025-02-01&until=2025-01-01", "晚于 until"),
    ],
)
def test_records_bad_parameters_are_422(
    client: Client, park: dict[str, Any], park_admin: User, query: str, fragment: str
) -> None:
    response = client.get(
        f"/api/v1/enterprises/{park['a'].uscc}/records?{query}", **bearer(token_for(park_admin))
    )
    assert response.status_code == 422
    assert fragment in response.json()["detail"]


def test_records_of_a_missing_enterprise_is_404(
    client: Client, park: dict[str, Any], park_admin: User
) -> None:
    response = client.get("/api/v1/enterprises/NOT-A-CODE/records", **bearer(token_for(park_admin)))
    assert response.status_code == 404
    assert response.json() == {"detail": "企业档案不存在"}


def test_validation_error_description_without_a_submitted_value(rf: RequestFactory) -> None:
    request = rf.get("/api/v1/enterprises")
    assert (
        describe_validation_error(request, {"loc": ("body", "x"), "type": "missing"})
        == "参数 x 无效:必须填写"
    )
    odd = {"loc": ("query", "page"), "type": "greater_than_equal", "msg": "too small", "ctx": {}}
    assert describe_validation_error(request, odd) == "参数 page 无效:too small"
    unknown = {"loc": ("query",), "type": "weird", "msg": "odd input"}
    assert describe_validation_error(request, unknown) == "参数 query 无效:odd input"


def test_path_parameter_values_are_named(rf: RequestFactory) -> None:
    from django.urls import resolve

    request = rf.get("/api/v1/enterprises/X/records")
    request.resolver_match = resolve("/api/v1/enterprises/X/records")
    error = {"loc": ("path", "uscc"), "type": "string_too_long", "msg": "long"}
    assert describe_validation_error(request, error) == "参数 uscc 的值「X」无效:过长"
    assert (
        describe_validation_error(request, {"loc": ("path", "other"), "type": "missing"})
        == "参数 other 无效:必须填写"
    )


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        (403, "CSRF check Failed", "请求被拒绝:CSRF 校验失败或无权执行该操作"),
        (429, "Too many requests.", "请求过于频繁,请稍后再试"),
        (418, "teapot", "请求失败(HTTP 418)"),
        (409, "已存在", "已存在"),
    ],
)
def test_http_errors_answer_in_chinese(rf: RequestFactory, status: int, message: str, expected: str) -> None:
    from config.api import api

    response = api.on_exception(rf.get("/api/v1/enterprises"), HttpError(status, message))
    assert response.status_code == status
    assert response.content.decode() == '{"detail": "' + expected + '"}'
