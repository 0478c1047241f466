"""Real-browser fixtures: Playwright's sync API driving the system Chromium (never a downloaded one).

The browser comes from the distribution (`apt-get install chromium`). Without it these tests skip,
unless REQUIRE_BROWSER=1 (CI sets it), where a missing browser is a failure: a suite that
silently skips its browser tests would let a broken sign-in page through.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")

# The narrowest phone the pages must fit, and an ordinary one (drawn at twice the pixels).
PHONE: ViewportSize = {"width": 360, "height": 740}
WIDE_PHONE: ViewportSize = {"width": 390, "height": 844}

# pytest-django's live server binds "localhost" by default, which may resolve to ::1; pin it to
# 127.0.0.1 so "no request left 127.0.0.1" is an exact check. An explicit --liveserver still wins.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

# The background-networking flags keep Chromium from phoning home at start-up: on a closed
# network those connections are refused many at a time, and the test asserts no request leaves
# the machine anyway.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def _sync_db_beside_playwright() -> Iterator[None]:
    # Playwright's sync API runs an asyncio loop in the main thread, so Django sees "an event
    # loop is running" and refuses ORM calls from the test body and the database teardown. The
    # test code is synchronous in fact; allow it for the e2e module only, not the whole session.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def chromium_executable() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"未找到系统 Chromium({CHROMIUM}):请先 apt-get install chromium fonts-noto-cjk"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message + "(REQUIRE_BROWSER=1,浏览器测试不得跳过)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def _seed_snapshot(django_db_setup: None) -> str | None:
    # Taken before Playwright starts: afterwards the test body sees a fresh connection object
    # (Django keeps connections per context, and Playwright's loop changes it), which has lost
    # the snapshot pytest-django's serialized rollback would restore.
    return getattr(connection, "_test_serialized_contents", None)


@pytest.fixture
def migrated_seed_data(
    transactional_db: None, django_db_serialized_rollback: None, _seed_snapshot: str | None
) -> None:
    """Restore the rows the data migrations seed (departments, record kinds, audit chain head).

    Transactional tests that ran earlier flushed them; saving by primary key makes this safe
    when they are still there. The snapshot goes back onto the connection too, so the flush at
    teardown behaves as for every other serialized-rollback test: without it Django re-runs
    post_migrate, and the content types it recreates under new keys collide with the next
    test's restore.
    """
    assert _seed_snapshot, "测试数据库未保存迁移初始数据(需要 django_db_serialized_rollback)"
    connection._test_serialized_contents = _seed_snapshot  # type: ignore[attr-defined]
    connection.creation.deserialize_db_from_string(_seed_snapshot)


@pytest.fixture(scope="module")
def browser(
    chromium_executable: Path, _sync_db_beside_playwright: None, _seed_snapshot: str | None
) -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(chromium_executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        yield context.new_page()
    finally:
        context.close()


@contextmanager
def _phone_page(browser: Browser, viewport: ViewportSize, **options: Any) -> Iterator[Page]:
    context = browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport=viewport,
        is_mobile=True,
        has_touch=True,
        **options,
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
    finally:
        context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A page in a 360×740 touch phone."""
    with _phone_page(browser, PHONE) as page:
        yield page


@pytest.fixture
def wide_phone(browser: Browser) -> Iterator[Page]:
    """A page in a 390×844 touch phone at device scale 2."""
    with _phone_page(browser, WIDE_PHONE, device_scale_factor=2) as page:
        yield page
