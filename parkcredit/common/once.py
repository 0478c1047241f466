"""One-time page tokens: a form page that writes something is sent once, however often it arrives.

The page carries a fresh random token (`token_issue`) in a hidden field (`OnceTokenField`). The
service stores the token on the row it writes, under a database uniqueness constraint on
(author, token) that ignores the empty token, and looks for that row first: a double click, a
re-sent form or the browser's back-and-submit find it and answer with it. Two requests at the same
moment both find nothing; the constraint lets one insert and `create_once` hands the other the
winner's row. Each app keeps its own column, constraint and message; only the mechanics live here.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

TOKEN_MAX = 64  # the column width; issued tokens are 32 hex digits
SHAPE = r"^[0-9a-f]{32}$"  # what `token_issue` gives out
_SHAPE = re.compile(SHAPE)


def token_issue() -> str:
    """A fresh one-time token for a form page (stored only once the page has written its row)."""
    return secrets.token_hex(16)


def is_token(value: str | None) -> bool:
    """Whether `value` looks like a token `token_issue` gave out (a page without one is stale)."""
    return value is not None and _SHAPE.match(value) is not None


def token_clean(raw: str | None, *, field: str, expired: Any) -> str:
    """The page's token, stripped; "" for a caller without a page (commands, the demo, other
    services). A value no page was given (forged, truncated, too long) writes nothing:
    ValidationError naming `field`, with `expired` in the page's words."""
    token = (raw or "").strip()
    if token and not is_token(token):
        raise ValidationError({field: expired})
    return token


class Repeated(ValidationError):
    """A page submitted again (a double click, a re-sent form, two requests at once): `existing`
    is the row its first submission wrote, and nothing new was written. Each app subclasses it
    with its own field and message."""

    def __init__(self, existing: Any, *, field: str, message: str, code: str) -> None:
        self.existing = existing
        super().__init__({field: ValidationError(message, code=code)})


class OnceTokenField(forms.RegexField):
    """The hidden token of a form page; `expired` says, in the page's words, that it has to be
    opened again (a page without a token, or with a forged one, writes nothing)."""

    def __init__(self, *, expired: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(
            regex=SHAPE,
            error_messages={"required": expired, "invalid": expired},
            **kwargs,
        )


def create_once[Row](create: Callable[[], Row], find: Callable[[], Row | None]) -> tuple[Row, bool]:
    """Insert with `create` in a savepoint: (the new row, True); or, when the database refuses the
    insert and `find` now finds the row another request wrote with the same token, (that row,
    False). Any other refusal (`find` finds nothing) is raised again for the caller to explain.

    The savepoint keeps the caller's transaction usable after the refusal, so `find` can read the
    winner's row (committed by then: the losing insert waited for it).
    """
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = find()
        if existing is None:
            raise
        return existing, False
