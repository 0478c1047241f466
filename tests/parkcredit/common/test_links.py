from __future__ import annotations

from typing import Any

from django.test import RequestFactory

from parkcredit.common.links import public_url


def test_configured_public_address_wins_over_the_requesters(settings: Any) -> None:
    request = RequestFactory().get("/", HTTP_HOST="testserver")
    settings.PUBLIC_BASE_URL = "https://credit.example.gov.cn/"
    assert public_url("/c/abc", request) == "https://credit.example.gov.cn/c/abc"
    settings.PUBLIC_BASE_URL = ""
    assert public_url("/c/abc", request) == "http://testserver/c/abc"
    # Commands and jobs have no request: the path stays relative; absolute links pass through.
    assert public_url("/c/abc") == "/c/abc"
    assert public_url("https://elsewhere.example/x", request) == "https://elsewhere.example/x"
