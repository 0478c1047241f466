"""Caching of public pages keyed by a database stamp: keys, lifetimes, per-request holes, serving.

Used by the enterprise-code page `/c/<token>` (`parkcredit.codes.pagecache`) and the portal's
enterprise page `/public/e/<uscc>/` (`parkcredit.portal.pagecache`). Correctness never rests on
invalidation. Every request reads, in one indexed query, a stamp of everything the page shows
from the database (`parkcredit.common.stamp`), and the cached HTML is stored under a key made of
that stamp and of everything else the page depends on (the page's own parts, the local date, the
language). A change made anywhere (a service, the bulk import's raw SQL, another server process)
changes the stamp, so the very next request, in any process, renders afresh; an old entry is
never asked for again and ages out. Per-process memory (Django's default LocMem cache) is
therefore enough for correctness; a shared cache only raises the hit rate.

Two copies live under one key: the page's content (`PageKey.body`, rendered without a request,
shown inside every visitor's frame) and, for anonymous visitors, the whole page at one path
(`PageKey.page`). Per-request values stay holes in both and are filled by `fill`: the CSRF token
(bound to the visitor's cookie) and, where a page shows one, the time of the request.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import BaseCache, caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.safestring import SafeString, mark_safe

# The longest a copy is kept: memory hygiene, and the bound for what no stamp can see (a new
# release's templates, PARK_NAME) in a shared cache that survives a restart.
MAX_SECONDS = 600
# Holes for the per-request values. Marked safe so the template writes them verbatim, and
# containing "<", which escaping turns into "&lt;" everywhere else: text from the database can
# never produce a hole.
CSRF_HOLE: SafeString = mark_safe("<pc-csrf-token>")
TIME_HOLE: SafeString = mark_safe("<pc-checked-at>")
TIME_FORMAT = "Y-m-d H:i"

logger = logging.getLogger(__name__)


def cache_named(setting: str) -> BaseCache:
    """The cache whose alias (a key of CACHES) the setting `setting` names; "default" without it."""
    return caches[getattr(settings, setting, None) or "default"]


def cache_get(cache: BaseCache, key: str) -> str | None:
    """The cached copy under `key`, or None. A cache that fails (a shared cache that is down)
    costs a fresh render, never the page."""
    try:
        value = cache.get(key)
    except Exception:  # any backend's connection error
        logger.warning("公开页面缓存读取失败,改为直接生成页面", exc_info=True)
        return None
    return value if isinstance(value, str) else None


def cache_set(cache: BaseCache, key: str, value: str, timeout: int) -> None:
    """Keep `value` under `key` for `timeout` seconds, if the cache can (see `cache_get`)."""
    try:
        cache.set(key, value, timeout)
    except Exception:  # any backend's connection error
        logger.warning("公开页面缓存写入失败,本次不缓存", exc_info=True)


def digest(*parts: Any) -> str:
    """A SHA-256 hex digest of `parts` (their repr: stamps are tuples of plain values)."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PageKey:
    """Where the copies of one state of one page live (under `namespace`), and for how long (seconds)."""

    namespace: str
    digest: str
    timeout: int

    @property
    def body(self) -> str:
        """The page's content, rendered without a request (shown inside every visitor's frame)."""
        return f"{self.namespace}:body:{self.digest}"

    def page(self, path: str) -> str:
        """The whole page as anonymous visitors get it at `path` (its language switch links back)."""
        return f"{self.namespace}:page:{digest(self.digest, path)}"


def lifetime(now: datetime, *ends: datetime | None) -> int:
    """Seconds a copy may be kept: at most `MAX_SECONDS`, and never past local midnight or any of
    `ends` (moments the page changes by time alone). Keys change at those moments too; ending the
    copy there just frees it."""
    today = timezone.localdate(now)
    midnight = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    moments = [now + timedelta(seconds=MAX_SECONDS), midnight, *(end for end in ends if end is not None)]
    return max(1, math.ceil((min(moments) - now).total_seconds()))


def shown_time(now: datetime) -> str:
    """A request's time as pages show it (local time, to the minute)."""
    return dateformat.format(timezone.localtime(now), TIME_FORMAT)


def etag(key: PageKey, request: HttpRequest, *shown: str) -> str:
    """The strong validator of a whole anonymous page.

    Made of its key, the path, the visitor's cookies (the CSRF token in the page belongs to them)
    and the per-request values the page shows (`shown`, e.g. the minute of a verification time),
    so a 304 never leaves a visitor looking at another state, another form token or an older time.
    """
    cookies = request.META.get("HTTP_COOKIE", "")
    return f'"{digest(key.digest, request.get_full_path(), cookies, *shown)[:40]}"'


def fill(html: str, *, shown_at: str = "", csrf_token: str | None = None) -> str:
    """The cached `html` with its holes filled for this request."""
    if shown_at:
        html = html.replace(TIME_HOLE, shown_at)
    if csrf_token is not None:
        html = html.replace(CSRF_HOLE, csrf_token)
    return html


def whole_page_cacheable(request: HttpRequest) -> bool:
    """Whether the whole page may come from the cache: an anonymous visitor, no query string (the
    language switch links back to the full path) and no pending messages."""
    if request.META.get("QUERY_STRING") or request.user.is_authenticated:
        return False
    return len(messages.get_messages(request)) == 0


@dataclass(frozen=True)
class CachedPage:
    """One request's view of a stamped page: where its copies live and how to make them.

    `render_body` renders the content from the database; `still_current` reads the stamp again
    after a render and says whether it is unchanged (a render that saw a later state must not sit
    under an earlier key, which a state coming back, a name changed and changed back, would ask
    for again). `frame` is the page template: it extends the base layout and writes `body`.
    """

    key: PageKey
    cache: BaseCache
    frame: str
    render_body: Callable[[], str]
    still_current: Callable[[], bool]
    frame_context: Mapping[str, Any] | None = None
    shown_at: str = ""

    def content(self) -> tuple[str, bool]:
        """The content for the key, from the cache or rendered (then stored when still current),
        and whether it belongs to the key for sure."""
        content = cache_get(self.cache, self.key.body)
        if content is not None:
            return content, True
        content = self.render_body()
        stable = self.still_current()
        if stable:
            cache_set(self.cache, self.key.body, content, self.key.timeout)
        return content, stable

    def whole_page(self, request: HttpRequest) -> str:
        """The whole anonymous page with its holes open, from the cache or rendered."""
        page_key = self.key.page(request.path)
        html = cache_get(self.cache, page_key)
        if html is None:
            content, stable = self.content()
            html = render_to_string(
                self.frame,
                {
                    **(self.frame_context or {}),
                    "body": mark_safe(content),  # noqa: S308 - our own render
                    # The per-request values stay holes; nothing else in the frame depends on an
                    # anonymous visitor (no messages are pending, see whole_page_cacheable).
                    "csrf_token": CSRF_HOLE,
                    "messages": (),
                },
                request,
            )
            if stable:
                cache_set(self.cache, page_key, html, self.key.timeout)
        return html


def serve(request: HttpRequest, page: CachedPage, *, whole: bool) -> HttpResponse:
    """The response for `page`.

    `whole` (see `whole_page_cacheable`, plus the page's own conditions): the whole page comes from
    the cache and may be revalidated (ETag, `Cache-Control: private, no-cache`), so a browser
    keeps it but asks before every showing and a shared proxy keeps nothing. Otherwise (signed-in
    users, query strings, pending messages) the cached content goes into the visitor's own frame,
    which browsers must not store.
    """
    response: HttpResponse
    if whole:
        tag = etag(page.key, request, page.shown_at)
        not_modified = get_conditional_response(request, etag=tag)
        if not_modified is not None:
            response = not_modified
        else:
            html = page.whole_page(request)
            response = HttpResponse(fill(html, shown_at=page.shown_at, csrf_token=get_token(request)))
        response["ETag"] = tag
        patch_cache_control(response, private=True, no_cache=True, max_age=0)
    else:
        content, _stable = page.content()
        response = render(
            request,
            page.frame,
            {
                **(page.frame_context or {}),
                "body": mark_safe(fill(content, shown_at=page.shown_at)),  # noqa: S308 - our render
            },
        )
        add_never_cache_headers(response)
    patch_vary_headers(response, ("Cookie",))
    return response
