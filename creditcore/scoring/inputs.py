"""What the scorer reads about one enterprise as of a date: plain, frozen input rows.

The Django app (and the synthetic park) turn their rows into these; the reference evaluator and
the compiled SQL read the very same columns (`ledger_enterprises`, `ledger_records`,
`ledger_observations`). A record's `status_as_of` and `disputed` are already folded as of the
scoring date (creditcore.ledger.fold), so the scorer never sees events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditcore.ledger import Status


@dataclass(frozen=True, slots=True)
class TagInput:
    """An enterprise tag held from `since` to `until` (both inclusive; `until` None = open)."""

    tag: str
    since: date
    until: date | None = None


@dataclass(frozen=True, slots=True)
class EnterpriseInput:
    id: int
    founded_on: date | None = None
    in_park: bool = True
    park_entry_on: date | None = None
    registered_capital: float | None = None  # yuan
    size: str = ""
    tags: tuple[TagInput, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordInput:
    """One credit record with its status folded as of the scoring date.

    `result` is the outcome of rating kinds (tax credit grade "A"/"B"/"M"/"C"/"D", environmental
    rating, ...); empty for other kinds.
    """

    id: int
    enterprise_id: int
    kind: str
    polarity: str
    severity: str
    decided_on: date
    amount: float | None = None
    status_as_of: str = Status.ACTIVE.value
    disputed: bool = False
    result: str = ""

    @property
    def counts_for_scoring(self) -> bool:
        """Same rule as RecordState.counts_for_scoring: active and not frozen by a dispute."""
        return self.status_as_of == Status.ACTIVE.value and not self.disputed


@dataclass(frozen=True, slots=True)
class ObservationInput:
    enterprise_id: int
    metric: str
    period: date
    value: float
    due_on: date | None = None
    settled_on: date | None = None
