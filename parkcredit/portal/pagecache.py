"""The cache of the public enterprise page `/public/e/<uscc>/`: its keys and lifetimes.

The machinery is the code page's (`parkcredit.common.pagecache`, see docs/enterprise-code.md
"验证页的缓存"): every request reads, in one indexed query (`selectors.public_page_stamp`), a stamp
of everything the page shows from the database, and the cached HTML is stored under a key made of
that stamp and of everything else the page depends on:

- the enterprise (its id; the stamp holds its USCC and name);
- the local date (which records are in publicity is decided by the day);
- the language, and for a whole page the path it was asked under.

Nothing else on the page changes with time, so a copy lives at most until local midnight (and at
most `MAX_SECONDS`). The only hole is the CSRF token of the language switch.
"""

from __future__ import annotations

from datetime import datetime

from django.core.cache import BaseCache
from django.utils import timezone

from parkcredit.common import pagecache
from parkcredit.portal.selectors import PublicPageStamp

# Bump when the page's markup changes in a way the stamp cannot see (a shared cache survives a
# deployment; the per-process default does not).
FORMAT = 1
NAMESPACE = "portal:enterprise"


def page_cache() -> BaseCache:
    """The cache holding the pages: `settings.PORTAL_PAGE_CACHE` (an alias of CACHES) or "default"."""
    return pagecache.cache_named("PORTAL_PAGE_CACHE")


def page_key(*, stamp: PublicPageStamp, now: datetime, language: str) -> pagecache.PageKey:
    """The key of the enterprise page `stamp` describes on the local day of `now` in `language`."""
    day = timezone.localdate(now)
    digest = pagecache.digest(FORMAT, stamp.enterprise_id, day.isoformat(), language, stamp.row)
    return pagecache.PageKey(namespace=NAMESPACE, digest=digest, timeout=pagecache.lifetime(now))
