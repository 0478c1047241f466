"""Small helpers for the page layout (base.html and the shared components)."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.paginator import Page
from django.http import QueryDict

register = template.Library()


@register.filter
def is_current(path: str, href: str | None) -> bool:
    """Whether the page at `path` belongs to the navigation entry at `href`.

    The home page matches only itself; any other entry also matches the pages below it, so
    `/enterprises/12/` keeps 企业档案 highlighted.
    """
    if not href:
        return False
    if href == "/":
        return path == "/"
    return path == href or path.startswith(href.rstrip("/") + "/")


@register.filter
def group_is_current(path: str, entry: Any) -> bool:
    """Whether the page at `path` belongs to one of the links of a navigation drop-down."""
    return any(is_current(path, item.url) for item in getattr(entry, "children", ()))


@register.simple_tag
def query_with(querydict: Any, key: str, value: Any) -> str:
    """The current query string with `key` set to `value`: a page link keeps filters and sorting."""
    query = querydict.copy() if isinstance(querydict, QueryDict) else QueryDict(mutable=True)
    query[key] = str(value)
    return f"?{query.urlencode()}"


@register.simple_tag
def page_range(page: Page[Any], on_each_side: int = 2, on_ends: int = 1) -> list[Any]:
    """Page numbers around the current one, with the paginator's ellipsis for the gaps."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=on_each_side, on_ends=on_ends))
