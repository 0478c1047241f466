"""The record event fold: every transition, its Chinese refusal, and properties of whole histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcore.ledger import (
    TERMINAL,
    Event,
    EventType,
    InvalidTransition,
    RecordState,
    Status,
    apply_event,
    fold,
)

E = EventType
NONE = RecordState()
ACTIVE = RecordState(exists=True)
DISPUTED = RecordState(exists=True, disputed=True)
REPAIRED = RecordState(exists=True, status=Status.REPAIRED)
REVOKED = RecordState(exists=True, status=Status.REVOKED)
ENDED = RecordState(exists=True, status=Status.PUBLICITY_ENDED)
SUPERSEDED = RecordState(exists=True, status=Status.SUPERSEDED)

STATES = {"none": NONE, "active": ACTIVE, "disputed": DISPUTED, "repaired": REPAIRED, "revoked": REVOKED}
STATES["ended"] = ENDED
STATES["superseded"] = SUPERSEDED

# The whole transition table, written out by hand from the rules (None = refused).
TABLE: dict[tuple[str, EventType], RecordState | None] = {
    ("none", E.CREATED): ACTIVE,
    ("active", E.CREATED): None,
    ("disputed", E.CREATED): None,
    ("repaired", E.CREATED): None,
    ("revoked", E.CREATED): None,
    ("ended", E.CREATED): None,
    ("active", E.DISPUTED): DISPUTED,
    ("disputed", E.DISPUTED): None,
    ("repaired", E.DISPUTED): None,
    ("active", E.DISPUTE_REJECTED): None,
    ("disputed", E.DISPUTE_REJECTED): ACTIVE,
    ("repaired", E.DISPUTE_REJECTED): None,
    ("active", E.DISPUTE_UPHELD): None,
    ("disputed", E.DISPUTE_UPHELD): REVOKED,
    ("repaired", E.DISPUTE_UPHELD): None,
    ("active", E.CORRECTED): SUPERSEDED,
    ("disputed", E.CORRECTED): SUPERSEDED,
    ("repaired", E.CORRECTED): SUPERSEDED,
    ("active", E.REPAIRED): REPAIRED,
    ("disputed", E.REPAIRED): None,
    ("repaired", E.REPAIRED): None,
    ("active", E.REVOKED): REVOKED,
    ("disputed", E.REVOKED): REVOKED,
    ("repaired", E.REVOKED): REVOKED,
    ("active", E.PUBLICITY_ENDED): ENDED,
    ("disputed", E.PUBLICITY_ENDED): ENDED,
    ("repaired", E.PUBLICITY_ENDED): ENDED,
}
# Nothing happens to a record that does not exist yet, or to one that is closed.
for _event in EventType:
    if _event is not E.CREATED:
        TABLE[("none", _event)] = None
    TABLE[("revoked", _event)] = None
    TABLE[("ended", _event)] = None
    TABLE[("superseded", _event)] = None


def test_table_covers_every_state_and_event() -> None:
    assert len(TABLE) == len(STATES) * len(EventType)


@pytest.mark.parametrize(("state_name", "event"), sorted(TABLE, key=lambda k: (k[0], k[1].value)))
def test_transition(state_name: str, event: EventType) -> None:
    expected = TABLE[(state_name, event)]
    state = STATES[state_name]
    if expected is None:
        with pytest.raises(InvalidTransition) as caught:
            apply_event(state, event)
        assert caught.value.state == state
        assert caught.value.event is event
    else:
        assert apply_event(state, event) == expected


def test_refusal_message_names_status_and_event_in_chinese() -> None:
    with pytest.raises(InvalidTransition, match="记录状态为「有效」时不能发生「异议不成立」"):
        apply_event(ACTIVE, E.DISPUTE_REJECTED)


def test_refusal_message_mentions_a_pending_dispute() -> None:
    with pytest.raises(InvalidTransition, match=r"「有效」\(异议中\)时不能发生「信用修复」"):
        apply_event(DISPUTED, E.REPAIRED)


def test_refusal_message_for_a_closed_record() -> None:
    with pytest.raises(InvalidTransition, match="「已撤销」时不能发生「提出异议」"):
        apply_event(REVOKED, E.DISPUTED)


def test_scoring_and_publicity_flags() -> None:
    assert ACTIVE.counts_for_scoring and ACTIVE.publicly_shown
    assert not DISPUTED.counts_for_scoring and DISPUTED.publicly_shown
    assert not REPAIRED.counts_for_scoring and not REPAIRED.publicly_shown
    assert not NONE.counts_for_scoring and not NONE.publicly_shown


T0 = datetime(2025, 1, 1, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_fold_orders_by_time_then_sequence() -> None:
    events = [
        Event(E.REPAIRED, at(10), seq=3),
        Event(E.CREATED, at(0), seq=1),
        Event(E.DISPUTED, at(5), seq=2),
        Event(E.DISPUTE_REJECTED, at(5), seq=4),
    ]
    assert fold(events) == REPAIRED


def test_fold_as_of_ignores_later_events() -> None:
    events = [Event(E.CREATED, at(0), 1), Event(E.DISPUTED, at(5), 2), Event(E.REVOKED, at(9), 3)]
    assert fold(events, as_of=at(-1)) == NONE
    assert fold(events, as_of=at(0)) == ACTIVE
    assert fold(events, as_of=at(7)) == DISPUTED
    assert fold(events, as_of=at(9)) == REVOKED


def test_fold_raises_on_an_impossible_history() -> None:
    with pytest.raises(InvalidTransition):
        fold([Event(E.CREATED, at(0), 1), Event(E.REPAIRED, at(1), 2), Event(E.REPAIRED, at(2), 3)])


# --- properties over random histories ------------------------------------------------------

event_types = st.sampled_from(list(EventType))


def _valid_history(kinds: list[EventType]) -> list[Event]:
    """Keep only the events that apply, so the result is a history the ledger could hold."""
    state = NONE
    events: list[Event] = []
    for kind in kinds:
        try:
            state = apply_event(state, kind)
        except InvalidTransition:
            continue
        events.append(Event(kind, at(len(events) // 2), seq=len(events)))  # ties on purpose
    return events


def _possible(state: RecordState) -> bool:
    if not state.exists:
        return state == NONE
    return not (state.disputed and state.status is not Status.ACTIVE)


@settings(max_examples=300)
@given(st.lists(event_types, max_size=30))
def test_random_sequences_never_reach_an_impossible_state(kinds: list[EventType]) -> None:
    state = NONE
    for kind in kinds:
        try:
            state = apply_event(state, kind)
        except InvalidTransition as exc:
            assert exc.state == state  # a refusal leaves the state as it was
        assert _possible(state)


@settings(max_examples=300)
@given(st.lists(event_types, max_size=30), st.lists(event_types, min_size=1, max_size=10))
def test_terminal_states_absorb(prefix: list[EventType], tail: list[EventType]) -> None:
    state = fold(_valid_history(prefix))
    if state.status not in TERMINAL:
        state = apply_event(state if state.exists else apply_event(state, E.CREATED), E.REVOKED)
    for kind in tail:
        with pytest.raises(InvalidTransition):
            apply_event(state, kind)


@settings(max_examples=300)
@given(st.lists(event_types, max_size=30), st.integers(min_value=-1, max_value=20), st.randoms())
def test_as_of_cut_equals_folding_the_prefix(kinds: list[EventType], cut: int, rnd: object) -> None:
    events = _valid_history(kinds)
    as_of = at(cut)
    prefix = [e for e in events if e.at <= as_of]
    # Events are generated in order, so the prefix is a leading slice of the history.
    assert prefix == events[: len(prefix)]
    expected = NONE
    for event in prefix:
        expected = apply_event(expected, event.type)
    shuffled = list(events)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert fold(shuffled, as_of=as_of) == expected
    assert fold(prefix) == expected
