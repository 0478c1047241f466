"""No ID number and no mobile phone number on any public page or in any API response.

The world: an enterprise whose legal representative has an ID number and a mobile phone, with
the same kind of data inside its record payloads, a grade, a published list, and (when those
apps are installed) a current enterprise code and a credit report.

The crawl discovers pages instead of listing them: it requests every URL pattern of the
project whose parameters it can fill, anonymously, then follows every same-site link of every
page it gets, so a new public page is covered without editing this test. Every portal URL must
be reached. The API is walked the same way for signed-in users.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from parkcredit.enterprises.models import Enterprise
from parkcredit.portal import features, services
from tests import factories as f

pytestmark = pytest.mark.django_db

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# An 18-character resident ID number and a mainland mobile number, not inside a longer token.
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
PHONE_PATTERN = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
# Never crawled: the admin (staff only), logout and language switching (state changes).
SKIPPED_PREFIXES = ("/admin/", "/static/", "/i18n/", "/accounts/logout/", "/media/")
MAX_PAGES = 400


def id_number(body17: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(body17, ID_WEIGHTS, strict=True))
    return body17 + ID_CHECK[total % 11]


def test_id_number_generator_and_patterns() -> None:
    assert id_number("11010519491231002") == "11010519491231002X"
    assert ID_PATTERN.search("身份证:410102198001011237。")
    assert not ID_PATTERN.search("token=ab410102198001011237cd")
    assert PHONE_PATTERN.search("电话13912345678")
    assert not PHONE_PATTERN.search("139123456789")
    assert not PHONE_PATTERN.search("139****5678")


REP_ID = id_number("41010219800101123")
REP_PHONE = "13912345678"
PAYLOAD_ID = id_number("41132119900505002")
PAYLOAD_PHONE = "15837120000"
PLANTED = (REP_ID, REP_PHONE, PAYLOAD_ID, PAYLOAD_PHONE)


@dataclass
class Crawl:
    """What a crawl saw: every URL fetched with its status, and every leak found."""

    statuses: dict[str, int] = field(default_factory=dict)
    leaks: list[str] = field(default_factory=list)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.links.append(value)


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns == "admin":
                continue
            yield from _walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def _params(pattern: URLPattern) -> set[str]:
    return set(pattern.pattern.regex.groupindex)


def _known_urls(values: dict[str, Any], per_name: dict[str, dict[str, Any]]) -> tuple[list[str], set[str]]:
    """Every URL name of the project with its parameters filled (names left out: unknown ones)."""
    urls: list[str] = []
    unfilled: set[str] = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        wanted = _params(pattern)
        kwargs = {key: per_name.get(name, {}).get(key, values.get(key)) for key in wanted}
        if any(value is None for value in kwargs.values()):
            unfilled.add(name)
            continue
        try:
            urls.append(reverse(name, kwargs=kwargs or None))
        except NoReverseMatch:  # a parameter of another shape (a job's UUID): not fillable here
            unfilled.add(name)
    return urls, unfilled


def _scan(url: str, text: str, crawl: Crawl, known_codes: set[str]) -> None:
    for planted in PLANTED:
        if planted in text:
            crawl.leaks.append(f"{url}: 原值 {planted}")
    for match in ID_PATTERN.finditer(text):
        if match.group(0).upper() not in known_codes:
            crawl.leaks.append(f"{url}: 身份证号样式 {match.group(0)}")
    for match in PHONE_PATTERN.finditer(text):
        crawl.leaks.append(f"{url}: 手机号样式 {match.group(0)}")


def crawl_site(client: Client, seeds: list[str], known_codes: set[str], *, follow: bool = True) -> Crawl:
    crawl = Crawl()
    queue = deque(seeds)
    while queue and len(crawl.statuses) < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in crawl.statuses or path.startswith(SKIPPED_PREFIXES):
            continue
        response = client.get(url)
        crawl.statuses[url] = response.status_code
        if response.status_code != 200 or getattr(response, "streaming", False):
            continue
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(("text/", "application/json", "image/svg")):
            continue
        text = response.content.decode("utf-8", errors="replace")
        _scan(url, text, crawl, known_codes)
        if follow and content_type.startswith("text/html"):
            parser = _Links()
            parser.feed(text)
            for link in parser.links:
                absolute = urljoin(url, link)
                parts = urlsplit(absolute)
                if parts.scheme in ("", "http") and parts.netloc in ("", "testserver"):
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return crawl


@pytest.fixture
def world(park_admin: Any, grade: Any) -> dict[str, Any]:
    enterprise = f.make_enterprise(
        "戊信息技术有限公司",
        legal_representative="周五",
        legal_representative_id_number=REP_ID,
        contact_phone=REP_PHONE,
    )
    payload = {"当事人": "周五", "当事人身份证号": PAYLOAD_ID, "联系电话": PAYLOAD_PHONE}
    for n, kind in enumerate(("penalty", "court-enforcement", "tax-credit-grade")):
        f.make_record(enterprise, kind, source_ref=f"戊字〔2026〕{n + 1}号", payload=payload)
    grade(enterprise, "C")
    red = services.list_create(actor=park_admin, kind="black", title="个人信息扫描名单", period="2026年")
    entry = services.list_entry_add(actor=park_admin, published_list=red, uscc=enterprise.uscc, reason="扫描")
    services.list_publish(actor=park_admin, published_list=red)
    values: dict[str, Any] = {"uscc": enterprise.uscc, "pk": enterprise.pk, "entry_pk": entry.pk}
    codes = features.contract("codes", "services")
    if codes is not None:
        code = codes.code_issue(actor=park_admin, enterprise=enterprise)
        values["token"] = code.token
    reports = features.contract("reports", "services")
    if reports is not None:
        values["report_no"] = reports.report_generate(actor=park_admin, enterprise=enterprise).report_no
    return {"enterprise": enterprise, "values": values, "per_name": {"portal:list": {"pk": red.pk}}}


def _known_codes() -> set[str]:
    return {code.upper() for code in Enterprise.objects.values_list("uscc", flat=True)}


def test_public_pages_hold_no_personal_data(client: Client, world: dict[str, Any]) -> None:
    seeds, unfilled = _known_urls(world["values"], world["per_name"])
    crawl = crawl_site(client, seeds, _known_codes())
    assert crawl.leaks == []
    public = [url for url, status in crawl.statuses.items() if status == 200]
    portal_names = [
        name for name, _pattern in _walk(get_resolver().url_patterns) if name.startswith("portal:")
    ]
    assert not [name for name in portal_names if name in unfilled], "新的门户页面参数需要在本测试中给出取值"
    for name in ("portal:home", "portal:enterprise", "portal:grades", "portal:lists", "portal:list"):
        pattern = dict(_walk(get_resolver().url_patterns))[name]
        kwargs = {
            key: world["per_name"].get(name, {}).get(key, world["values"].get(key))
            for key in _params(pattern)
        }
        assert reverse(name, kwargs=kwargs or None) in public, name
    if "token" in world["values"]:
        # The enterprise page links to its code page, which the crawl must have read.
        assert any(urlsplit(url).path.startswith("/c/") for url in public)
    # The search results page is a public page too.
    assert crawl_site(client, [reverse("portal:home") + "?q=戊信息"], _known_codes()).leaks == []


@pytest.mark.parametrize("role", ["ent_a_user", "park_admin", "bank_user"])
def test_api_responses_hold_no_personal_data(
    role: str, login: Any, world: dict[str, Any], ent_a: Any, request: pytest.FixtureRequest
) -> None:
    enterprise = world["enterprise"]
    if role == "ent_a_user":
        # The enterprise's own account: the one most entitled to its data, still masked.
        user = f.enterprise_user(enterprise, username="wu_user")
        client = Client()
        client.force_login(user)
    else:
        client = login(role)
        if role == "bank_user":
            from parkcredit.accounts.models import Organisation

            f.grant_consent(
                enterprise, Organisation.objects.get(pk=request.getfixturevalue(role).organisation_id)
            )
    api = [(name, pattern) for name, pattern in _walk(get_resolver().url_patterns) if name.startswith("api-")]
    urls = []
    for name, pattern in api:
        kwargs = {key: world["values"].get(key) for key in _params(pattern)}
        if all(value is not None for value in kwargs.values()):
            urls.append(reverse(name, kwargs=kwargs or None))
    crawl = crawl_site(client, urls, _known_codes(), follow=False)
    assert crawl.leaks == []
    ok = [url for url, status in crawl.statuses.items() if status == 200]
    assert f"/api/v1/enterprises/{enterprise.uscc}" in ok
    assert f"/api/v1/enterprises/{enterprise.uscc}/records" in ok


def test_self_service_page_masks_personal_data(world: dict[str, Any]) -> None:
    user = f.enterprise_user(world["enterprise"], username="wu_self")
    client = Client()
    client.force_login(user)
    crawl = crawl_site(client, [reverse("portal:mine")], _known_codes(), follow=False)
    assert crawl.statuses[reverse("portal:mine")] == 200
    assert crawl.leaks == []
