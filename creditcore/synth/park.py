"""The whole park as plain Python objects, for the demo loader and tests (small parks only).

Built from the very same column arrays as the chunked path, so a small park and the chunks of
the same spec hold the same rows. Records also get their payload here: the source fields of the
kind, filled from the row and its fixed `variant`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np

from creditcore.catalogue import KINDS_BY_CODE, RelationType
from creditcore.ledger import EventType
from creditcore.synth import vocab
from creditcore.synth.chunks import concat, observation_blocks, record_blocks
from creditcore.synth.enterprises import INDUSTRIES, TAGS, enterprise_table
from creditcore.synth.kinds import MODELS_BY_CODE
from creditcore.synth.relations import OUTCOME_KINDS, RELATION_TYPES, outcome_arrays, relation_arrays
from creditcore.synth.spec import ParkSpec, from_day_number

MAX_PARK_ENTERPRISES = 20_000  # beyond this, use the chunked path


class SynthBuilding(NamedTuple):
    code: str
    name: str
    plot: str
    zone: str


class SynthEnterprise(NamedTuple):
    """One archive entry; `risk` and `decline` are the latent truth, never shown to users."""

    id: int
    uscc: str
    name: str
    legal_representative: str
    legal_representative_id_number: str
    contact_phone: str
    registered_capital: Decimal
    founded_on: date
    industry_code: str
    industry_name: str
    cluster: str
    size: str
    building: str | None  # building code
    address: str
    park_entry_on: date | None
    status: str
    in_park: bool
    risk: float
    decline: float


class SynthTag(NamedTuple):
    enterprise_id: int
    tag: str
    since: date
    until: date


class SynthRecord(NamedTuple):
    record_id: int
    enterprise_id: int
    kind: str
    source: str
    source_ref: str
    severity: str
    occurred_on: date | None
    decided_on: date
    amount: Decimal | None
    authority: str
    result: str
    summary: str
    payload: dict[str, str]


class SynthEvent(NamedTuple):
    """An event after creation; the `created` event of every record is implied at its decision."""

    record_id: int
    event_type: EventType
    at: datetime
    note: str


class SynthObservation(NamedTuple):
    enterprise_id: int
    metric: str
    period: date
    value: Decimal
    due_on: date | None
    settled_on: date | None


class SynthRelation(NamedTuple):
    enterprise_id: int
    counterparty_id: int
    relation_type: RelationType
    weight: Decimal
    valid_from: date
    valid_to: date | None


class SynthOutcome(NamedTuple):
    """What happened in the held-apart window after `as_of` (not part of the ledger)."""

    enterprise_id: int
    event: bool
    kind: str  # one of relations.OUTCOME_KINDS, "" without event
    on: date | None
    via: int | None  # the enterprise whose failure spread here, if any


@dataclass(frozen=True)
class SynthPark:
    spec: ParkSpec
    buildings: list[SynthBuilding]
    enterprises: list[SynthEnterprise]
    tags: list[SynthTag]
    records: list[SynthRecord]
    events: list[SynthEvent]
    observations: list[SynthObservation]
    relations: list[SynthRelation]
    outcomes: list[SynthOutcome]

    def demo_enterprise_id(self) -> int:
        """A park enterprise of middling risk with the most varied file: the demo's own account."""
        kinds: dict[int, set[str]] = {}
        counts: dict[int, int] = {}
        for record in self.records:
            kinds.setdefault(record.enterprise_id, set()).add(record.kind)
            counts[record.enterprise_id] = counts.get(record.enterprise_id, 0) + 1
        candidates = [
            e for e in self.enterprises if e.in_park and e.status == "operating"
        ] or self.enterprises
        best = min(
            candidates,
            key=lambda e: (abs(e.risk - 0.45) > 0.12, -len(kinds.get(e.id, ())), -counts.get(e.id, 0), e.id),
        )
        return best.id


def generate_park(spec: ParkSpec) -> SynthPark:
    """The whole park of `spec` in memory. For up to `MAX_PARK_ENTERPRISES` enterprises."""
    if spec.enterprises > MAX_PARK_ENTERPRISES:
        raise ValueError(
            f"企业数量 {spec.enterprises} 超过内存生成上限 {MAX_PARK_ENTERPRISES},"
            "请改用分块生成(iter_record_chunks)"
        )
    table = enterprise_table(spec)
    b = table.buildings
    buildings = [SynthBuilding(*row) for row in zip(b.code, b.name, b.plot, b.zone, strict=True)]
    enterprises = [
        SynthEnterprise(
            id=i + 1,
            uscc=table.uscc[i],
            name=table.name[i],
            legal_representative=table.legal_representative[i],
            legal_representative_id_number=table.id_number[i],
            contact_phone=table.phone[i],
            registered_capital=Decimal(f"{table.capital[i]:.2f}"),
            founded_on=from_day_number(table.founded[i]),
            industry_code=INDUSTRIES[table.industry[i]].code,
            industry_name=INDUSTRIES[table.industry[i]].name,
            cluster=vocab.CLUSTERS[table.cluster[i]].name,
            size=vocab.SIZES[table.size[i]],
            building=str(b.code[table.building[i]]) if table.building[i] >= 0 else None,
            address=table.address[i],
            park_entry_on=from_day_number(table.entry[i]) if table.in_park[i] else None,
            status=vocab.STATUSES[table.status[i]],
            in_park=bool(table.in_park[i]),
            risk=float(table.risk[i]),
            decline=float(table.decline[i]),
        )
        for i in range(len(table))
    ]
    t = table.tags
    tags = [
        SynthTag(int(e) + 1, TAGS[k], from_day_number(s), from_day_number(u))
        for e, k, s, u in zip(t.enterprise, t.tag, t.since, t.until, strict=True)
    ]
    blocks = list(record_blocks(spec))
    records = _records(concat([r for r, _ in blocks]))
    events = _events(concat([e for _, e in blocks]))
    observations = _observations(concat(list(observation_blocks(spec))))
    rel = relation_arrays(spec)
    relations = [
        SynthRelation(
            int(a) + 1,
            int(c) + 1,
            RELATION_TYPES[k],
            Decimal(f"{w:.4f}"),
            from_day_number(f),
            _date_or_none(to),
        )
        for a, c, k, w, f, to in zip(
            rel.enterprise,
            rel.counterparty,
            rel.relation_type,
            rel.weight,
            rel.valid_from,
            rel.valid_to,
            strict=True,
        )
    ]
    out = outcome_arrays(spec)
    outcomes = [
        SynthOutcome(
            i + 1,
            bool(out.event[i]),
            OUTCOME_KINDS[out.kind[i]] if out.kind[i] >= 0 else "",
            _date_or_none(out.on[i]),
            int(out.via[i]) + 1 if out.via[i] >= 0 else None,
        )
        for i in range(len(table))
    ]
    return SynthPark(spec, buildings, enterprises, tags, records, events, observations, relations, outcomes)


def _date_or_none(day: Any) -> date | None:
    return None if day == np.iinfo(np.int64).min else from_day_number(day)


def _dates(column: np.ndarray) -> list[date | None]:
    return list(column.astype(object))


def _records(columns: dict[str, np.ndarray]) -> list[SynthRecord]:
    occurred = _dates(columns["occurred_on"])
    decided = _dates(columns["decided_on"])
    out = []
    for i in range(len(columns["record_id"])):
        raw = float(columns["amount"][i])
        amount = None if np.isnan(raw) else Decimal(f"{raw:.2f}")
        decided_on = decided[i]
        assert decided_on is not None
        row: dict[str, Any] = {
            "record_id": int(columns["record_id"][i]),
            "enterprise_id": int(columns["enterprise_id"][i]),
            "kind": columns["kind"][i],
            "source": columns["source"][i],
            "source_ref": columns["source_ref"][i],
            "severity": columns["severity"][i],
            "occurred_on": occurred[i],
            "decided_on": decided_on,
            "amount": amount,
            "authority": columns["authority"][i],
            "result": columns["result"][i],
            "summary": columns["summary"][i],
        }
        out.append(SynthRecord(**row, payload=record_payload(row, int(columns["variant"][i]))))
    return out


def record_payload(row: dict[str, Any], variant: int) -> dict[str, str]:
    """The kind's source fields, filled from the record (and its `variant` for the wording)."""
    model = MODELS_BY_CODE[row["kind"]]
    entry = model.entries[_entry_index(model, row, variant)]
    decided: date = row["decided_on"]
    amount: Decimal | None = row["amount"]
    surnames, given = vocab.SURNAMES, vocab.GIVEN_CHARS
    overdue = {"minor": (5, 29), "general": (30, 90), "serious": (91, 240)}.get(row["severity"], (5, 29))
    context = {
        "ref": row["source_ref"],
        "authority": row["authority"],
        "summary": row["summary"],
        "result": row["result"],
        "date": decided.isoformat(),
        "year": str(decided.year),
        "prev_year": str(decided.year - 1),
        "plus3y": _plus_years(decided, 3).isoformat(),
        "plus5y": _plus_years(decided, 5).isoformat(),
        "deadline": (decided + timedelta(days=15 if row["severity"] != "serious" else 30)).isoformat(),
        "amount": f"{amount:.2f}" if amount is not None else "",
        "amount_wan": f"{amount / 10000:.4f}" if amount is not None else "0",
        "penalty_content": (
            f"{row['result']},罚款{amount:.0f}元" if amount is not None and row["result"] else row["result"]
        ),
        "days": str(overdue[0] + variant % (overdue[1] - overdue[0] + 1)),
        "months": str(2 + variant % 6),
        "person1": surnames[variant % len(surnames)] + given[(variant >> 3) % len(given)],
        "person2": surnames[(variant >> 6) % len(surnames)] + given[(variant >> 9) % len(given)],
        "cap1": str(100 * (1 + variant % 50)),
        "cap2": str(100 * (1 + variant % 50) * (2 + (variant >> 5) % 3)),
    }
    fields = KINDS_BY_CODE[row["kind"]].payload_fields
    return {name: entry.get(name, model.payload[name]).format(**context) for name in fields}


def _entry_index(model: Any, row: dict[str, Any], variant: int) -> int:
    if model.summary_by_result and row["result"]:
        return int(model.results.index(row["result"]))
    return variant % len(model.entries)


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28) - timedelta(days=1)


def _events(columns: dict[str, np.ndarray]) -> list[SynthEvent]:
    at = columns["at"].astype("datetime64[s]").astype(np.int64)
    return [
        SynthEvent(int(r), EventType(t), datetime.fromtimestamp(int(s), tz=UTC), note)
        for r, t, s, note in zip(
            columns["record_id"], columns["event_type"], at, columns["note"], strict=True
        )
    ]


def _observations(columns: dict[str, np.ndarray]) -> list[SynthObservation]:
    return [
        SynthObservation(e, m, p, Decimal(f"{v:.2f}"), d, s)
        for e, m, p, v, d, s in zip(
            columns["enterprise_id"].tolist(),
            columns["metric"].tolist(),
            _dates(columns["period"]),
            columns["value"].tolist(),
            _dates(columns["due_on"]),
            _dates(columns["settled_on"]),
            strict=True,
        )
    ]
