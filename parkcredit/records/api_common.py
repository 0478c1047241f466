"""Pieces every API router shares: the error body, the declared error responses, pagination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from ninja import Schema

PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100


class ErrorOut(Schema):
    """Every error body: one Chinese sentence naming what went wrong."""

    detail: str


# Declared on every operation so the schema documents what clients will actually meet.
ERROR_RESPONSES: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Any]
    count: int


def paginate(queryset: Any, *, page: int, page_size: int) -> Page:
    """Slice one page; a page past the end is simply empty (the count tells the client so)."""
    count = queryset.count()
    start = (page - 1) * page_size
    return Page(items=list(queryset[start : start + page_size]), count=count)


def api_actor(request: HttpRequest) -> Any:
    """The user the API authenticated (token or session); ninja sets it as `request.auth`."""
    return getattr(request, "auth", None)
