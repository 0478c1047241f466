"""The page shell: vendored assets, no outside URLs, CSP-safe scripts, navigation, language, errors."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views import defaults

from parkcredit.dashboard.templatetags.layout import is_current, query_with

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
STATIC = ROOT / "static"
VENDOR = STATIC / "vendor"
STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]\s*%\}""")


@pytest.fixture(autouse=True)
def _passwords_not_due(settings: Any) -> None:
    # The cast has no password_changed_at; the forced-change middleware would hold every page.
    settings.PASSWORD_MAX_AGE_DAYS = 0


class Scripts(HTMLParser):
    """Collects every <script> tag's attributes and whether it has inline code."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, Any]] = []
        self.handlers: list[str] = []
        self._open: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.handlers += [name for name in found if name.startswith("on") or name.startswith("hx-on")]
        if tag == "script":
            self._open = {**found, "code": ""}
            self.scripts.append(self._open)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["code"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = None


def parse(html: str) -> Scripts:
    parser = Scripts()
    parser.feed(html)
    return parser


# --- vendored files -----------------------------------------------------------------------------


@pytest.mark.parametrize("template", ["base.html", "500.html", "dashboard/home.html"])
def test_every_static_file_a_layout_template_names_exists(template: str) -> None:
    paths = STATIC_TAG.findall((TEMPLATES / template).read_text(encoding="utf-8"))
    assert paths, f"{template} names no static files"
    missing = [p for p in paths if not (STATIC / p).is_file()]
    assert not missing


def test_base_loads_tabler_and_htmx_from_vendor() -> None:
    paths = STATIC_TAG.findall((TEMPLATES / "base.html").read_text(encoding="utf-8"))
    assert "vendor/tabler-core-1.6.1/tabler.min.css" in paths
    assert "vendor/tabler-core-1.6.1/tabler.min.js" in paths
    assert "vendor/htmx.org-2.0.11/htmx.min.js" in paths
    assert "js/app.js" in paths


def test_vendored_files_match_their_recorded_checksums() -> None:
    lines = (VENDOR / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 5
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for line in lines:
        digest, name = line.split(maxsplit=1)
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
        assert f"`{name}`" in readme and digest in readme


def test_every_vendored_package_carries_its_licence() -> None:
    for folder in ("htmx.org-2.0.11", "echarts-6.1.0", "tabler-core-1.6.1"):
        assert (VENDOR / folder / "LICENSE").stat().st_size > 200, folder


def test_vendor_script_names_no_registry_host() -> None:
    script = (ROOT / "scripts" / "vendor.sh").read_text(encoding="utf-8")
    assert not re.search(r"https?://|registry\.|npmjs|npmmirror|unpkg|jsdelivr", script)


def test_no_node_modules_or_lockfile_committed() -> None:
    assert not (ROOT / "node_modules").exists()
    assert not (ROOT / "package-lock.json").exists()


# --- templates ----------------------------------------------------------------------------------


def all_templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_no_template_points_outside_the_site() -> None:
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in all_templates()
        if re.search(r"https?://|//cdn|src=\"//", path.read_text(encoding="utf-8"))
    ]
    assert not offenders


def test_no_template_has_inline_handlers_or_unsafe_scripts() -> None:
    for path in all_templates():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", text), path
        for tag in re.findall(r"<script\b[^>]*>", text):
            data_only = 'type="application/json"' in tag
            assert "src=" in tag or "csp_nonce" in tag or data_only, f"{path}: {tag}"


def test_static_js_avoids_eval() -> None:
    for path in (STATIC / "js").glob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\beval\(|new Function\(|innerHTML\s*=", text), path


# --- the rendered shell -------------------------------------------------------------------------


def test_pages_carry_a_csp_header_and_no_unsafe_inline_script(db: Any, login: Any) -> None:
    response = login("park_admin").get("/")
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and "'self'" in script_src.group(1)
    assert "unsafe-inline" not in script_src.group(1) and "unsafe-eval" not in script_src.group(1)
    assert "default-src 'self'" in csp
    page = parse(response.content.decode())
    assert page.scripts
    for script in page.scripts:
        executable = script.get("type") in (None, "", "text/javascript", "module")
        if executable:
            assert script.get("src") or script.get("nonce"), script
        else:
            assert script.get("type") == "application/json"
    assert not page.handlers


def test_signed_in_layout_shows_the_user_menu(db: Any, login: Any, park_admin: Any) -> None:
    html = login("park_admin").get("/").content.decode()
    assert "王主任" in html
    assert "园区管理员" in html  # get_role_display
    assert park_admin.organisation.name in html
    assert settings.PARK_NAME in html
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)
    logout = re.search(
        rf'<form method="post" action="{reverse("accounts:logout")}"[^>]*>\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken"',
        html,
    )
    assert logout, "no POST logout form with a CSRF token"
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="language" value="en"' in html


def test_navigation_follows_the_role(db: Any, login: Any) -> None:
    park_html = login("park_admin").get("/").content.decode()
    assert f'href="{reverse("enterprises:list")}"' in park_html
    assert f'href="{reverse("enterprises:mine")}"' not in park_html
    assert 'class="nav-item active"' in park_html  # 工作台 is the current page


def test_enterprise_user_navigation(db: Any, login: Any) -> None:
    html = login("ent_a_user").get("/").content.decode()
    assert f'href="{reverse("enterprises:mine")}"' in html
    assert f'href="{reverse("enterprises:list")}"' not in html
    assert f'href="{reverse("audit:list")}"' not in html


def test_anonymous_layout_has_no_navigation(rf: RequestFactory, db: Any) -> None:
    request = rf.get("/accounts/login/")
    request.user = AnonymousUser()
    html = render_to_string("base.html", request=request)
    assert 'id="navbar-menu"' not in html
    assert "退出登录" not in html
    assert settings.PARK_NAME in html
    assert 'name="language" value="en"' in html  # the language switch is still there


def test_messages_render_as_alerts(rf: RequestFactory, park_admin: Any) -> None:
    request = rf.get("/")
    request.user = park_admin
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    from django.contrib import messages

    messages.add_message(request, constants.SUCCESS, "档案已保存")
    messages.add_message(request, constants.ERROR, "导入失败")
    html = render_to_string("base.html", request=request)
    assert re.search(r'alert-dismissible alert-success">.*?档案已保存', html, re.S)
    assert re.search(r'alert-dismissible alert-danger">.*?导入失败', html, re.S)
    assert all(m.level in (constants.SUCCESS, constants.ERROR) for m in get_messages(request))


# --- language -----------------------------------------------------------------------------------


def test_chinese_is_the_default_language(db: Any, login: Any) -> None:
    html = login("park_admin").get("/").content.decode()
    assert '<html lang="zh-hans">' in html


def test_language_cookie_switches_to_english(db: Any, login: Any) -> None:
    client = login("park_admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/")
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in html
    assert re.search(r'value="en" lang="en" class="dropdown-item active"', html)


def test_an_english_browser_still_gets_chinese_until_english_is_chosen(db: Any, login: Any) -> None:
    client = login("park_admin")
    response = client.get("/", headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="zh-hans">' in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/", headers={"accept-language": "zh-CN,zh;q=0.9"})
    assert '<html lang="en">' in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_chinese(db: Any, login: Any) -> None:
    client = login("park_admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


def test_set_language_view_stores_the_choice(db: Any, login: Any) -> None:
    client = login("park_admin")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


# --- error pages --------------------------------------------------------------------------------


def test_404_page_is_friendly_and_links_home(db: Any, login: Any) -> None:
    response = login("park_admin").get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert 'href="/"' in html
    assert 'id="navbar-menu"' in html  # a signed-in visitor keeps the navigation


def test_404_page_for_anonymous_visitors(client: Client, db: Any) -> None:
    response = client.get("/enterprises/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_403_page(rf: RequestFactory, park_admin: Any) -> None:
    from django.core.exceptions import PermissionDenied

    request = rf.get("/somewhere/")
    request.user = park_admin
    response = defaults.permission_denied(request, PermissionDenied())
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html
    assert 'href="/"' in html


def test_500_page_renders_without_context_or_database(rf: RequestFactory) -> None:
    # No `db` fixture: any database access while rendering would fail the test.
    response = defaults.server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务器出了点问题" in html
    assert 'href="/"' in html
    assert "tabler.min.css" in html
    assert "<script" not in html


# --- components ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "width"), [(45, "45"), (45.6, "46"), (150, "100"), (-3, "0"), (None, "0")]
)
def test_progress_component_clamps_the_width(percent: Any, width: str) -> None:
    html = render_to_string("components/progress.html", {"percent": percent, "label": "导入进度"})
    assert f"width: {width}%" in html
    assert "导入进度" in html


def test_progress_component_indeterminate() -> None:
    html = render_to_string("components/progress.html", {"indeterminate": True, "label": "排队中"})
    assert "progress-bar-indeterminate" in html
    assert "width:" not in html


def _page_request(rf: RequestFactory, query: str) -> Any:
    request = rf.get(f"/enterprises/?{query}")
    request.user = AnonymousUser()
    return request


def test_pagination_keeps_the_query_and_marks_the_current_page(rf: RequestFactory) -> None:
    page = Paginator(range(200), 10).page(5)
    html = render_to_string(
        "components/pagination.html", {"page": page}, request=_page_request(rf, "q=机械&page=5")
    )
    assert 'aria-current="page">5<' in html
    assert 'href="?q=%E6%9C%BA%E6%A2%B0&amp;page=4" rel="prev"' in html
    assert 'href="?q=%E6%9C%BA%E6%A2%B0&amp;page=6" rel="next"' in html
    assert "…" in html  # 200 / 10 = 20 pages are elided
    assert "hx-get" not in html
    assert "第 41–50 条,共 200 条" in html


def test_pagination_with_a_target_speaks_htmx(rf: RequestFactory) -> None:
    page = Paginator(range(30), 10).page(1)
    html = render_to_string(
        "components/pagination.html",
        {"page": page, "target": "#rows", "param": "p"},
        request=_page_request(rf, "sort=name"),
    )
    assert 'hx-get="?sort=name&amp;p=2" hx-target="#rows" hx-push-url="true"' in html
    assert 'aria-disabled="true">上一页' in html


def test_pagination_hides_for_a_single_page(rf: RequestFactory) -> None:
    page = Paginator(range(5), 10).page(1)
    assert (
        render_to_string("components/pagination.html", {"page": page}, request=_page_request(rf, "")).strip()
        == ""
    )


def test_query_with_replaces_only_its_key(rf: RequestFactory) -> None:
    request = rf.get("/?a=1&page=3&a=2")
    assert query_with(request.GET, "page", 4) == "?a=1&a=2&page=4"
    assert query_with(None, "page", 2) == "?page=2"


@pytest.mark.parametrize(
    ("path", "href", "expected"),
    [
        ("/", "/", True),
        ("/enterprises/", "/", False),
        ("/enterprises/", "/enterprises/", True),
        ("/enterprises/12/", "/enterprises/", True),
        ("/enterprises-old/", "/enterprises/", False),
        ("/jobs/", "", False),
        ("/jobs/", None, False),
    ],
)
def test_is_current(path: str, href: str | None, expected: bool) -> None:
    assert is_current(path, href) is expected


def test_empty_badge_and_stat_components() -> None:
    assert "暂无数据" in render_to_string("components/empty.html", {})
    assert "bg-red-lt" in render_to_string("components/badge.html", {"text": "失信", "tone": "negative"})
    assert "bg-green-lt" in render_to_string("components/badge.html", {"text": "守信", "tone": "positive"})
    assert "bg-secondary-lt" in render_to_string("components/badge.html", {"text": "中性", "tone": "neutral"})
    context = {"label": "企业", "value": 12345, "key": "n"}
    assert 'data-stat="n">12345<' in render_to_string("components/stat.html", context)  # zh: no grouping
    with translation.override("en"):
        assert 'data-stat="n">12,345<' in render_to_string("components/stat.html", context)
