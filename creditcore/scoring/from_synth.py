"""Scoring inputs from a synthetic park (calibration, back-tests, tests).

Each record's status as of the date is the fold of its implied "created" event (at the decision
date) and its later events dated on or before the as-of date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditcore.catalogue import KINDS_BY_CODE
from creditcore.ledger import Event, EventType, RecordState, apply_event
from creditcore.scoring.inputs import EnterpriseInput, ObservationInput, RecordInput, TagInput
from creditcore.synth import SynthPark


@dataclass(frozen=True)
class ParkInputs:
    as_of: date
    enterprises: list[EnterpriseInput]
    records: list[RecordInput]
    observations: list[ObservationInput]


def record_state(events: list[Event], as_of: date) -> RecordState:
    """State of a record created on or before `as_of`, after its events up to that day."""
    state = apply_event(RecordState(), EventType.CREATED)
    for event in sorted(events, key=lambda e: (e.at, e.seq)):
        if event.at.date() > as_of:
            break
        state = apply_event(state, event.type)
    return state


def park_inputs(park: SynthPark, as_of: date | None = None) -> ParkInputs:
    as_of = as_of or park.spec.as_of
    tags: dict[int, list[TagInput]] = {}
    for tag in park.tags:
        tags.setdefault(tag.enterprise_id, []).append(TagInput(tag.tag, tag.since, tag.until))
    enterprises = [
        EnterpriseInput(
            id=e.id,
            founded_on=e.founded_on,
            in_park=e.in_park,
            park_entry_on=e.park_entry_on,
            registered_capital=float(e.registered_capital),
            size=e.size,
            tags=tuple(tags.get(e.id, ())),
        )
        for e in park.enterprises
    ]
    events: dict[int, list[Event]] = {}
    for seq, ev in enumerate(park.events):
        events.setdefault(ev.record_id, []).append(Event(ev.event_type, ev.at, seq))
    records = []
    for r in park.records:
        if r.decided_on > as_of:
            continue
        state = record_state(events.get(r.record_id, []), as_of)
        records.append(
            RecordInput(
                id=r.record_id,
                enterprise_id=r.enterprise_id,
                kind=r.kind,
                polarity=KINDS_BY_CODE[r.kind].polarity.value,
                severity=r.severity,
                decided_on=r.decided_on,
                amount=None if r.amount is None else float(r.amount),
                status_as_of=state.status.value,
                disputed=state.disputed,
                result=r.result,
            )
        )
    observations = [
        ObservationInput(o.enterprise_id, o.metric, o.period, float(o.value), o.due_on, o.settled_on)
        for o in park.observations
        if o.period <= as_of
    ]
    return ParkInputs(as_of, enterprises, records, observations)
