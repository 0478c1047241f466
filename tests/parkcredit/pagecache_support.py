"""Shared helpers of the cached public page tests (`parkcredit.common.pagecache`): the code page
`/c/<token>` and the portal's enterprise page `/public/e/<uscc>/` are served by the same machinery,
so their tests fetch, warm and compare pages the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from django.core.cache import BaseCache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# The per-request form tokens, which differ between two renders of the same state.
TOKEN_FIELDS = re.compile(r'(name="csrf-token" content="|name="csrfmiddlewaretoken" value=")[^"]*')


def without_tokens(html: str) -> str:
    """`html` with its form tokens blanked out."""
    return TOKEN_FIELDS.sub(r"\1-", html)


def get_page(client: Client, url: str) -> str:
    """The page at `url` (200), with every hole filled."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<pc-" not in html  # no hole ever reaches a visitor
    return html


def warm(client: Client, url: str) -> str:
    """Render the page, then fetch it again from the cache (one query: the stamp)."""
    get_page(client, url)
    with CaptureQueriesContext(connection) as queries:
        html = get_page(client, url)
    assert len(queries) == 1, [q["sql"] for q in queries]
    return html


def next_page(client: Client, url: str, *, cache: BaseCache, normalised: Callable[[str], str]) -> str:
    """The next request after a change, which must equal a render with `cache` emptied (compared
    through `normalised`, which blanks what differs per request)."""
    html = get_page(client, url)
    cache.clear()
    assert normalised(html) == normalised(get_page(client, url))
    return html


class DownCache:
    """A cache that is down (a shared cache whose server is gone): every read and write fails."""

    def get(self, *args: Any) -> None:
        raise ConnectionError("缓存服务不可用")

    def set(self, *args: Any) -> None:
        raise ConnectionError("缓存服务不可用")


def two_process_caches(settings: Any) -> Iterator[list[str]]:
    """Two cache aliases standing for the per-process caches of two server processes (the body of
    a test file's fixture: `yield from two_process_caches(settings)`)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "one"},
        "two": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "two"},
    }
    yield ["default", "two"]
    caches["two"].clear()
