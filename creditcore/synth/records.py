"""Credit records and their later events, one block of enterprises at a time, as column arrays.

A block's rows come out sorted by enterprise, decision date and kind, with record ids continuing
from the previous block, so concatenating the blocks in order gives the whole ledger. Every
draw comes from the block's own random stream: the same spec always gives the same rows, and a
block can be generated without the others.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np

from creditcore.catalogue import KINDS_BY_CODE, Polarity, Severity
from creditcore.ledger import EventType
from creditcore.synth.enterprises import EnterpriseTable, enterprise_table
from creditcore.synth.kinds import MODELS, REFERENCE_RISK, SEVERITY_CODES
from creditcore.synth.spec import (
    BLOCK_ENTERPRISES,
    NAT,
    STREAM_RECORDS,
    ParkSpec,
    day_number,
    stream,
    to_datetime64,
    years_of,
)

SIZE_AMOUNT_FACTOR = np.array([6.0, 2.5, 1.0, 0.4])
DISPUTE_SHARE = 0.04
# Penalty categories (处罚类别) by severity, with their probabilities.
PENALTY_RESULTS: dict[str, tuple[tuple[str, float], ...]] = {
    "minor": (("警告", 0.35), ("罚款", 0.65)),
    "general": (("罚款", 0.85), ("没收违法所得、罚款", 0.15)),
    "serious": (("罚款", 0.6), ("责令停产停业", 0.2), ("吊销许可证件", 0.1), ("没收违法所得、罚款", 0.1)),
}
EVENT_NOTES: dict[EventType, str] = {
    EventType.DISPUTED: "企业提出异议,记录冻结待核",
    EventType.DISPUTE_REJECTED: "经数据提供单位核实,异议不成立",
    EventType.REPAIRED: "已履行法定义务并作出信用承诺,信用修复申请获准",
    EventType.PUBLICITY_ENDED: "公示期满,停止公示",
}
EVENT_TYPES: tuple[EventType, ...] = tuple(EVENT_NOTES)
EVENT_HOUR_UTC = 2  # 10:00 in Asia/Shanghai

RECORD_EXTRA_COLUMNS = ("variant",)  # in the chunks, not in the ledger schema: picks the wording


@dataclass(frozen=True, eq=False)
class KindArrays:
    """The kind catalogue as arrays, indexed by kind position in `MODELS`."""

    codes: np.ndarray
    negative: np.ndarray
    sources: np.ndarray
    severity_scheme: np.ndarray  # 0 none, 1 single, 2 general/serious, 3 minor/general, 4 all three
    severity_first: np.ndarray  # SEVERITY_CODES index of the single severity
    amount_median: np.ndarray  # (kinds, 4): by SEVERITY_CODES index; NaN when no amount
    amount_sigma: np.ndarray
    size_scaled: np.ndarray
    gap_lo: np.ndarray
    gap_hi: np.ndarray
    auth_offset: np.ndarray
    auth_count: np.ndarray
    auth_name: np.ndarray  # flat over all kinds
    auth_head: np.ndarray
    auth_mid: np.ndarray
    auth_tail: np.ndarray
    entry_offset: np.ndarray
    entry_count: np.ndarray
    summaries: np.ndarray  # flat
    by_result: np.ndarray
    result_offset: np.ndarray
    results: np.ndarray  # flat; index -1 means no result
    publicity_min: np.ndarray  # (kinds, 4) days by SEVERITY_CODES index; -1 when no publicity rule
    publicity_max: np.ndarray
    repair_share: np.ndarray


def _kind_arrays() -> KindArrays:
    k = len(MODELS)
    sev_index = {code: i for i, code in enumerate(SEVERITY_CODES)}
    scheme = np.zeros(k, dtype=np.int8)
    first = np.zeros(k, dtype=np.int8)
    median = np.full((k, 4), np.nan)
    sigma = np.zeros((k, 4))
    pub_min = np.full((k, 4), -1, dtype=np.int64)
    pub_max = np.full((k, 4), -1, dtype=np.int64)
    schemes = {
        (): 0,
        (Severity.GENERAL, Severity.SERIOUS): 2,
        (Severity.MINOR, Severity.GENERAL): 3,
        (Severity.MINOR, Severity.GENERAL, Severity.SERIOUS): 4,
    }
    for i, model in enumerate(MODELS):
        severities = KINDS_BY_CODE[model.code].severities
        scheme[i] = 1 if len(severities) == 1 else schemes[severities]
        if severities:
            first[i] = sev_index[severities[0].value]
        for j, severity in enumerate(severities):
            col = sev_index[severity.value]
            if model.amounts:
                median[i, col], sigma[i, col] = model.amounts[j]
            if model.publicity:
                pub_min[i, col], pub_max[i, col] = model.publicity[j]
    authorities = [a for m in MODELS for a in m.authorities]
    return KindArrays(
        codes=np.array([m.code for m in MODELS], dtype=object),
        negative=np.array([KINDS_BY_CODE[m.code].polarity is Polarity.NEGATIVE for m in MODELS]),
        sources=np.array([m.source for m in MODELS], dtype=object),
        severity_scheme=scheme,
        severity_first=first,
        amount_median=median,
        amount_sigma=sigma,
        size_scaled=np.array([m.size_scaled_amount for m in MODELS]),
        gap_lo=np.array([m.gap[0] for m in MODELS], dtype=np.int64),
        gap_hi=np.array([m.gap[1] for m in MODELS], dtype=np.int64),
        auth_offset=np.cumsum([0, *(len(m.authorities) for m in MODELS)])[:-1],
        auth_count=np.array([len(m.authorities) for m in MODELS]),
        auth_name=np.array([a.name for a in authorities], dtype=object),
        auth_head=np.array([a.head for a in authorities], dtype=object),
        auth_mid=np.array([a.mid for a in authorities], dtype=object),
        auth_tail=np.array([a.tail for a in authorities], dtype=object),
        entry_offset=np.cumsum([0, *(len(m.entries) for m in MODELS)])[:-1],
        entry_count=np.array([len(m.entries) for m in MODELS]),
        summaries=np.array([e["_"] for m in MODELS for e in m.entries], dtype=object),
        by_result=np.array([m.summary_by_result for m in MODELS]),
        result_offset=np.cumsum([0, *(len(m.results) for m in MODELS)])[:-1],
        results=np.array([r for m in MODELS for r in m.results], dtype=object),
        publicity_min=pub_min,
        publicity_max=pub_max,
        repair_share=np.array([m.repair_share for m in MODELS]),
    )


KINDS = _kind_arrays()
POISSON = np.array([i for i, m in enumerate(MODELS) if m.mode == "poisson"])
_MASK64 = (1 << 64) - 1


def variant(record_id: int) -> int:
    """A fixed pseudo-random number per record id: which wording a record gets."""
    return int(((record_id * 0x9E3779B97F4A7C15) & _MASK64) >> 40)


def variants(record_ids: np.ndarray) -> np.ndarray:
    """`variant` for an array of record ids (wrapping uint64 arithmetic, like the scalar form)."""
    return ((record_ids.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)).astype(np.int64)


def poisson_rates(spec: ParkSpec, table: EnterpriseTable, rows: slice) -> tuple[np.ndarray, np.ndarray]:
    """Expected counts (before `record_scale`) of the event-like kinds, and each one's first day.

    Shape (enterprises in `rows`, poisson kinds). A kind can only happen while the enterprise
    exists, and a park kind only since it entered the park.
    """
    start = day_number(spec.window_start)
    end = day_number(spec.as_of)
    risk = table.risk[rows][:, None]
    models = [MODELS[i] for i in POISSON]
    base = np.array([m.base for m in models])[None, :]
    slope = np.array([m.slope for m in models])[None, :]
    park_only = np.array([m.park_only for m in models])[None, :]
    non_manuf = np.array([m.non_manufacturing for m in models])[None, :]
    founded = table.founded[rows][:, None]
    entry = np.where(table.in_park[rows], table.entry[rows], start)[:, None]
    first = np.maximum(start, np.where(park_only, np.maximum(founded, entry), founded))
    years = np.maximum(end - first, 0) / 365.25
    rate = base * np.exp(slope * (risk - REFERENCE_RISK)) * years
    rate = np.where(table.manufacturing[rows][:, None], rate, rate * non_manuf)
    rate = np.where(park_only & ~table.in_park[rows][:, None], 0.0, rate)
    return rate, first


def scheduled_slots(spec: ParkSpec, table: EnterpriseTable, rows: slice) -> list[tuple[int, np.ndarray, int]]:
    """Rows of the annual and one-off kinds: (kind index, enterprise offsets, first day or NAT).

    Annual kinds are decided in the first weeks of their month, for the year before: the
    enterprise must have existed by the end of that year. One-off kinds (NAT) fall anywhere in
    the window. Neither depends on chance beyond the enterprise table, so the count is exact.
    """
    start = day_number(spec.window_start)
    end = day_number(spec.as_of)
    founded = table.founded[rows]
    out: list[tuple[int, np.ndarray, int]] = []
    for k, model in enumerate(MODELS):
        if model.mode == "annual":
            eligible = (
                table.env_key[rows] if model.code == "env-credit-rating" else np.ones(len(founded), bool)
            )
            for year in range(spec.window_start.year, spec.as_of.year + 1):
                month_start = day_number(date(year, model.month, 1))
                if month_start < start or month_start + 27 >= end:
                    continue
                existed = founded <= day_number(date(year - 1, 12, 31))
                out.append((k, np.flatnonzero(eligible & existed), month_start))
        elif model.mode == "once":
            out.append((k, np.flatnonzero(table.exporter[rows] & (founded < end - 30)), NAT))
    return out


def expected_record_rows(spec: ParkSpec) -> tuple[float, float]:
    """(rows that do not scale, expected rows per unit of `record_scale`) for the whole park."""
    table = enterprise_table(spec)
    fixed = 0.0
    scaled = 0.0
    for lo in range(0, len(table), BLOCK_ENTERPRISES):
        rows = slice(lo, min(lo + BLOCK_ENTERPRISES, len(table)))
        rate, _ = poisson_rates(spec, table, rows)
        scaled += float(rate.sum())
        fixed += sum(len(who) for _, who, _ in scheduled_slots(spec, table, rows))
    return fixed, scaled


def spec_for_rows(enterprises: int, rows: int, **fields: Any) -> ParkSpec:
    """A spec whose ledger has about `rows` records, by choosing `record_scale`."""
    probe = ParkSpec(enterprises=enterprises, **fields)
    fixed, scaled = expected_record_rows(probe)
    scale = max(rows - fixed, 0.0) / scaled if scaled else 1.0
    return replace(probe, record_scale=round(scale, 6))


def record_block(
    spec: ParkSpec, block: int, first_id: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Records and later events of one block of enterprises, as column arrays."""
    table = enterprise_table(spec)
    lo = block * BLOCK_ENTERPRISES
    rows = slice(lo, min(lo + BLOCK_ENTERPRISES, len(table)))
    rng = stream(spec, STREAM_RECORDS, block)
    end = day_number(spec.as_of)
    risk = table.risk[rows]

    # Event-like kinds: Poisson counts, dates spread over the enterprise's time in the window;
    # a firm in a downturn gets its negative records late in the window.
    rate, first = poisson_rates(spec, table, rows)
    counts = rng.poisson(rate * spec.record_scale)
    flat = np.repeat(np.arange(counts.size), counts.ravel())
    ent = flat // len(POISSON)
    kind = POISSON[flat % len(POISSON)]
    start = first.ravel()[flat]
    u = rng.random(len(flat))
    skew = np.where(KINDS.negative[kind], 1.0 + 2.0 * table.decline[rows][ent], 1.0)
    decided = start + np.floor(u ** (1.0 / skew) * (end - start)).astype(np.int64)

    # Annual and one-off kinds.
    parts_ent, parts_kind, parts_day = [ent], [kind], [decided]
    for k, who, month_start in scheduled_slots(spec, table, rows):
        if month_start != NAT:
            days = month_start + rng.integers(7, 28, len(who))
        else:
            s = np.maximum(table.founded[rows][who], day_number(spec.window_start))
            days = s + (rng.random(len(who)) * (end - s)).astype(np.int64)
        parts_ent.append(who)
        parts_kind.append(np.full(len(who), k))
        parts_day.append(days)
    ent = np.concatenate(parts_ent)
    kind = np.concatenate(parts_kind)
    decided = np.minimum(np.concatenate(parts_day), end - 1)
    order = np.lexsort((kind, decided, ent))
    ent, kind, decided = ent[order], kind[order], decided[order]
    n = len(ent)
    r = risk[ent]
    record_id = np.arange(first_id, first_id + n, dtype=np.int64)
    var = variants(record_id)

    severity = _severity(rng, kind, r)
    result = _result(rng, spec, table, rows, kind, ent, decided, r, severity)
    amount = _amount(rng, table, rows, kind, ent, severity, result)
    gap = KINDS.gap_lo[kind] + (rng.random(n) * (KINDS.gap_hi[kind] - KINDS.gap_lo[kind] + 1)).astype(
        np.int64
    )
    occurred = np.maximum(decided - gap, table.founded[rows][ent])
    auth = KINDS.auth_offset[kind] + (rng.random(n) * KINDS.auth_count[kind]).astype(np.int64)
    entry = np.where(
        KINDS.by_result[kind] & (result >= 0),
        result - KINDS.result_offset[kind],
        var % KINDS.entry_count[kind],
    )
    source_ref = _source_refs(auth, years_of(decided), record_id)
    records = {
        "record_id": record_id,
        "enterprise_id": (lo + ent + 1).astype(np.int64),
        "kind": KINDS.codes[kind],
        "severity": np.array(SEVERITY_CODES, dtype=object)[severity],
        "occurred_on": to_datetime64(occurred),
        "decided_on": to_datetime64(decided),
        "amount": amount,
        "source_ref": source_ref,
        "source": KINDS.sources[kind],
        "authority": KINDS.auth_name[auth],
        "result": np.where(result >= 0, KINDS.results[np.maximum(result, 0)], "").astype(object),
        "summary": KINDS.summaries[KINDS.entry_offset[kind] + entry],
        "variant": var,
    }
    events = _events(rng, end, record_id, kind, severity, decided, r)
    return records, events


def _source_refs(auth: np.ndarray, years: np.ndarray, record_id: np.ndarray) -> np.ndarray:
    """Document numbers such as 河市监罚〔2024〕00123号, unique through the record id."""
    first_year = int(years.min()) if len(years) else 0
    span = int(years.max()) - first_year + 1 if len(years) else 1
    heads = [
        f"{h}{first_year + y}{m}"
        for h, m in zip(KINDS.auth_head, KINDS.auth_mid, strict=True)
        for y in range(span)
    ]
    prefix = np.array(heads, dtype=object)[auth * span + (years - first_year)]
    return np.array(
        [
            f"{p}{i:05d}{t}"
            for p, i, t in zip(
                prefix.tolist(), record_id.tolist(), KINDS.auth_tail[auth].tolist(), strict=True
            )
        ],
        dtype=object,
    )


def _severity(rng: np.random.Generator, kind: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Index into SEVERITY_CODES; graver with risk."""
    scheme = KINDS.severity_scheme[kind]
    u = rng.random(len(kind))
    out = np.zeros(len(kind), dtype=np.int8)
    out = np.where(scheme == 1, KINDS.severity_first[kind], out)
    out = np.where(scheme == 2, np.where(u < 0.04 + 0.4 * r**2, 3, 2), out)
    out = np.where(scheme == 3, np.where(u < 0.25 + 0.45 * r, 2, 1), out)
    p_serious = 0.02 + 0.3 * r**2
    p_general = 0.3 + 0.35 * r
    out = np.where(scheme == 4, np.where(u < p_serious, 3, np.where(u < p_serious + p_general, 2, 1)), out)
    return out.astype(np.int8)


def _result(
    rng: np.random.Generator,
    spec: ParkSpec,
    table: EnterpriseTable,
    rows: slice,
    kind: np.ndarray,
    ent: np.ndarray,
    decided: np.ndarray,
    r: np.ndarray,
    severity: np.ndarray,
) -> np.ndarray:
    """Index into the flat result list (-1 for kinds without one): grades, categories, outcomes."""
    n = len(kind)
    score = r + rng.normal(0.0, 0.12, n)
    u = rng.random(n)
    out = np.full(n, -1, dtype=np.int64)
    for k, model in enumerate(MODELS):
        hit = kind == k
        if not hit.any():
            continue
        offset = int(KINDS.result_offset[k])
        if model.code == "penalty":
            for sev_code, options in PENALTY_RESULTS.items():
                sel = hit & (severity == SEVERITY_CODES.index(sev_code))
                cum = np.cumsum([p for _, p in options])
                pick = np.minimum(np.searchsorted(cum, u[sel], side="right"), len(options) - 1)
                out[sel] = offset + np.array([model.results.index(name) for name, _ in options])[pick]
        elif model.results:
            out[hit] = offset + np.searchsorted(np.array(model.cutoffs), score[hit])
            if model.new_entrant_result >= 0:
                # Founded in the year being evaluated: M (new enterprise) rather than a grade.
                evaluated = years_of(decided[hit]) - 1
                new = years_of(table.founded[rows][ent[hit]]) >= evaluated
                out[np.flatnonzero(hit)[new]] = offset + model.new_entrant_result
    return out


def _amount(
    rng: np.random.Generator,
    table: EnterpriseTable,
    rows: slice,
    kind: np.ndarray,
    ent: np.ndarray,
    severity: np.ndarray,
    result: np.ndarray,
) -> np.ndarray:
    """Yuan, rounded to 100; NaN for kinds without an amount and for warnings."""
    median = KINDS.amount_median[kind, severity]
    sigma = KINDS.amount_sigma[kind, severity]
    factor = np.where(KINDS.size_scaled[kind], SIZE_AMOUNT_FACTOR[table.size[rows][ent]], 1.0)
    raw = median * factor * np.exp(sigma * rng.standard_normal(len(kind)))
    amount = np.maximum(np.round(raw / 100.0) * 100.0, 100.0)
    warning = (result >= 0) & (KINDS.results[np.maximum(result, 0)] == "警告")
    return np.where(warning, np.nan, amount)


def _events(
    rng: np.random.Generator,
    end: int,
    record_id: np.ndarray,
    kind: np.ndarray,
    severity: np.ndarray,
    decided: np.ndarray,
    r: np.ndarray,
) -> dict[str, np.ndarray]:
    """Later events of negative records: a few disputes (rejected), repairs, ends of publicity.

    Valid by construction against `creditcore.ledger.apply_event`: a dispute is rejected before
    any repair, a repair comes after the minimum publicity period and before its end, and
    nothing is kept that happens on or after `as_of`.
    """
    n = len(kind)
    negative = KINDS.negative[kind]
    disputed = negative & (rng.random(n) < DISPUTE_SHARE)
    dispute_day = np.where(disputed, decided + rng.integers(3, 31, n), NAT)
    rejected_day = np.where(disputed, dispute_day + rng.integers(3, 11, n), NAT)

    pmin = KINDS.publicity_min[kind, severity]
    pmax = KINDS.publicity_max[kind, severity]
    ruled = negative & (pmax > 0)
    end_day = np.where(ruled, decided + pmax, NAT)
    wants_repair = ruled & (pmin > 0) & (rng.random(n) < KINDS.repair_share[kind] * (1.0 - r) ** 1.5)
    repair_day = decided + pmin + rng.exponential(45.0, n).astype(np.int64)
    repair_day = np.where(disputed, np.maximum(repair_day, rejected_day + 1), repair_day)
    repaired = wants_repair & (repair_day < end_day)
    repair_day = np.where(repaired, repair_day, NAT)

    days = np.stack([dispute_day, rejected_day, repair_day, end_day], axis=1)
    present = (days != NAT) & (days < end)
    rec, which = np.nonzero(present)  # row-major: by record, then in event order (dates increase)
    at = days[rec, which] * 86400 + EVENT_HOUR_UTC * 3600
    return {
        "record_id": record_id[rec],
        "event_type": np.array([e.value for e in EVENT_TYPES], dtype=object)[which],
        "at": at.astype("datetime64[s]"),
        "note": np.array(list(EVENT_NOTES.values()), dtype=object)[which],
    }
