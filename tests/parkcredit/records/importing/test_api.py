"""POST /api/v1/records/batch: same validation and report as the command, with an idempotency key."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parkcredit.accounts.models import User
from parkcredit.accounts.services import api_token_create
from parkcredit.records.models import CreditRecord, ImportBatch
from tests.parkcredit.records.importing.helpers import penalty_csv, penalty_line, unknown_uscc

pytestmark = pytest.mark.django_db
URL = "/api/v1/records/batch"


def bearer(user: User) -> dict[str, str]:
    raw, _ = api_token_create(actor=None, user=user, name="导入测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def penalty_rows(enterprise: Any, *refs: str, amount: str = "0.2") -> list[dict[str, str]]:
    return [
        {
            "行政相对人名称": enterprise.name,
            "统一社会信用代码": enterprise.uscc,
            "行政处罚决定书文号": ref,
            "处罚类别": "罚款",
            "罚款金额(万元)": amount,
            "处罚决定日期": "2024年5月1日",
            "处罚机关": "某市市场监督管理局",
        }
        for ref in refs
    ]


def post(client: Client, body: dict[str, Any], key: str | None = "key-1", **headers: str) -> Any:
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(
        URL, data=json.dumps(body, ensure_ascii=False), content_type="application/json", **headers
    )


def test_json_rows_import_and_report(client: Client, park_admin: User, ent_a: Any) -> None:
    rows = [*penalty_rows(ent_a, "A-1", "A-2"), {**penalty_rows(ent_a, "A-3")[0], "处罚决定日期": "无"}]
    response = post(client, {"profile": "penalty", "rows": rows}, **bearer(park_admin))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["new"], body["error"], body["duplicate"], body["unmatched"], body["corrected"]) == (
        2,
        1,
        0,
        0,
        0,
    )
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "处罚决定日期"
    assert body["error_file"].endswith(".jsonl")
    assert CreditRecord.objects.filter(source_ref__in=["A-1", "A-2"]).count() == 2


def test_idempotency_key_replay_returns_the_same_report(client: Client, dept_staff: User, ent_a: Any) -> None:
    headers = bearer(dept_staff)
    body = {"profile": "penalty", "rows": penalty_rows(ent_a, "B-1")}
    first = post(client, body, key="same", **headers).json()
    second = post(client, body, key="same", **headers).json()
    assert second == first and second["new"] == 1
    assert ImportBatch.objects.filter(idempotency_key="same").count() == 1
    # The same rows under a new key: a real re-import, all duplicates.
    third = post(client, body, key="other", **headers).json()
    assert third["duplicate"] == 1 and third["new"] == 0
    # The same key for different content is a client error.
    clash = post(client, {"profile": "penalty", "rows": penalty_rows(ent_a, "B-2")}, key="same", **headers)
    assert clash.status_code == 409 and "幂等键" in clash.json()["detail"]


def test_file_upload_gives_the_same_report(client: Client, park_admin: User, ent_a: Any) -> None:
    data = penalty_csv(
        penalty_line(ent_a.name, ent_a.uscc, "C-1"), penalty_line("无档案企业", unknown_uscc(), "C-2")
    )
    upload = SimpleUploadedFile("penalty.csv", data, content_type="text/csv")
    response = client.post(
        URL, {"profile": "penalty", "file": upload}, HTTP_IDEMPOTENCY_KEY="file-1", **bearer(park_admin)
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["new"], body["unmatched"]) == (1, 1)


def test_strict_refusal_is_422_with_the_report(client: Client, park_admin: User, ent_a: Any) -> None:
    rows = [*penalty_rows(ent_a, "D-1"), {**penalty_rows(ent_a, "D-2")[0], "统一社会信用代码": "123"}]
    response = post(client, {"profile": "penalty", "rows": rows, "strict": True}, **bearer(park_admin))
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "refused" and body["error"] == 1 and "严格模式" in body["detail"]
    assert not CreditRecord.objects.exists()


def test_401_without_token(client: Client, ent_a: Any) -> None:
    response = post(client, {"profile": "penalty", "rows": penalty_rows(ent_a, "E-1")})
    assert response.status_code == 401 and "令牌" in response.json()["detail"]


@pytest.mark.parametrize("member", ["inspector", "ent_a_user", "bank_user", "auditor"])
def test_403_for_non_editors(client: Client, member: str, request: pytest.FixtureRequest, ent_a: Any) -> None:
    user = request.getfixturevalue(member)
    response = post(client, {"profile": "penalty", "rows": penalty_rows(ent_a, "F-1")}, **bearer(user))
    assert response.status_code == 403 and "无权导入" in response.json()["detail"]
    assert not CreditRecord.objects.exists()


@pytest.mark.parametrize(
    ("body", "key", "needle"),
    [
        ({"profile": "penalty", "rows": [{"a": "b"}]}, None, "Idempotency-Key"),
        ({"profile": "nope", "rows": [{"a": "b"}]}, "k", "导入模板"),
        ({"profile": "penalty", "rows": []}, "k", "rows"),
        ({"rows": [{"a": "b"}]}, "k", "profile"),
        ({"profile": "penalty", "rows": [{"a": "b"}], "source": "missing"}, "k", "数据来源"),
    ],
)
def test_422_names_the_problem(
    client: Client, park_admin: User, body: dict[str, Any], key: str | None, needle: str
) -> None:
    response = post(client, body, key=key, **bearer(park_admin))
    assert response.status_code == 422
    assert needle in response.json()["detail"]


def test_upload_without_file_is_422(client: Client, park_admin: User) -> None:
    response = client.post(URL, {"profile": "penalty"}, HTTP_IDEMPOTENCY_KEY="x", **bearer(park_admin))
    assert response.status_code == 422 and "file" in response.json()["detail"]


def test_schema_documents_the_key_and_both_bodies(client: Client, park_admin: User) -> None:
    client.force_login(park_admin)
    response = client.get(URL.replace("records/batch", "openapi.json"))
    assert response.status_code == 200
    operation = response.json()["paths"]["/api/v1/records/batch"]["post"]
    assert [p["name"] for p in operation["parameters"]] == ["Idempotency-Key"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"200", "401", "403", "409", "422"} <= set(operation["responses"])
