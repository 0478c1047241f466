"""The cache of the public verification page `/c/<token>`: keys, lifetimes and per-request holes.

Correctness never rests on invalidation. Every request reads, in one indexed query
(`parkcredit.codes.stamp.code_page_stamp`), a stamp of everything the page shows from the
database, and the cached HTML is stored under a key made of that stamp and of everything else
the page depends on:

- the token (whose signature check is remembered per key, see `selectors.token_check`);
- the token's validity as of this request (in force, not yet valid, expired), computed each time;
- the local date (publicity windows and record events are counted by day);
- the language, and for a whole page the path it was asked under.

A change made anywhere (a service, the bulk import's raw SQL, another server process) changes the
stamp, so the very next request, in any process, renders afresh; an old entry is simply never
asked for again and ages out. Per-process memory (Django's default LocMem cache) is therefore
enough for correctness; a shared cache only raises the hit rate.

Two holes stay out of every cached copy and are filled per request: the CSRF token (bound to the
visitor's cookie) and the verification time.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest
from django.utils import dateformat, timezone
from django.utils.safestring import SafeString, mark_safe

from creditcore import codesign
from creditcore.codesign import TokenCheck

# Bump when the page's markup changes in a way the stamp cannot see (a shared cache survives a
# deployment; the per-process default does not).
FORMAT = 1
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


def page_cache() -> BaseCache:
    """The cache holding the pages: `settings.CODE_PAGE_CACHE` (an alias of CACHES) or "default"."""
    return caches[getattr(settings, "CODE_PAGE_CACHE", "default")]


def cache_get(key: str) -> str | None:
    """The cached copy under `key`, or None. A cache that fails (a shared cache that is down)
    costs a fresh render, never the page."""
    try:
        value = page_cache().get(key)
    except Exception:  # any backend's connection error
        logger.warning("信用码验证页缓存读取失败,改为直接生成页面", exc_info=True)
        return None
    return value if isinstance(value, str) else None


def cache_set(key: str, value: str, timeout: int) -> None:
    """Keep `value` under `key` for `timeout` seconds, if the cache can (see `cache_get`)."""
    try:
        page_cache().set(key, value, timeout)
    except Exception:  # any backend's connection error
        logger.warning("信用码验证页缓存写入失败,本次不缓存", exc_info=True)


def _digest(*parts: Any) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PageKey:
    """Where the copies of one state of one page live, and for how long (seconds)."""

    digest: str
    timeout: int
    forged: bool

    @property
    def body(self) -> str:
        """The page's content: verdict, code card, public records and commitments."""
        return f"codes:public:body:{self.digest}"

    def page(self, path: str) -> str:
        """The whole page as anonymous visitors get it at `path` (its language switch links back)."""
        return f"codes:public:page:{_digest(self.digest, path)}"


def page_key(*, token: str, check: TokenCheck, stamp: Any, now: datetime, language: str) -> PageKey:
    """The key of the page `check` and `stamp` describe at `now` in `language`.

    A forged token's page shows nothing from the token or the database, only the reason, so all
    forged tokens with the same reason share one copy of the content (and made-up tokens cannot
    fill the cache).
    """
    if check.forged:
        digest = _digest(FORMAT, "forged", check.reason, language)
    else:
        day = timezone.localdate(now)
        digest = _digest(FORMAT, token, check.reason, day.isoformat(), language, stamp)
    return PageKey(digest=digest, timeout=lifetime(check, now), forged=check.forged)


def lifetime(check: TokenCheck, now: datetime) -> int:
    """Seconds a copy may be kept: at most `MAX_SECONDS`, and never past the next moment the page
    changes by time alone (local midnight, the end of the code's validity, the moment a code
    issued by a fast clock becomes valid). The key changes at those moments too; ending the copy
    there just frees it."""
    today = timezone.localdate(now)
    midnight = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    ends = [now + timedelta(seconds=MAX_SECONDS), midnight]
    if check.reason == codesign.OK and check.valid_until is not None:
        ends.append(check.valid_until)
    if check.reason == codesign.NOT_YET_VALID and check.issued_at is not None:
        ends.append(check.issued_at - codesign.CLOCK_LEEWAY)
    return max(1, math.ceil((min(ends) - now).total_seconds()))


def shown_time(now: datetime) -> str:
    """The verification time as the page shows it (local time, to the minute)."""
    return dateformat.format(timezone.localtime(now), TIME_FORMAT)


def etag(key: PageKey, request: HttpRequest, shown_at: str) -> str:
    """The strong validator of a whole anonymous page.

    Made of its key (state, validity, day, language), the path, the visitor's cookies (the CSRF
    token in the page belongs to them) and the minute shown as the verification time, so a 304
    never leaves a visitor looking at another state, another form token or an older time.
    """
    cookies = request.META.get("HTTP_COOKIE", "")
    return f'"{_digest(key.digest, request.get_full_path(), cookies, shown_at)[:40]}"'


def fill(html: str, *, shown_at: str, csrf_token: str | None = None) -> str:
    """The cached `html` with its holes filled for this request."""
    html = html.replace(TIME_HOLE, shown_at)
    if csrf_token is not None:
        html = html.replace(CSRF_HOLE, csrf_token)
    return html
