"""Read the ledger as it stood on a date, as the plain inputs the scorer understands.

Set-based: one query per table (enterprises, tags, records, events, observations), never one
per enterprise. A record's status is the fold of its events up to the end of the as-of day
(`creditcore.ledger`), so a record entered, repaired or revoked later does not change a past
score: the CREATED event is dated when the record entered the ledger. A bill settled after the
as-of date was unpaid on that date, so its `settled_on` is hidden.

Observations carry no entry history of their own; a row added later for an earlier period
changes the past (documented in docs/scoring-operations.md).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import FloatField
from django.db.models.functions import Cast
from django.utils import timezone

from creditcore.scoring.inputs import EnterpriseInput, ObservationInput, RecordInput, TagInput
from parkcredit.common.crypto import sm3_hex
from parkcredit.enterprises.models import Enterprise, EnterpriseTag
from parkcredit.records.models import CreditRecord, Observation
from parkcredit.records.selectors import enterprise_record_states

# Rating kinds keep their outcome in one payload field (see creditcore.synth.kinds); the scorer
# reads it as `result`.
RESULT_FIELDS: dict[str, str] = {
    "penalty": "处罚类别",
    "inspection-result": "检查结果",
    "tax-credit-grade": "纳税信用等级",
    "env-credit-rating": "评价等级",
    "customs-credit-rating": "信用等级",
}
# A tag without a recognition date counts from the beginning of time.
EARLIEST = date(1900, 1, 1)


@dataclass
class LedgerInputs:
    """The scorer's view of the ledger as of `as_of`, grouped by enterprise."""

    as_of: date
    enterprises: list[EnterpriseInput]
    records: dict[int, list[RecordInput]] = field(default_factory=dict)
    observations: dict[int, list[ObservationInput]] = field(default_factory=dict)

    def records_of(self, enterprise_id: int) -> list[RecordInput]:
        return self.records.get(enterprise_id, [])

    def observations_of(self, enterprise_id: int) -> list[ObservationInput]:
        return self.observations.get(enterprise_id, [])

    @property
    def record_count(self) -> int:
        return sum(len(rows) for rows in self.records.values())

    @property
    def observation_count(self) -> int:
        return sum(len(rows) for rows in self.observations.values())

    def all_records(self) -> list[RecordInput]:
        return [r for e in self.enterprises for r in self.records_of(e.id)]

    def all_observations(self) -> list[ObservationInput]:
        return [o for e in self.enterprises for o in self.observations_of(e.id)]


def end_of_day(as_of: date) -> datetime:
    """The last moment of `as_of` in the park's time zone: events up to it count."""
    return timezone.make_aware(datetime.combine(as_of, time.max), timezone.get_default_timezone())


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _chunks(ids: Sequence[int], size: int = 900) -> Iterable[Sequence[int]]:
    # SQLite limits bound parameters; 900 keeps every IN (...) well below the limit.
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def ledger_extract(*, as_of: date, enterprise_ids: Iterable[int] | None = None) -> LedgerInputs:
    """The inputs of every in-park enterprise (or of `enterprise_ids`) as of `as_of`.

    An enterprise founded after `as_of` is left out: it did not exist on that date.
    """
    enterprises_qs = Enterprise.objects.filter(in_park=True).exclude(founded_on__gt=as_of)
    if enterprise_ids is not None:
        enterprises_qs = enterprises_qs.filter(pk__in=list(enterprise_ids))
    rows = list(
        enterprises_qs.order_by("pk").values_list(
            "pk", "founded_on", "in_park", "park_entry_on", "registered_capital", "size"
        )
    )
    ids = [row[0] for row in rows]
    tags: dict[int, list[TagInput]] = defaultdict(list)
    records: dict[int, list[RecordInput]] = defaultdict(list)
    observations: dict[int, list[ObservationInput]] = defaultdict(list)
    moment = end_of_day(as_of)
    for chunk in _chunks(ids):
        for ent_id, tag, since, until in (
            EnterpriseTag.objects.filter(enterprise_id__in=chunk)
            .exclude(since__gt=as_of)
            .order_by("enterprise_id", "tag")
            .values_list("enterprise_id", "tag", "since", "until")
        ):
            tags[ent_id].append(TagInput(tag=tag, since=since or EARLIEST, until=until))
        _extract_records(chunk, as_of, moment, records)
        for ent_id, metric, period, value, due_on, settled_on in (
            Observation.objects.filter(enterprise_id__in=chunk, period__lte=as_of)
            # Floats straight from the database: Decimal conversion of every value costs more
            # than the scoring of one enterprise.
            .annotate(value_f=Cast("value", FloatField()))
            .order_by("enterprise_id", "metric", "period", "id")
            .values_list("enterprise_id", "metric", "period", "value_f", "due_on", "settled_on")
        ):
            observations[ent_id].append(
                ObservationInput(
                    enterprise_id=ent_id,
                    metric=metric,
                    period=period,
                    value=float(value),
                    due_on=due_on,
                    settled_on=settled_on if settled_on is not None and settled_on <= as_of else None,
                )
            )
    enterprises = [
        EnterpriseInput(
            id=pk,
            founded_on=founded_on,
            in_park=in_park,
            park_entry_on=park_entry_on if park_entry_on is None or park_entry_on <= as_of else None,
            registered_capital=_float(capital),
            size=size or "",
            tags=tuple(tags.get(pk, ())),
        )
        for pk, founded_on, in_park, park_entry_on, capital, size in rows
    ]
    return LedgerInputs(
        as_of=as_of, enterprises=enterprises, records=dict(records), observations=dict(observations)
    )


def _extract_records(
    chunk: Sequence[int], as_of: date, moment: datetime, out: dict[int, list[RecordInput]]
) -> None:
    rows = list(
        CreditRecord.objects.filter(enterprise_id__in=chunk, decided_on__lte=as_of)
        .annotate(amount_f=Cast("amount", FloatField()))
        .order_by("enterprise_id", "pk")
        .values_list(
            "pk",
            "enterprise_id",
            "kind__code",
            "kind__polarity",
            "severity",
            "decided_on",
            "amount_f",
            "payload",
        )
    )
    states = enterprise_record_states(chunk, moment, decided_by=as_of)
    for pk, ent_id, kind, polarity, severity, decided_on, amount, payload in rows:
        state = states.get(pk)
        if state is None or not state.exists:
            continue  # entered the ledger after the as-of date
        result_field = RESULT_FIELDS.get(kind)
        result = str((payload or {}).get(result_field, "")) if result_field else ""
        out[ent_id].append(
            RecordInput(
                id=pk,
                enterprise_id=ent_id,
                kind=kind,
                polarity=polarity,
                severity=severity or "",
                decided_on=decided_on,
                amount=None if amount is None else float(amount),
                status_as_of=state.status.value,
                disputed=state.disputed,
                result=result,
            )
        )


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def enterprise_fingerprint(inputs: LedgerInputs, enterprise: EnterpriseInput, spec_digest: str) -> str:
    """SM3 of the enterprise's sorted inputs and the model: equal digests, equal score."""
    payload: list[Any] = [
        spec_digest,
        inputs.as_of.isoformat(),
        [
            enterprise.id,
            _iso(enterprise.founded_on),
            enterprise.in_park,
            _iso(enterprise.park_entry_on),
            enterprise.registered_capital,
            enterprise.size,
            sorted((t.tag, _iso(t.since), _iso(t.until)) for t in enterprise.tags),
        ],
        sorted(
            (
                r.id,
                r.kind,
                r.polarity,
                r.severity,
                _iso(r.decided_on),
                r.amount,
                r.status_as_of,
                r.disputed,
                r.result,
            )
            for r in inputs.records_of(enterprise.id)
        ),
        sorted(
            (o.metric, _iso(o.period), o.value, _iso(o.due_on), _iso(o.settled_on))
            for o in inputs.observations_of(enterprise.id)
        ),
    ]
    return sm3_hex(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def run_fingerprint(fingerprints: Iterable[tuple[int, str]]) -> str:
    """SM3 over the (enterprise id, fingerprint) pairs in id order: one digest for a whole run."""
    body = "\n".join(f"{pk}:{digest}" for pk, digest in sorted(fingerprints))
    return sm3_hex(body.encode("utf-8"))
