"""The repair rule book in force in the park: built-in national sets plus staff-approved versions."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from creditcore.repair import NEGATIVE_KINDS, RuleBook, RuleSet, builtin_rulebook, rule_set_from_data
from parkcredit.repair.models import RepairRuleSet, RuleSetState


def negative_kind_codes() -> frozenset[str]:
    """Kind codes a rule may name: the catalogue's negative kinds and staff-added negative kinds."""
    from parkcredit.records.models import RecordKind

    staff = RecordKind.objects.filter(polarity="negative").values_list("code", flat=True)
    return NEGATIVE_KINDS | frozenset(staff)


def approved_rule_sets() -> list[RepairRuleSet]:
    """The newest approved version for each effective date, oldest date first (one query)."""
    newest: dict[Any, RepairRuleSet] = {}
    for row in RepairRuleSet.objects.filter(state=RuleSetState.APPROVED).order_by(
        "effective_from", "version"
    ):
        newest[row.effective_from] = row
    return [newest[day] for day in sorted(newest)]


def _build(rows: Iterable[RepairRuleSet], kinds: frozenset[str] | None) -> list[RuleSet]:
    return [rule_set_from_data(row.rules, known_kinds=kinds) for row in rows]


# Rule books built from approved versions, keyed by the versions' data (canonical JSON) and the
# kinds they were checked against: the key is the content, so a cached book can never be stale.
# Validating a set costs tens of milliseconds, far too much for every public page and notice.
_BOOKS: dict[tuple[tuple[str, ...], frozenset[str]], RuleBook] = {}
_BOOKS_MAX = 16


def park_rulebook() -> RuleBook:
    """Built-in sets with every approved database version laid over them (same date replaces).

    A stored version was validated when it was saved; it is validated again against the kinds
    the catalogue has now (once per combination, then cached), so a later catalogue change
    cannot slip a broken set in.
    """
    rows = approved_rule_sets()
    if not rows:
        return builtin_rulebook()
    kinds = negative_kind_codes()
    key = (tuple(json.dumps(row.rules, sort_keys=True, ensure_ascii=False) for row in rows), kinds)
    book = _BOOKS.get(key)
    if book is None:
        book = RuleBook([*builtin_rulebook().sets, *_build(rows, kinds)])
        if len(_BOOKS) >= _BOOKS_MAX:
            _BOOKS.clear()
        _BOOKS[key] = book
    return book
