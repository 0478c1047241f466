"""The engine and the ledger frames: loading, status folding, filters, and a synthetic park end to end."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import numpy as np
import pytest

from creditcore.ledger import Event, EventType, Status
from creditcore.scoring.engine import evidence_from_rows, score_duckdb, score_frames_duckdb, score_postgres
from creditcore.scoring.frames import (
    ENTERPRISES,
    OBSERVATIONS,
    RECORDS,
    SCHEMA,
    TAGS,
    frame_from_rows,
    frames_from_inputs,
    load_duckdb,
    records_frame_from_chunk,
    resolve_status,
)
from creditcore.scoring.from_synth import ParkInputs, park_inputs, record_state
from creditcore.scoring.inputs import EnterpriseInput, RecordInput
from creditcore.scoring.reference import score_many
from creditcore.synth import ParkSpec, generate_park
from creditcore.synth.chunks import record_blocks
from tests.creditcore.scoring.test_sql_vs_reference import (
    AS_OF,
    DEFAULT_SPEC,
    assert_same,
    every_aggregate_spec,
    fill_postgres,
    postgres_connection,
    postgres_schema,
)


@pytest.fixture(scope="module")
def park() -> ParkInputs:
    return park_inputs(generate_park(ParkSpec(enterprises=200, seed=11)))


def test_synthetic_park_scores_like_the_reference(park: ParkInputs) -> None:
    expected = score_many(DEFAULT_SPEC, park.enterprises, park.records, park.observations, park.as_of)
    got = score_frames_duckdb(
        DEFAULT_SPEC, frames_from_inputs(park.enterprises, park.records, park.observations), park.as_of
    )
    assert [g.enterprise_id for g in got] == [e.id for e in park.enterprises]
    for want, have in zip(expected, got, strict=True):
        assert_same(want, have)
    assert len({g.grade for g in got}) >= 3  # a real spread, not everyone in one band


def test_postgres_agrees_with_duckdb_on_a_synthetic_park(park: ParkInputs) -> None:
    frames = frames_from_inputs(park.enterprises, park.records, park.observations)
    duck = score_frames_duckdb(DEFAULT_SPEC, frames, park.as_of)
    con = postgres_connection()
    with postgres_schema(con, f"scoring_engine_{os.getpid()}"):
        fill_postgres(con, frames)
        pg = score_postgres(DEFAULT_SPEC, con, park.as_of)
        one = score_postgres(DEFAULT_SPEC, con, park.as_of, enterprise_ids=[duck[5].enterprise_id])
    con.close()
    for a, b in zip(duck, pg, strict=True):
        assert_same(a, b)
    assert one == [pg[5]]


def test_filtered_run_equals_the_full_run_and_keeps_the_connection(park: ParkInputs) -> None:
    con = duckdb.connect()
    frames = frames_from_inputs(park.enterprises, park.records, park.observations)
    full = score_frames_duckdb(DEFAULT_SPEC, frames, park.as_of, con)
    ids = [full[3].enterprise_id, full[40].enterprise_id]
    assert score_duckdb(DEFAULT_SPEC, con, park.as_of, enterprise_ids=ids) == [full[3], full[40]]
    assert score_duckdb(DEFAULT_SPEC, con, park.as_of, enterprise_ids=[]) == []
    bare = score_duckdb(DEFAULT_SPEC, con, park.as_of, evidence=False)
    assert [r.score for r in bare] == [r.score for r in full]
    assert all(i.evidence == () for r in bare for i in r.indicators)
    assert any(i.evidence for r in full for i in r.indicators)


def test_enterprise_without_any_rows_gets_missing_data_points() -> None:
    spec = every_aggregate_spec()
    ent = EnterpriseInput(id=42)
    [got] = score_frames_duckdb(spec, frames_from_inputs([ent], [], []), AS_OF)
    [want] = score_many(spec, [ent], [], [], AS_OF)
    assert_same(want, got)
    assert got.indicator("elec_mean").missing and got.indicator("elec_mean").points == 0.0  # worst
    assert got.indicator("tax_grade").points == 7.0  # explicit points
    assert not got.indicator("neg_count").missing  # a count of nothing is 0, not missing
    assert 0 < got.data_depth < 1


def test_vetoes_and_caps_lower_grade_and_score() -> None:
    spec = every_aggregate_spec()
    ent = EnterpriseInput(id=1, founded_on=date(2000, 1, 1), registered_capital=5e6)
    veto = RecordInput(1, 1, "court-defaulter", "negative", "serious", AS_OF - timedelta(days=4000))
    cap = RecordInput(2, 1, "penalty", "negative", "serious", AS_OF - timedelta(days=10))
    for records, vetoes, caps in (([veto], ("defaulter",), ()), ([cap], (), ("serious_penalty",))):
        [got] = score_frames_duckdb(spec, frames_from_inputs([ent], records, []), AS_OF)
        [want] = score_many(spec, [ent], records, [], AS_OF)
        assert_same(want, got)
        assert (got.vetoes, got.caps) == (vetoes, caps)
    assert got.grade == "C" and got.score <= 599


def test_frames_have_the_schema_columns_and_types() -> None:
    frames = frames_from_inputs([EnterpriseInput(id=1, founded_on=date(2020, 1, 2))], [], [])
    assert set(frames) == set(SCHEMA)
    for table, columns in SCHEMA.items():
        assert list(frames[table]) == [name for name, _ in columns]
    ent = frames[ENTERPRISES]
    assert ent["founded_on"].dtype == np.dtype("datetime64[D]") and np.isnat(ent["park_entry_on"][0])
    assert np.isnan(ent["registered_capital"][0])
    assert len(frames[RECORDS]["record_id"]) == 0


def test_load_refuses_a_frame_without_a_column() -> None:
    frame = frame_from_rows(TAGS, [{"enterprise_id": 1, "tag": "high_tech", "since": date(2024, 1, 1)}])
    del frame["since"]
    with pytest.raises(ValueError, match="ledger_tags 缺少列:since"):
        load_duckdb(duckdb.connect(), {TAGS: frame})


def test_load_appends_chunks_and_keeps_nulls() -> None:
    con = duckdb.connect()
    rows = [{"enterprise_id": 1, "metric": "rent_bill", "period": date(2026, 1, 1), "value": 3.0}]
    load_duckdb(con, {OBSERVATIONS: frame_from_rows(OBSERVATIONS, rows)})
    load_duckdb(con, {OBSERVATIONS: frame_from_rows(OBSERVATIONS, rows)}, append=True)
    assert con.execute("SELECT count(*), count(due_on), min(period) FROM ledger_observations").fetchall() == [
        (2, 0, date(2026, 1, 1))
    ]


def _events(kinds: list[EventType]) -> list[Event]:
    start = datetime(2026, 1, 1, 2, tzinfo=UTC)
    return [Event(kind, start + timedelta(days=10 * n), n) for n, kind in enumerate(kinds)]


@pytest.mark.parametrize(
    ("kinds", "status", "disputed"),
    [
        ([], Status.ACTIVE, False),
        ([EventType.DISPUTED], Status.ACTIVE, True),
        ([EventType.DISPUTED, EventType.DISPUTE_REJECTED], Status.ACTIVE, False),
        ([EventType.DISPUTED, EventType.DISPUTE_UPHELD], Status.REVOKED, False),
        ([EventType.REPAIRED], Status.REPAIRED, False),
        ([EventType.REPAIRED, EventType.PUBLICITY_ENDED], Status.PUBLICITY_ENDED, False),
        ([EventType.CORRECTED], Status.SUPERSEDED, False),
        ([EventType.REVOKED], Status.REVOKED, False),
    ],
)
def test_vectorised_status_equals_the_ledger_fold(
    kinds: list[EventType], status: Status, disputed: bool
) -> None:
    events = _events(kinds)
    for as_of in (date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 11), date(2026, 12, 31)):
        state = record_state(events, as_of)
        got_status, got_disputed = resolve_status(
            np.array([5, 6]),
            np.array([5] * len(events), dtype=np.int64),
            np.array([str(e.type) for e in events], dtype=object),
            np.array([e.at.replace(tzinfo=None) for e in events], dtype="datetime64[s]"),
            as_of,
        )
        assert (got_status[0], bool(got_disputed[0])) == (state.status.value, state.disputed)
        assert (got_status[1], bool(got_disputed[1])) == ("active", False)  # no events at all
    assert (got_status[0], bool(got_disputed[0])) == (status.value, disputed)


def test_record_chunks_become_ledger_frames_like_the_in_memory_park() -> None:
    spec = ParkSpec(enterprises=60, seed=5)
    inputs = park_inputs(generate_park(spec))
    by_id = {r.id: r for r in inputs.records}
    records, events = next(record_blocks(spec))
    status, disputed = resolve_status(
        records["record_id"], events["record_id"], events["event_type"], events["at"], spec.as_of
    )
    frame = records_frame_from_chunk(records, status, disputed)
    assert list(frame) == [name for name, _ in SCHEMA[RECORDS]]
    checked = 0
    for i, rid in enumerate(frame["record_id"].tolist()):
        if rid in by_id:
            want = by_id[rid]
            got = (
                frame["polarity"][i],
                frame["status_as_of"][i],
                bool(frame["disputed"][i]),
                frame["result"][i],
            )
            assert got == (want.polarity, want.status_as_of, want.disputed, want.result)
            checked += 1
    assert checked == len(by_id) > 100
    assert {"active", "repaired"} <= set(frame["status_as_of"].tolist())


def test_evidence_rows_group_by_enterprise_and_indicator() -> None:
    spec = every_aggregate_spec()
    codes = [i.code for i in spec.indicators if i.source == "records"]
    row: list[Any] = [1, 30] + [code in ("neg_count", "sum_amount") for code in codes]
    other: list[Any] = [1, 20] + [code == "neg_count" for code in codes]
    assert evidence_from_rows(spec, [row, other]) == {(1, "neg_count"): (20, 30), (1, "sum_amount"): (30,)}
