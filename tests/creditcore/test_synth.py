"""The synthetic park generator: determinism, realism, validity and the two access paths."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcore import uscc
from creditcore.catalogue import KINDS_BY_CODE, METRICS, RECORD_KINDS, Polarity, RelationType
from creditcore.ledger import OBSERVATION_COLUMNS, RECORD_COLUMNS, Event, EventType, Status, fold
from creditcore.repair import add_months
from creditcore.synth import (
    METRIC_SOURCES,
    OUTCOME_KINDS,
    SOURCES,
    ParkSpec,
    SynthPark,
    expected_record_rows,
    generate_park,
    iter_event_chunks,
    iter_observation_chunks,
    iter_record_chunks,
    record_payload,
    spec_for_rows,
    write_parquet,
)
from creditcore.synth.chunks import rechunk
from creditcore.synth.enterprises import enterprise_table, id_check_digit
from creditcore.synth.records import variant, variants
from creditcore.synth.relations import outcome_arrays, relation_arrays

SPEC = ParkSpec()
SHANGHAI = timedelta(hours=8)


@pytest.fixture(scope="module")
def park() -> SynthPark:
    return generate_park(SPEC)


def _clear_caches() -> None:
    enterprise_table.cache_clear()
    relation_arrays.cache_clear()
    outcome_arrays.cache_clear()


def _years_in_window(park: SynthPark, enterprise_id: int) -> float:
    e = park.enterprises[enterprise_id - 1]
    start = max(SPEC.window_start, e.founded_on)
    return max((SPEC.as_of - start).days, 1) / 365.25


# --- determinism and size ---------------------------------------------------------------------


def test_same_spec_gives_the_same_park(park: SynthPark) -> None:
    _clear_caches()  # regenerate from scratch, not from the cached enterprise table
    again = generate_park(SPEC)
    assert again == park


def test_another_seed_gives_another_park(park: SynthPark) -> None:
    other = generate_park(ParkSpec(seed=7))
    assert [e.uscc for e in other.enterprises] != [e.uscc for e in park.enterprises]
    assert other.records != park.records


def test_sizes(park: SynthPark) -> None:
    assert len(park.enterprises) == 300
    assert [e.id for e in park.enterprises] == list(range(1, 301))
    in_park = [e for e in park.enterprises if e.in_park]
    assert 240 <= len(in_park) <= 290  # about 10 % outside counterparties
    assert len(park.buildings) == pytest.approx(len(in_park) / 8, rel=0.3)
    assert 3_000 <= len(park.records) <= 6_000  # the park tier: 10-20 records per enterprise
    assert len(park.outcomes) == 300
    # 36 monthly rows of every metric for each park enterprise that was in the park all along.
    per_enterprise = Counter(o.enterprise_id for o in park.observations)
    settled_in = [e.id for e in in_park if e.park_entry_on and e.park_entry_on < SPEC.window_start]
    assert settled_in
    assert {per_enterprise[i] for i in settled_in} == {36 * len(METRICS)}
    assert not {e.id for e in park.enterprises if not e.in_park} & set(per_enterprise)


def test_every_record_kind_metric_and_relation_type_is_present(park: SynthPark) -> None:
    assert {r.kind for r in park.records} == {k.code for k in RECORD_KINDS}
    assert {o.metric for o in park.observations} == {m.code for m in METRICS}
    assert {r.relation_type for r in park.relations} == set(RelationType)
    assert {e.event_type for e in park.events} == {
        EventType.DISPUTED,
        EventType.DISPUTE_REJECTED,
        EventType.REPAIRED,
        EventType.PUBLICITY_ENDED,
    }


def test_serious_lists_are_rare_and_on_risky_enterprises(park: SynthPark) -> None:
    risk = {e.id: e.risk for e in park.enterprises}
    median = statistics.median(risk.values())
    for kind in ("serious-dishonesty", "court-defaulter"):
        listed = [r.enterprise_id for r in park.records if r.kind == kind]
        assert 1 <= len(listed) <= 0.05 * len(park.records)
        assert sum(risk[i] > median for i in listed) >= 0.8 * len(listed)


def test_spec_validation_speaks_chinese() -> None:
    with pytest.raises(ValueError, match="企业数量"):
        ParkSpec(enterprises=0)
    with pytest.raises(ValueError, match="随机种子"):
        ParkSpec(seed=-1)
    with pytest.raises(ValueError, match="历史年数"):
        ParkSpec(history_years=0)
    with pytest.raises(ValueError, match="预测窗口"):
        ParkSpec(future_months=0)
    with pytest.raises(ValueError, match="记录倍率"):
        ParkSpec(record_scale=-1)
    with pytest.raises(ValueError, match="园区外企业比例"):
        ParkSpec(outside_share=1.0)


def test_in_memory_path_refuses_huge_parks() -> None:
    with pytest.raises(ValueError, match="iter_record_chunks"):
        generate_park(ParkSpec(enterprises=20_001))


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 1), -36) == date(2023, 11, 1)


def test_spec_for_rows_hits_the_target() -> None:
    spec = spec_for_rows(2000, 100_000)
    fixed, scaled = expected_record_rows(spec)
    assert spec.record_scale > 1
    assert fixed + scaled * spec.record_scale == pytest.approx(100_000, rel=0.01)
    rows = sum(len(c["record_id"]) for c in iter_record_chunks(spec))
    assert rows == pytest.approx(100_000, rel=0.03)


# --- identifiers and personal data -----------------------------------------------------------


def test_usccs_are_valid_unique_and_from_henan(park: SynthPark) -> None:
    codes = [e.uscc for e in park.enterprises]
    assert len(set(codes)) == len(codes)
    for code in codes:
        result = uscc.validate(code)
        assert result.valid and not result.legacy, (code, result.errors)
        assert code.startswith("9141")
        assert code[16] == uscc.organisation_check_character(code[8:16])
    # Organisation codes issued since October 2015 start with MA; older ones are numeric.
    for e in park.enterprises:
        assert e.uscc[8:10] == "MA" if e.founded_on >= date(2015, 10, 1) else e.uscc[8:16].isdigit()


def test_id_check_digit_known_vector() -> None:
    assert id_check_digit("11010519491231002") == "X"  # the sample number of GB 11643


def test_personal_data_is_well_formed(park: SynthPark) -> None:
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # GB 11643 weights, computed independently
    for e in park.enterprises:
        number = e.legal_representative_id_number
        assert len(number) == 18 and number[:17].isdigit() and number.startswith("41")
        assert (
            "10X98765432"[sum(int(c) * w for c, w in zip(number[:17], weights, strict=True)) % 11]
            == number[17]
        )
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        assert 27 <= (SPEC.as_of - born).days / 365.25 <= 66
        assert len(e.contact_phone) == 11 and e.contact_phone.startswith("1") and e.contact_phone.isdigit()
        assert 2 <= len(e.legal_representative) <= 3
    names = [e.name for e in park.enterprises]
    assert len(set(names)) == len(names)
    assert all(n.endswith("公司") for n in names)


def test_enterprise_attributes(park: SynthPark) -> None:
    codes = {b.code for b in park.buildings}
    for e in park.enterprises:
        assert e.size in {"large", "medium", "small", "micro"}
        assert e.industry_code[0] in "CGIM" and len(e.industry_code) == 5
        assert e.founded_on < SPEC.as_of
        assert e.registered_capital > 0
        assert 0 < e.risk < 1
        if e.in_park:
            assert e.building in codes and e.park_entry_on is not None
            assert e.founded_on <= e.park_entry_on <= SPEC.as_of
            assert e.building is not None and e.building in e.address
        else:
            assert e.building is None and e.park_entry_on is None
    clusters = Counter(e.cluster for e in park.enterprises)
    assert {c for c, _ in clusters.most_common(2)} == {"高端装备制造", "新材料"}
    assert {b.plot[:2] for b in park.buildings} <= {b.zone[:2] for b in park.buildings}


def test_tags(park: SynthPark) -> None:
    in_park = {e.id for e in park.enterprises if e.in_park}
    assert {t.tag for t in park.tags} == {"high_tech", "specialised", "gazelle", "unicorn", "new_economy"}
    assert sum(t.tag == "unicorn" for t in park.tags) == 1
    assert len({(t.enterprise_id, t.tag) for t in park.tags}) == len(park.tags)
    for tag in park.tags:
        assert tag.enterprise_id in in_park
        assert tag.since <= tag.until
        if tag.tag == "new_economy":
            assert 2 * 365 - 2 <= (tag.until - tag.since).days <= 3 * 366  # 2-3 year tolerance period


# --- the ledger --------------------------------------------------------------------------------


def test_records_are_well_formed(park: SynthPark) -> None:
    refs: set[tuple[str, str, str]] = set()
    sources = {s.code for s in SOURCES}
    for r in park.records:
        spec = KINDS_BY_CODE[r.kind]
        assert SPEC.window_start <= r.decided_on < SPEC.as_of
        assert r.occurred_on is not None and r.occurred_on <= r.decided_on
        assert r.severity in {s.value for s in spec.severities} if spec.severities else r.severity == ""
        if not spec.has_amount:
            assert r.amount is None
        elif r.amount is not None:
            assert r.amount >= 100 and r.amount == r.amount.quantize(Decimal("0.01"))
        assert r.source in sources and r.authority and r.summary
        assert set(r.payload) == set(spec.payload_fields)
        assert all(isinstance(v, str) for v in r.payload.values())
        key = (r.source, r.kind, r.source_ref)
        assert key not in refs
        refs.add(key)
    penalties = [r for r in park.records if r.kind == "penalty"]
    assert all(r.payload["违法事实"] == r.summary for r in penalties)
    assert all(r.amount is None for r in penalties if r.result == "警告")
    assert any(r.amount is not None for r in penalties)
    grades = [r for r in park.records if r.kind == "tax-credit-grade"]
    assert {r.result for r in grades} <= {"A", "B", "M", "C", "D"}
    assert all(r.payload["纳税信用等级"] == r.result and r.decided_on.month == 4 for r in grades)


def test_record_payload_is_reproducible_from_the_row(park: SynthPark) -> None:
    for r in park.records[:200]:
        row = {
            "kind": r.kind,
            "source_ref": r.source_ref,
            "authority": r.authority,
            "summary": r.summary,
            "result": r.result,
            "severity": r.severity,
            "decided_on": r.decided_on,
            "amount": r.amount,
        }
        assert record_payload(row, variant(r.record_id)) == r.payload


def test_variant_scalar_and_vector_agree() -> None:
    ids = np.array([1, 2, 3, 10**7, 2**40 + 5], dtype=np.int64)
    assert variants(ids).tolist() == [variant(int(i)) for i in ids]


def test_events_are_valid_transitions_before_as_of(park: SynthPark) -> None:
    by_record: dict[int, list[Event]] = defaultdict(list)
    decided = {r.record_id: r.decided_on for r in park.records}
    polarity = {r.record_id: KINDS_BY_CODE[r.kind].polarity for r in park.records}
    as_of = datetime.combine(SPEC.as_of, time(), tzinfo=UTC) - SHANGHAI
    for seq, e in enumerate(park.events, start=1):
        assert e.at < as_of and e.note
        assert polarity[e.record_id] is Polarity.NEGATIVE
        by_record[e.record_id].append(Event(e.event_type, e.at, seq))
    statuses = Counter()
    for record_id, events in by_record.items():
        created = datetime.combine(decided[record_id], time(9), tzinfo=UTC) - SHANGHAI
        assert all(e.at > created for e in events)
        state = fold([Event(EventType.CREATED, created, 0), *events])  # raises on an invalid step
        statuses[state.status] += 1
    assert statuses[Status.REPAIRED] and statuses[Status.PUBLICITY_ENDED]


def test_higher_risk_means_more_negative_records_and_fewer_positive(park: SynthPark) -> None:
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for r in park.records:
        counts[r.enterprise_id][KINDS_BY_CODE[r.kind].polarity.value] += 1
    ranked = sorted(park.enterprises, key=lambda e: e.risk)
    low, high = ranked[:100], ranked[-100:]

    def rate(group: list, polarity: str) -> float:
        return sum(counts[e.id][polarity] for e in group) / sum(_years_in_window(park, e.id) for e in group)

    assert rate(high, "negative") > 2.0 * rate(low, "negative")
    assert rate(low, "positive") > 1.5 * rate(high, "positive")


def test_higher_risk_means_later_payments(park: SynthPark) -> None:
    risk = {e.id: e.risk for e in park.enterprises}
    ranked = sorted((e for e in park.enterprises if e.in_park), key=lambda e: e.risk)
    low, high = {e.id for e in ranked[:80]}, {e.id for e in ranked[-80:]}

    def late_share(ids: set[int]) -> float:
        bills = [o for o in park.observations if o.metric == "rent_bill" and o.enterprise_id in ids]
        due_before_as_of = [
            b for b in bills if b.due_on is not None and b.due_on < SPEC.as_of - timedelta(days=120)
        ]
        late = [b for b in due_before_as_of if b.settled_on is None or b.settled_on > b.due_on]
        return len(late) / len(due_before_as_of)

    assert late_share(high) > 3 * late_share(low)
    assert max(risk[i] for i in low) < min(risk[i] for i in high)


def test_observations_are_consistent(park: SynthPark) -> None:
    by_key = {(o.enterprise_id, o.period, o.metric): o for o in park.observations}
    assert len(by_key) == len(park.observations)  # one row per enterprise, period and metric
    for o in park.observations:
        assert o.period.day == 1 and SPEC.window_start <= o.period < SPEC.as_of
        assert o.value >= 0
        assert o.settled_on is None or o.settled_on < SPEC.as_of
        if o.metric in ("rent_bill", "fee_bill"):
            assert o.due_on == o.period + timedelta(days=9)
        elif o.metric == "safety_findings":
            assert (o.due_on is not None) == (o.value > 0)
            assert o.value == o.value.to_integral_value()
        else:
            assert o.due_on is None and o.settled_on is None
        if o.metric == "credit_sales":
            assert o.value <= by_key[(o.enterprise_id, o.period, "sales_revenue")].value
        if o.metric == "employees":
            assert o.value >= 1
    assert set(METRIC_SOURCES) == {m.code for m in METRICS}


def test_relations_are_clean(park: SynthPark) -> None:
    keys = [(r.enterprise_id, r.counterparty_id, r.relation_type) for r in park.relations]
    assert len(set(keys)) == len(keys)
    in_park = {e.id for e in park.enterprises if e.in_park}
    for r in park.relations:
        assert r.enterprise_id != r.counterparty_id
        assert 1 <= r.counterparty_id <= 300
        assert Decimal(0) <= r.weight <= Decimal(1)
        assert r.valid_from <= SPEC.as_of
        assert r.valid_to is None or r.valid_from <= r.valid_to <= SPEC.as_of
        if r.relation_type in (RelationType.SUPPLIER, RelationType.CUSTOMER, RelationType.GUARANTOR):
            assert r.enterprise_id in in_park
    cluster = {e.id: e.cluster for e in park.enterprises}
    supply = [r for r in park.relations if r.relation_type is RelationType.SUPPLIER]
    to_equipment = [
        r for r in supply if cluster[r.enterprise_id] == "高端装备制造" and r.counterparty_id in in_park
    ]
    from_chain = [
        r
        for r in to_equipment
        if cluster[r.counterparty_id] in ("新材料", "高端装备制造", "电子信息", "现代物流")
    ]
    assert len(from_chain) == len(to_equipment) > 0


def test_outcomes_lie_in_the_future_window_only(park: SynthPark) -> None:
    events = [o for o in park.outcomes if o.event]
    assert events
    for o in park.outcomes:
        assert (o.on is not None) == o.event == bool(o.kind)
        if o.event:
            assert o.on is not None and SPEC.as_of < o.on <= SPEC.future_end
            assert o.kind in OUTCOME_KINDS
    outside = {e.id for e in park.enterprises if not e.in_park}
    assert not any(o.kind == "rent-arrears-90d" for o in park.outcomes if o.enterprise_id in outside)


def test_outcomes_follow_latent_risk() -> None:
    spec = ParkSpec(enterprises=4000, seed=11)
    out = outcome_arrays(spec)
    risk = enterprise_table(spec).risk
    hit, miss = risk[out.event], risk[~out.event]
    auc = (hit[:, None] > miss[None, :]).mean()
    assert 0.03 < out.event.mean() < 0.2
    assert auc > 0.7
    assert (out.via >= 0).any()  # some failures spread along guarantees and supply links


# --- the chunked path --------------------------------------------------------------------------


def test_chunks_hold_the_same_rows_as_the_small_path(park: SynthPark) -> None:
    chunks = list(iter_record_chunks(SPEC, chunk_rows=777))
    assert all(len(c["record_id"]) == 777 for c in chunks[:-1]) and 0 < len(chunks[-1]["record_id"]) <= 777
    assert {name for name, _ in RECORD_COLUMNS} <= set(chunks[0])
    ids = np.concatenate([c["record_id"] for c in chunks]).tolist()
    refs = np.concatenate([c["source_ref"] for c in chunks]).tolist()
    decided = np.concatenate([c["decided_on"] for c in chunks]).astype(object).tolist()
    amounts = np.concatenate([c["amount"] for c in chunks])
    assert ids == [r.record_id for r in park.records] == list(range(1, len(park.records) + 1))
    assert refs == [r.source_ref for r in park.records]
    assert decided == [r.decided_on for r in park.records]
    assert [None if np.isnan(a) else Decimal(f"{a:.2f}") for a in amounts] == [r.amount for r in park.records]

    events = list(iter_event_chunks(SPEC, chunk_rows=50))
    assert np.concatenate([c["record_id"] for c in events]).tolist() == [e.record_id for e in park.events]

    observations = list(iter_observation_chunks(SPEC, chunk_rows=10_000))
    assert {name for name, _ in OBSERVATION_COLUMNS} <= set(observations[0])
    values = np.concatenate([c["value"] for c in observations])
    assert len(values) == len(park.observations)
    assert [Decimal(f"{v:.2f}") for v in values[:5000]] == [o.value for o in park.observations[:5000]]


def test_chunks_do_not_depend_on_the_chunk_size() -> None:
    spec = ParkSpec(enterprises=2500, seed=3)  # three blocks
    a = np.concatenate([c["source_ref"] for c in iter_record_chunks(spec, chunk_rows=1000)])
    b = np.concatenate([c["source_ref"] for c in iter_record_chunks(spec, chunk_rows=123_456)])
    assert a.tolist() == b.tolist()
    ids = np.concatenate([c["enterprise_id"] for c in iter_record_chunks(spec)])
    assert (np.diff(ids) >= 0).all() and ids.max() <= 2500


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(0, 30), max_size=8), chunk_rows=st.integers(1, 40))
def test_rechunk_keeps_every_row_in_order(sizes: list[int], chunk_rows: int) -> None:
    start = np.cumsum([0, *sizes])
    blocks = [{"x": np.arange(a, b), "y": np.arange(a, b) * 2} for a, b in itertools.pairwise(start)]
    chunks = list(rechunk(blocks, chunk_rows))
    assert np.concatenate([c["x"] for c in chunks] or [np.array([], int)]).tolist() == list(range(sum(sizes)))
    assert all(len(c["x"]) == chunk_rows for c in chunks[:-1])
    assert all(0 < len(c["x"]) <= chunk_rows and (c["y"] == 2 * c["x"]).all() for c in chunks)


def test_rechunk_refuses_a_bad_chunk_size() -> None:
    with pytest.raises(ValueError, match="chunk_rows"):
        list(rechunk([], 0))


def test_write_parquet(tmp_path: Path, park: SynthPark) -> None:
    calls: list[tuple[int, int, str]] = []
    result = write_parquet(SPEC, tmp_path, progress=lambda d, t, m: calls.append((d, t, m)), chunk_rows=1000)
    expected = {
        "records": len(park.records),
        "events": len(park.events),
        "observations": len(park.observations),
        "enterprises": len(park.enterprises),
        "relations": len(park.relations),
        "outcomes": len(park.outcomes),
    }
    con = duckdb.connect()

    def read(name: str, select: str = "*", where: str = "") -> duckdb.DuckDBPyConnection:
        return con.execute(
            f"SELECT {select} FROM read_parquet(?) {where}",  # noqa: S608 - the test's own literals
            [str(tmp_path / f"{name}.parquet")],
        )

    for name, rows in expected.items():
        path = tmp_path / f"{name}.parquet"
        assert result[name]["rows"] == rows and result[name]["bytes"] == path.stat().st_size > 0
        assert read(name, "count(*)").fetchone() == (rows,)
    assert [d[0] for d in read("records").description] == [name for name, _ in RECORD_COLUMNS]
    first = read(
        "records",
        "record_id, decided_on, amount, source_ref",
        "WHERE amount IS NOT NULL ORDER BY record_id LIMIT 1",
    ).fetchone()
    record = next(r for r in park.records if r.amount is not None)
    assert first == (record.record_id, record.decided_on, record.amount, record.source_ref)
    enterprise_columns = [d[0] for d in read("enterprises").description]
    assert "id_number" not in enterprise_columns and "phone" not in enterprise_columns
    assert [d for d, _, _ in calls] == list(range(1, len(calls) + 1))
    assert calls[-1][0] == calls[-1][1]
    assert not list(tmp_path.glob(".synth-scratch*"))
    assert result["seconds"] >= result["ledger_seconds"] > 0


def test_demo_enterprise_is_middling_with_a_varied_file(park: SynthPark) -> None:
    chosen = park.enterprises[park.demo_enterprise_id() - 1]
    assert chosen.in_park and chosen.status == "operating"
    assert 0.33 <= chosen.risk <= 0.57
    kinds = {r.kind for r in park.records if r.enterprise_id == chosen.id}
    assert len(kinds) >= 8
    assert any(KINDS_BY_CODE[k].polarity is Polarity.NEGATIVE for k in kinds)
    assert any(KINDS_BY_CODE[k].polarity is Polarity.POSITIVE for k in kinds)
