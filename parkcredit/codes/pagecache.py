"""The cache of the public verification page `/c/<token>`: its keys and lifetimes.

The machinery is shared with the portal's enterprise page (`parkcredit.common.pagecache`): every
request reads, in one indexed query (`parkcredit.codes.stamp.code_page_stamp`), a stamp of
everything the page shows from the database, and the cached HTML is stored under a key made of
that stamp and of everything else the page depends on:

- the token (whose signature check is remembered per key, see `selectors.token_check`);
- the token's validity as of this request (in force, not yet valid, expired), computed each time;
- the local date (publicity windows and record events are counted by day);
- the language, and for a whole page the path it was asked under.

Two holes stay out of every cached copy and are filled per request: the CSRF token (bound to the
visitor's cookie) and the verification time (`TIME_HOLE`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import BaseCache
from django.utils import timezone

from creditcore import codesign
from creditcore.codesign import TokenCheck
from parkcredit.common import pagecache
from parkcredit.common.pagecache import CSRF_HOLE, MAX_SECONDS, TIME_HOLE

__all__ = ["CSRF_HOLE", "FORMAT", "MAX_SECONDS", "TIME_HOLE", "PageKey", "lifetime", "page_cache", "page_key"]

# Bump when the page's markup changes in a way the stamp cannot see (a shared cache survives a
# deployment; the per-process default does not).
FORMAT = 1
NAMESPACE = "codes:public"


def page_cache() -> BaseCache:
    """The cache holding the pages: `settings.CODE_PAGE_CACHE` (an alias of CACHES) or "default"."""
    return pagecache.cache_named("CODE_PAGE_CACHE")


@dataclass(frozen=True)
class PageKey(pagecache.PageKey):
    """The key of a code page; `forged`: its token was forged (such a page shows nothing else)."""

    forged: bool = False


def page_key(*, token: str, check: TokenCheck, stamp: Any, now: datetime, language: str) -> PageKey:
    """The key of the page `check` and `stamp` describe at `now` in `language`.

    A forged token's page shows nothing from the token or the database, only the reason, so all
    forged tokens with the same reason share one copy of the content (and made-up tokens cannot
    fill the cache).
    """
    if check.forged:
        digest = pagecache.digest(FORMAT, "forged", check.reason, language)
    else:
        day = timezone.localdate(now)
        digest = pagecache.digest(FORMAT, token, check.reason, day.isoformat(), language, stamp)
    return PageKey(namespace=NAMESPACE, digest=digest, timeout=lifetime(check, now), forged=check.forged)


def lifetime(check: TokenCheck, now: datetime) -> int:
    """Seconds a copy may be kept: at most `MAX_SECONDS`, and never past the next moment the page
    changes by time alone (local midnight, the end of the code's validity, the moment a code
    issued by a fast clock becomes valid). The key changes at those moments too; ending the copy
    there just frees it."""
    ends: list[datetime | None] = []
    if check.reason == codesign.OK:
        ends.append(check.valid_until)
    if check.reason == codesign.NOT_YET_VALID and check.issued_at is not None:
        ends.append(check.issued_at - codesign.CLOCK_LEEWAY)
    return pagecache.lifetime(now, *ends)
