"""Helpers the browser tests share: signing in, watching what a page asks for, fitting the phone.

Plain functions, imported by the test modules; the page fixtures themselves are in conftest.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import reverse
from playwright.sync_api import Locator, Page

from tests import factories as f
from tests.e2e.test_browser import left_the_machine


class Watch:
    """Requests that left the machine and console errors of one page."""

    def __init__(self, page: Page) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on(
            "console", lambda message: self.errors.append(message.text) if message.type == "error" else None
        )
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def assert_stayed_local(self) -> None:
        """No request went anywhere but the live server."""
        assert [url for url in self.requests if left_the_machine(url)] == []

    def assert_clean(self) -> None:
        """No request left the machine and the console stayed free of errors."""
        self.assert_stayed_local()
        assert self.errors == []


def sign_in(page: Page, base: str, username: str, next_url: str = "") -> None:
    """Sign in through the login form (as whoever was signed in before: cookies go first).

    With `next_url` the page ends there, even where the login page sends the user elsewhere
    first; without it, wherever the login lands.
    """
    page.context.clear_cookies()
    login = base + reverse("accounts:login")
    page.goto(login + "?next=" + next_url if next_url else login)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").first.click()
    if next_url and urlsplit(page.url).path != next_url:
        page.goto(base + next_url)


def assert_fits_the_phone(page: Page) -> None:
    """Nothing wider than the viewport: the page never needs horizontal scrolling."""
    viewport = page.viewport_size
    assert viewport is not None
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth]")
    assert max(widths) <= viewport["width"], (page.url, widths)


def assert_on_first_screen(page: Page, locator: Locator) -> None:
    """The element ends above the bottom of the viewport: seen without scrolling."""
    viewport = page.viewport_size
    assert viewport is not None
    box = locator.bounding_box()
    assert box is not None and box["y"] + box["height"] <= viewport["height"], box
