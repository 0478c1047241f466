"""The round trip a visitor makes: scan the printed QR code, open the page, see the verdict."""

from __future__ import annotations

import base64
import io
import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
import zxingcpp
from django.test import Client
from django.urls import reverse
from PIL import Image

from creditcore import codesign
from parkcredit.codes.models import EnterpriseCode
from parkcredit.codes.services import code_issue, code_revoke
from parkcredit.enterprises.models import Enterprise
from tests.parkcredit.codes.support import give_grade, issued_code

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _verdict(response: Any) -> tuple[str, str]:
    html = response.content.decode()
    match = re.search(r'data-testid="code-verdict" data-valid="(\w+)" data-reason="(\w+)"', html)
    assert match, html[:2000]
    return match.group(1), match.group(2)


def _decode_png(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return str(results[0].text)


def test_round_trip_png_scanned_and_followed_shows_verified(login: Any, ent_a: Enterprise) -> None:
    code = issued_code(ent_a, "A")
    owner = login("ent_a_user")
    response = owner.get(reverse("codes:qr_png", kwargs={"pk": ent_a.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert ent_a.uscc in response["Content-Disposition"]

    url = _decode_png(response.content)
    assert url == f"http://testserver/c/{code.token}"

    visitor = Client()
    page = visitor.get(urlsplit(url).path)
    assert page.status_code == 200
    assert _verdict(page) == ("true", "ok")
    html = page.content.decode()
    assert "已验证" in html and ent_a.name in html and ent_a.uscc in html
    assert 'data-grade="A"' in html and "bg-green" in html
    assert "no-cache" in page["Cache-Control"] and "noindex" in page["X-Robots-Tag"]


def test_svg_download_is_the_same_qr_code_as_the_png(login: Any, ent_a: Enterprise) -> None:
    from xml.etree import ElementTree

    from parkcredit.codes import presentation

    code = issued_code(ent_a)
    response = login("park_admin").get(reverse("codes:qr_svg", kwargs={"pk": ent_a.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own response
    assert root.tag.endswith("svg")
    assert response.content == presentation.qr_svg(f"http://testserver{code.url}")


def _one_byte_changed(token: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[20] ^= 0x01  # inside the USCC: someone "borrowing" a good code for another enterprise
    return base64.urlsafe_b64encode(bytes(raw)).decode()


def test_one_byte_changed_token_is_refused_as_forged(client: Client, ent_a: Enterprise) -> None:
    code = issued_code(ent_a)
    page = client.get(f"/c/{_one_byte_changed(code.token or '')}")
    assert page.status_code == 200
    assert _verdict(page) == ("false", codesign.BAD_SIGNATURE)
    html = page.content.decode()
    assert "警告:此信用码无效" in html and "伪造或被篡改" in html
    # Nothing from a forged token is repeated as if it were true.
    assert ent_a.name not in html and 'data-testid="code-card"' not in html


@pytest.mark.parametrize("token", ["garbage", "A" * 124, "x" * 5000, "%E4%B8%AD", "AQ--__"])
def test_garbled_tokens_warn_and_never_fail(client: Client, token: str) -> None:
    page = client.get(f"/c/{token}")
    assert page.status_code == 200
    valid, reason = _verdict(page)
    assert valid == "false" and reason in codesign.FORGERY_REASONS


def test_expired_token_is_refused_as_expired(client: Client, ent_a: Enterprise) -> None:
    code = issued_code(ent_a)
    with time_machine.travel(code.valid_until + timedelta(seconds=1), tick=False):
        page = client.get(code.url)
    assert _verdict(page) == ("false", codesign.EXPIRED)
    html = page.content.decode()
    assert "信用码已过期" in html and ent_a.name in html and "已失效,不代表当前等级" in html


def test_revoked_token_is_refused_as_revoked(client: Client, ent_a: Enterprise, park_admin: Any) -> None:
    code = issued_code(ent_a)
    code_revoke(actor=park_admin, code=code, reason="企业申请注销,核实中(内部说明)")
    page = client.get(code.url)
    assert _verdict(page) == ("false", codesign.REVOKED)
    html = page.content.decode()
    assert "信用码已撤销" in html
    assert "内部说明" not in html  # the revocation reason is internal


def test_superseded_token_points_to_the_newer_code(client: Client, ent_a: Enterprise) -> None:
    old = issued_code(ent_a, "B")
    give_grade(ent_a, "A")
    new = code_issue(actor=None, enterprise=ent_a)
    page = client.get(old.url)
    assert _verdict(page) == ("false", codesign.SUPERSEDED)
    assert f'href="{new.url}"' in page.content.decode()
    assert _verdict(client.get(new.url)) == ("true", codesign.OK)


def test_genuine_token_unknown_to_the_database(client: Client, ent_a: Enterprise) -> None:
    code = issued_code(ent_a)
    token = code.url
    EnterpriseCode.objects.filter(pk=code.pk).delete()
    page = client.get(token)
    assert _verdict(page) == ("false", codesign.UNKNOWN_CODE)


def test_public_page_shows_no_personal_data(client: Client, db: Any) -> None:
    from tests import factories as f

    enterprise = f.make_enterprise(
        "丙电子有限公司",
        legal_representative="张三",
        legal_representative_id_number="410102198001011237",
        contact_phone="13912345678",
    )
    code = issued_code(enterprise)
    html = client.get(code.url).content.decode()
    assert "张三" not in html and "410102198001011237" not in html and "13912345678" not in html
    assert not ID_NUMBER.search(html.replace(enterprise.uscc, ""))
    assert not PHONE.search(html)


def test_records_and_commitments_come_from_their_contracts(
    client: Client, ent_a: Enterprise, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date
    from types import SimpleNamespace

    from tests import factories as f

    record = f.make_record(ent_a, summary="未按规定设置安全警示标志", authority="县应急管理局")
    record.window = SimpleNamespace(publicity_end=date(2027, 6, 30))  # type: ignore[attr-defined]
    commitment = SimpleNamespace(title="守法经营承诺书", signed_at=None)
    seen: list[Any] = []

    def records(enterprise: Any, on: Any = None) -> list[Any]:
        seen.append(enterprise)
        return [record]

    monkeypatch.setattr("parkcredit.repair.selectors.public_records", records)
    monkeypatch.setattr(
        "parkcredit.commitments.selectors.public_commitments", lambda enterprise: [commitment]
    )
    html = client.get(issued_code(ent_a).url).content.decode()
    assert seen == [ent_a]
    assert "未按规定设置安全警示标志" in html and "县应急管理局" in html and "2027-06-30" in html
    assert "守法经营承诺书" in html


def test_records_in_their_publicity_period_appear_through_the_real_selector(
    client: Client, ent_a: Enterprise
) -> None:
    from django.utils import timezone

    from tests import factories as f

    f.make_record(
        ent_a,
        summary="未按规定设置安全警示标志",
        decided_on=timezone.localdate() - timedelta(days=30),
        severity="general",
    )
    html = client.get(issued_code(ent_a).url).content.decode()
    assert "未按规定设置安全警示标志" in html


def test_public_page_queries_do_not_grow_with_the_records(client: Client, ent_a: Enterprise) -> None:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tests import factories as f

    url = issued_code(ent_a).url
    recent = timezone.localdate() - timedelta(days=30)

    def page_queries() -> int:
        # A render, not a cached copy (a warm hit is one query, see test_public_page_cache.py).
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    f.make_record(ent_a, decided_on=recent)
    one = page_queries()
    for _ in range(4):
        f.make_record(ent_a, decided_on=recent)
    html = client.get(url).content.decode()
    assert html.count("决定日期") == 5
    assert page_queries() == one
