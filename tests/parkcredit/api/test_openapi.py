"""The OpenAPI schema and the offline docs page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

READ_PATHS = {"/api/v1/enterprises", "/api/v1/enterprises/{uscc}", "/api/v1/enterprises/{uscc}/records"}
WRITE_PATHS = {"/api/v1/records/batch"}
PATHS = READ_PATHS | WRITE_PATHS


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_schema_is_openapi_31_and_lists_the_paths(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.1")
    assert schema["info"]["title"] == "园区信用平台接口"
    assert set(schema["paths"]) == PATHS
    operation_ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids)) == 4


def test_the_batch_import_is_a_post_with_its_errors_declared(schema: dict[str, Any]) -> None:
    item = schema["paths"]["/api/v1/records/batch"]
    assert set(item) == {"post"}
    operation = item["post"]
    assert {"BearerTokenAuth": []} in operation["security"]
    # 403: role may not import; 409: idempotency key reused with other content; 422: bad input.
    assert {"200", "401", "403", "409", "422"} <= set(operation["responses"])


def test_every_read_operation_is_get_with_auth_and_declared_errors(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["BearerTokenAuth"].items()
    assert schemes["ActiveSessionAuth"]["in"] == "cookie"
    for path, item in schema["paths"].items():
        if path in WRITE_PATHS:
            continue
        assert set(item) == {"get"}, path
        operation = item["get"]
        assert {"BearerTokenAuth": []} in operation["security"]
        assert {"200", "401", "404", "422"} <= set(operation["responses"]), path
        for code in ("401", "404", "422"):
            ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorOut"
        for parameter in operation.get("parameters", []):
            assert parameter["in"] in {"query", "path"} and parameter["name"]


def test_all_references_resolve(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    assert components["ErrorOut"]["required"] == ["detail"]
    for ref in _refs(schema):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in components


def test_schema_carries_no_personal_data_fields(schema: dict[str, Any]) -> None:
    text = str(schema)
    assert "id_number" not in text
    assert "phone" not in text


def test_docs_page_is_offline_and_fits_the_csp(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src is not None and "unsafe-inline" not in script_src.group(1)
    assert "unsafe-eval" not in csp
    # No external host anywhere: not in attributes, not in the swagger settings.
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html
    # Every script is either a file from /static/ or a non-executable JSON block.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    for attributes in scripts:
        assert 'src="/static/' in attributes or 'type="application/json"' in attributes, attributes
    for path in re.findall(r"(?:src|href)=\"/static/([^\"]+)\"", html):
        assert finders.find(path), path


def test_docs_page_has_no_inline_event_handlers(client: Client) -> None:
    html = client.get("/api/v1/docs").content.decode()
    assert not re.search(r"<[^>]+\son[a-z]+=", html)


def test_signed_in_docs_page_passes_the_csrf_token_for_try_it_out(client: Client, park_admin: Any) -> None:
    client.force_login(park_admin)
    html = client.get("/api/v1/docs").content.decode()
    assert 'data-api-csrf="true"' in html
    assert re.search(r'data-csrf-token="[A-Za-z0-9]{20,}"', html)
