"""Ledger frames: the input tables of the compiled scoring SQL, as dicts of numpy arrays.

The compiled query (`creditcore.scoring.compiler`) reads four tables. Whoever extracts the ledger
(the Django app, the benchmark, the property tests) fills them with exactly these columns:

- ``ledger_enterprises``: one row per enterprise to score (enterprises without any record or
  observation still get a score: their indicators fall back to the missing-data rule).
- ``ledger_tags``: enterprise tags with their validity dates.
- ``ledger_records``: credit records with the record's status **as of the scoring date already
  resolved** (``status_as_of``, ``disputed``) outside the SQL. The Django extract folds each
  record's events with `creditcore.ledger.apply_event`; `resolve_status` here (for synthetic
  chunks) takes the last event, which gives the same status for every legal event sequence.
- ``ledger_observations``: monthly park observations (bills carry ``due_on`` and ``settled_on``).

Dates are DATE columns; in frames they are ``datetime64[D]`` arrays (NaT for missing), amounts
and values float64 (NaN for missing), text columns object arrays of ``str``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np

from creditcore.catalogue import KINDS_BY_CODE
from creditcore.ledger import EventType, Status

Frame = dict[str, np.ndarray]
Frames = dict[str, Frame]

ENTERPRISES = "ledger_enterprises"
TAGS = "ledger_tags"
RECORDS = "ledger_records"
OBSERVATIONS = "ledger_observations"

SCHEMA: dict[str, tuple[tuple[str, str], ...]] = {
    ENTERPRISES: (
        ("enterprise_id", "BIGINT"),
        ("founded_on", "DATE"),
        ("in_park", "BOOLEAN"),
        ("park_entry_on", "DATE"),
        ("registered_capital", "DOUBLE"),
        ("size", "VARCHAR"),
    ),
    TAGS: (
        ("enterprise_id", "BIGINT"),
        ("tag", "VARCHAR"),
        ("since", "DATE"),
        ("until", "DATE"),
    ),
    RECORDS: (
        ("record_id", "BIGINT"),
        ("enterprise_id", "BIGINT"),
        ("kind", "VARCHAR"),
        ("polarity", "VARCHAR"),
        ("severity", "VARCHAR"),
        ("decided_on", "DATE"),
        ("amount", "DOUBLE"),
        ("status_as_of", "VARCHAR"),
        ("disputed", "BOOLEAN"),
        ("result", "VARCHAR"),
    ),
    OBSERVATIONS: (
        ("enterprise_id", "BIGINT"),
        ("metric", "VARCHAR"),
        ("period", "DATE"),
        ("value", "DOUBLE"),
        ("due_on", "DATE"),
        ("settled_on", "DATE"),
    ),
}

_DTYPES: dict[str, Any] = {
    "BIGINT": np.int64,
    "DOUBLE": np.float64,
    "BOOLEAN": np.bool_,
    "DATE": "datetime64[D]",
}


def _column(values: list[Any], sql_type: str) -> np.ndarray:
    if sql_type == "VARCHAR":
        return np.array(values, dtype=object) if values else np.empty(0, dtype=object)
    if sql_type == "DATE":
        return np.array([v if v is not None else "NaT" for v in values], dtype="datetime64[D]")
    if sql_type == "DOUBLE":
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    return np.array(values, dtype=_DTYPES[sql_type])


def frame_from_rows(table: str, rows: Iterable[Mapping[str, Any]]) -> Frame:
    """A frame of `table` from dict rows (missing keys are NULL)."""
    rows = list(rows)
    return {name: _column([row.get(name) for row in rows], kind) for name, kind in SCHEMA[table]}


def frames_from_inputs(
    enterprises: Iterable[Any], records: Iterable[Any], observations: Iterable[Any]
) -> Frames:
    """Frames from the reference evaluator's inputs (EnterpriseInput, RecordInput, ObservationInput).

    The inputs carry each record's status as of the scoring date already, so this is a plain
    transposition; the SQL and the reference evaluator then read the same facts.
    """
    enterprises = list(enterprises)
    ent_rows = [
        {
            "enterprise_id": e.id,
            "founded_on": e.founded_on,
            "in_park": bool(e.in_park),
            "park_entry_on": e.park_entry_on,
            "registered_capital": e.registered_capital,
            "size": e.size,
        }
        for e in enterprises
    ]
    tag_rows = [
        {"enterprise_id": e.id, "tag": t.tag, "since": t.since, "until": t.until}
        for e in enterprises
        for t in e.tags
    ]
    record_rows = [
        {
            "record_id": r.id,
            "enterprise_id": r.enterprise_id,
            "kind": r.kind,
            "polarity": str(r.polarity),
            "severity": str(r.severity),
            "decided_on": r.decided_on,
            "amount": r.amount,
            "status_as_of": str(r.status_as_of),
            "disputed": bool(r.disputed),
            "result": r.result,
        }
        for r in records
    ]
    obs_rows = [
        {
            "enterprise_id": o.enterprise_id,
            "metric": o.metric,
            "period": o.period,
            "value": o.value,
            "due_on": o.due_on,
            "settled_on": o.settled_on,
        }
        for o in observations
    ]
    return {
        ENTERPRISES: frame_from_rows(ENTERPRISES, ent_rows),
        TAGS: frame_from_rows(TAGS, tag_rows),
        RECORDS: frame_from_rows(RECORDS, record_rows),
        OBSERVATIONS: frame_from_rows(OBSERVATIONS, obs_rows),
    }


# With legal event sequences (creditcore.ledger.apply_event) a record's state is a function of
# its last event alone, which is what lets the fold run vectorised over millions of records.
_STATE_AFTER: dict[str, tuple[Status, bool]] = {
    EventType.CREATED: (Status.ACTIVE, False),
    EventType.DISPUTED: (Status.ACTIVE, True),
    EventType.DISPUTE_REJECTED: (Status.ACTIVE, False),
    EventType.DISPUTE_UPHELD: (Status.REVOKED, False),
    EventType.CORRECTED: (Status.SUPERSEDED, False),
    EventType.REPAIRED: (Status.REPAIRED, False),
    EventType.REVOKED: (Status.REVOKED, False),
    EventType.PUBLICITY_ENDED: (Status.PUBLICITY_ENDED, False),
}


def last_events(
    event_record_ids: np.ndarray, event_types: np.ndarray, event_at: np.ndarray, as_of: date
) -> tuple[np.ndarray, np.ndarray]:
    """(record ids ascending, type of each one's last event up to the as-of day), vectorised.

    `event_at` is ``datetime64`` in UTC; an event counts when its UTC date is on or before
    `as_of` (the rule of `creditcore.scoring.from_synth.record_state`). Events at the same
    instant keep their array order, so pass them in sequence order.
    """
    limit = np.datetime64(as_of + timedelta(days=1), "us")
    keep = event_at.astype("datetime64[us]") < limit
    ev_ids, ev_types = event_record_ids[keep], event_types[keep]
    order = np.lexsort((event_at[keep].astype("datetime64[us]"), ev_ids))
    ev_ids, ev_types = ev_ids[order], ev_types[order]
    last = np.ones(len(ev_ids), dtype=bool)
    last[:-1] = ev_ids[1:] != ev_ids[:-1]
    return ev_ids[last], ev_types[last]


def status_from_last(
    record_ids: np.ndarray, last_ids: np.ndarray, last_types: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Status and dispute flag of each record from `last_events` (no event: active, undisputed)."""
    status = np.full(len(record_ids), Status.ACTIVE.value, dtype=object)
    disputed = np.zeros(len(record_ids), dtype=bool)
    if len(last_ids):
        pos = np.minimum(np.searchsorted(last_ids, record_ids), len(last_ids) - 1)
        hit = last_ids[pos] == record_ids
        types = last_types[pos]
        for event, (state, frozen) in _STATE_AFTER.items():
            mask = hit & (types == str(event))
            status[mask] = state.value
            disputed[mask] = frozen
    return status, disputed


def resolve_status(
    record_ids: np.ndarray,
    event_record_ids: np.ndarray,
    event_types: np.ndarray,
    event_at: np.ndarray,
    as_of: date,
) -> tuple[np.ndarray, np.ndarray]:
    """Status and dispute flag as of `as_of` of each record, from its events after creation.

    Records are taken as created on their decision date (records decided after `as_of` are
    left out by the SQL itself).
    """
    last_ids, last_types = last_events(event_record_ids, event_types, event_at, as_of)
    return status_from_last(record_ids, last_ids, last_types)


def records_frame_from_chunk(
    chunk: Mapping[str, np.ndarray], status: np.ndarray, disputed: np.ndarray
) -> Frame:
    """A ``ledger_records`` frame from a synthetic record chunk (`creditcore.synth.iter_record_chunks`)."""
    kinds = chunk["kind"]
    severity = chunk["severity"]
    polarity_of = {code: spec.polarity.value for code, spec in KINDS_BY_CODE.items()}
    return {
        "record_id": chunk["record_id"].astype(np.int64),
        "enterprise_id": chunk["enterprise_id"].astype(np.int64),
        "kind": kinds,
        "polarity": np.array([polarity_of.get(k) for k in kinds.tolist()], dtype=object),
        "severity": severity,
        "decided_on": chunk["decided_on"],
        "amount": chunk["amount"].astype(np.float64),
        "status_as_of": status,
        "disputed": disputed,
        "result": chunk["result"],
    }


def duckdb_ready(frame: Frame) -> Frame:
    """DuckDB reads numpy arrays directly but not ``datetime64[D]``: hand it seconds instead."""
    return {
        name: col.astype("datetime64[s]") if col.dtype.kind == "M" else col for name, col in frame.items()
    }


def load_duckdb(con: Any, frames: Mapping[str, Frame], *, append: bool = False) -> None:
    """Create (or append to) the four ledger tables in a DuckDB connection from frames.

    Missing tables are created empty, so a park with no observations still scores.
    """
    for table, columns in SCHEMA.items():
        cols = ", ".join(f'"{name}" {kind}' for name, kind in columns)
        if not append:
            con.execute(f"DROP TABLE IF EXISTS {table}")
            con.execute(f"CREATE TABLE {table} ({cols})")
        frame = frames.get(table)
        if frame is None or len(next(iter(frame.values()), ())) == 0:
            continue
        missing = [name for name, _ in columns if name not in frame]
        if missing:
            raise ValueError(f"数据表 {table} 缺少列:{', '.join(missing)}")
        src = duckdb_ready({name: frame[name] for name, _ in columns})  # noqa: F841 - read by DuckDB
        select = ", ".join(f'CAST("{name}" AS {kind}) AS "{name}"' for name, kind in columns)
        # Table and column names come from SCHEMA above, never from input data.
        con.execute(f"INSERT INTO {table} SELECT {select} FROM src")  # noqa: S608
