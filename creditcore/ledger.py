"""The credit ledger's pure rules: record events and the fold that gives a record's status.

A `CreditRecord` is immutable; everything that happens to it afterwards is an appended
`RecordEvent`. The status of a record as of any moment is the fold of its events up to that
moment, so a past grade can be recomputed exactly as it was. Column names of the ledger frames
used by scoring and benchmarks are declared here too, so Django models, the synthetic generator
and the scoring engine agree on one schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class EventType(StrEnum):
    CREATED = "created"  # 记录生成
    DISPUTED = "disputed"  # 提出异议(记录冻结)
    DISPUTE_REJECTED = "dispute_rejected"  # 异议不成立
    DISPUTE_UPHELD = "dispute_upheld"  # 异议成立(记录撤销)
    CORRECTED = "corrected"  # 更正:本版本被新版本取代(新版本是一条新记录)
    REPAIRED = "repaired"  # 信用修复(停止公示)
    REVOKED = "revoked"  # 原决定被撤销
    PUBLICITY_ENDED = "publicity_ended"  # 公示期满


class Status(StrEnum):
    ACTIVE = "active"  # 公示中 / 有效
    REPAIRED = "repaired"  # 已修复
    REVOKED = "revoked"  # 已撤销
    PUBLICITY_ENDED = "publicity_ended"  # 公示期满
    SUPERSEDED = "superseded"  # 已更正(被新版本取代)


EVENT_LABELS: dict[EventType, str] = {
    EventType.CREATED: "记录生成",
    EventType.DISPUTED: "提出异议",
    EventType.DISPUTE_REJECTED: "异议不成立",
    EventType.DISPUTE_UPHELD: "异议成立",
    EventType.CORRECTED: "记录更正",
    EventType.REPAIRED: "信用修复",
    EventType.REVOKED: "决定撤销",
    EventType.PUBLICITY_ENDED: "公示期满",
}

STATUS_LABELS: dict[Status, str] = {
    Status.ACTIVE: "有效",
    Status.REPAIRED: "已修复",
    Status.REVOKED: "已撤销",
    Status.PUBLICITY_ENDED: "公示期满",
    Status.SUPERSEDED: "已更正",
}

# Statuses from which nothing more can happen: a revoked record never existed in law, and a
# record out of publicity is archived (Henan credit regulation Arts. 19, 44).
# A superseded version is replaced by its successor record, which carries on.
TERMINAL = frozenset({Status.REVOKED, Status.PUBLICITY_ENDED, Status.SUPERSEDED})


class InvalidTransition(ValueError):
    """An event that cannot follow the record's current state."""

    def __init__(self, state: RecordState, event: EventType) -> None:
        self.state = state
        self.event = event
        super().__init__(
            f"记录状态为「{STATUS_LABELS[state.status]}」"
            f"{'(异议中)' if state.disputed else ''}时不能发生「{EVENT_LABELS[event]}」"
        )


@dataclass(frozen=True, slots=True)
class RecordState:
    """A record's status as of a moment: the fold of its events."""

    status: Status = Status.ACTIVE
    disputed: bool = False
    exists: bool = False

    @property
    def counts_for_scoring(self) -> bool:
        """Only an existing, active record weighs on a grade; a disputed one is frozen."""
        return self.exists and self.status is Status.ACTIVE and not self.disputed

    @property
    def publicly_shown(self) -> bool:
        return self.exists and self.status is Status.ACTIVE


@dataclass(frozen=True, slots=True)
class Event:
    """The part of a `RecordEvent` row that the fold needs."""

    type: EventType
    at: datetime
    seq: int = 0


def apply_event(state: RecordState, event: EventType) -> RecordState:
    """Return the state after `event`, or raise `InvalidTransition`."""
    if event is EventType.CREATED:
        if state.exists:
            raise InvalidTransition(state, event)
        return RecordState(exists=True)
    if not state.exists or state.status in TERMINAL:
        raise InvalidTransition(state, event)
    if event is EventType.DISPUTED:
        if state.disputed or state.status is not Status.ACTIVE:
            raise InvalidTransition(state, event)
        return replace(state, disputed=True)
    if event is EventType.DISPUTE_REJECTED:
        if not state.disputed:
            raise InvalidTransition(state, event)
        return replace(state, disputed=False)
    if event is EventType.DISPUTE_UPHELD:
        if not state.disputed:
            raise InvalidTransition(state, event)
        return replace(state, disputed=False, status=Status.REVOKED)
    if event is EventType.CORRECTED:
        # Records are immutable, so a correction (a source re-sending changed content, or a
        # dispute found partly right) retires this version; the corrected content is a new
        # `CreditRecord` that names this one in `supersedes`.
        return replace(state, disputed=False, status=Status.SUPERSEDED)
    if event is EventType.REPAIRED:
        if state.disputed or state.status is not Status.ACTIVE:
            raise InvalidTransition(state, event)
        return replace(state, status=Status.REPAIRED)
    if event is EventType.REVOKED:
        return replace(state, disputed=False, status=Status.REVOKED)
    if event is EventType.PUBLICITY_ENDED:
        # A repaired record's publicity has already stopped; its end date still closes it.
        return replace(state, disputed=False, status=Status.PUBLICITY_ENDED)
    raise InvalidTransition(state, event)  # pragma: no cover - every EventType is handled above


def fold(events: Iterable[Event], as_of: datetime | None = None) -> RecordState:
    """Fold events (in time order, ties by sequence) that happened at or before `as_of`."""
    state = RecordState()
    for event in sorted(events, key=lambda e: (e.at, e.seq)):
        if as_of is not None and event.at > as_of:
            break
        state = apply_event(state, event.type)
    return state


# Column schema of the ledger frames (synthetic Parquet, scoring extracts).
RECORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("record_id", "BIGINT"),
    ("enterprise_id", "INTEGER"),
    ("kind", "VARCHAR"),
    ("severity", "VARCHAR"),
    ("occurred_on", "DATE"),
    ("decided_on", "DATE"),
    ("amount", "DECIMAL(18,2)"),
    ("source_ref", "VARCHAR"),
    ("source", "VARCHAR"),  # DataSource code
    ("authority", "VARCHAR"),
    ("result", "VARCHAR"),  # grade or outcome of rating kinds (e.g. tax grade "B"), penalty category
    ("summary", "VARCHAR"),
)
OBSERVATION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("enterprise_id", "INTEGER"),
    ("metric", "VARCHAR"),
    ("period", "DATE"),
    ("value", "DOUBLE"),
    ("due_on", "DATE"),
    ("settled_on", "DATE"),
)
