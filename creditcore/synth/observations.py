"""Monthly park observations of one block of enterprises, as column arrays.

Each park enterprise has a scale (employees, productivity of its cluster), a growth rate and,
for some risky ones, a downturn that starts in the last two years and deepens until `as_of`.
Output, sales, tax, energy and water follow the scale with seasonality (the Spring Festival dip,
summer and winter peaks); bills are paid late, or not at all, more often the riskier the firm
and the deeper its downturn. A settlement after `as_of` is not known yet, so it stays empty.
"""

from __future__ import annotations

import numpy as np

from creditcore.catalogue import METRICS
from creditcore.synth import vocab
from creditcore.synth.enterprises import enterprise_table
from creditcore.synth.spec import (
    BLOCK_ENTERPRISES,
    NAT,
    STREAM_OBSERVATIONS,
    ParkSpec,
    day_number,
    month_starts,
    stream,
    to_datetime64,
)

METRIC_CODES = tuple(m.code for m in METRICS)
_M = {code: i for i, code in enumerate(METRIC_CODES)}
# By calendar month (January first).
OUTPUT_SEASON = np.array([0.95, 0.75, 1.0, 1.0, 1.02, 1.03, 1.0, 1.0, 1.03, 1.0, 1.04, 1.12])
POWER_SEASON = np.array([1.08, 1.0, 1.0, 0.97, 1.0, 1.06, 1.14, 1.14, 1.04, 0.98, 1.0, 1.06])
GAS_SEASON = np.array([1.4, 1.4, 1.15, 1.0, 0.9, 0.85, 0.85, 0.85, 0.9, 1.0, 1.15, 1.4])
BILL_DUE_DAY = 10
RECTIFY_DAYS = 15  # safety findings: rectification deadline after the mid-month inspection


def observation_block(spec: ParkSpec, block: int) -> dict[str, np.ndarray]:
    """Observations of the park enterprises of one block: by enterprise, metric, period."""
    table = enterprise_table(spec)
    lo = block * BLOCK_ENTERPRISES
    rows = np.arange(lo, min(lo + BLOCK_ENTERPRISES, len(table)))
    rng = stream(spec, STREAM_OBSERVATIONS, block)
    rows = rows[table.in_park[rows]]
    n, months = len(rows), spec.months
    as_of = day_number(spec.as_of)
    period = month_starts(spec.window_start, months)  # (months,)
    calendar_month = (period.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12)[None, :]
    entry_month = table.entry[rows].astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]")
    active = period[None, :] >= entry_month.astype(np.int64)[:, None]  # (n, months)

    risk = table.risk[rows][:, None]
    size = table.size[rows]
    cluster = table.cluster[rows]
    manufacturing = table.manufacturing[rows][:, None]
    t = np.arange(months)[None, :]
    decline_from = table.decline_start[rows][:, None]
    ramp = np.clip((t - decline_from) / np.maximum(months - decline_from, 1), 0.0, 1.0)
    downturn = table.decline[rows][:, None] * ramp  # share of activity lost, growing to as_of

    employees0 = np.array(vocab.SIZE_EMPLOYEES)[size][:, None] * rng.lognormal(0.0, 0.35, (n, 1))
    productivity = np.array([c.productivity for c in vocab.CLUSTERS])[cluster][:, None]
    productivity = productivity * rng.lognormal(0.0, 0.25, (n, 1))
    growth = rng.normal(0.04, 0.08, (n, 1)) - 0.1 * risk
    trend = np.exp(growth * t / 12.0) * (1.0 - downturn)

    def noise(sigma: float) -> np.ndarray:
        return rng.lognormal(0.0, sigma, (n, months))

    values = np.zeros((n, len(METRIC_CODES), months))
    due = np.full((n, len(METRIC_CODES), months), NAT, dtype=np.int64)
    settled = np.full((n, len(METRIC_CODES), months), NAT, dtype=np.int64)

    output = employees0 * productivity / 12.0 * trend * OUTPUT_SEASON[calendar_month] * noise(0.08)
    sales = output * rng.uniform(0.88, 1.02, (n, months))
    credit_share = np.clip(0.3 + 0.4 * risk + rng.normal(0.0, 0.08, (n, 1)), 0.05, 0.9)
    credit_sales = sales * np.clip(credit_share + rng.normal(0.0, 0.05, (n, months)), 0.02, 0.98)
    ar_days = np.clip(40.0 + 120.0 * risk + rng.normal(0.0, 15.0, (n, 1)), 15.0, 300.0) * (1.0 + downturn)
    receivables = credit_sales * ar_days / 30.0 * noise(0.1)
    tax_rate = np.array([c.tax_rate for c in vocab.CLUSTERS])[cluster][:, None]
    skipped_tax = rng.random((n, months)) < 0.03 + 0.3 * risk**2
    tax = np.where(skipped_tax, 0.0, sales * tax_rate * noise(0.15))
    intensity = np.array([c.energy for c in vocab.CLUSTERS])[cluster] * rng.lognormal(0.0, 0.3, (n, 3))
    values[:, _M["output_value"]] = output
    values[:, _M["sales_revenue"]] = sales
    values[:, _M["credit_sales"]] = credit_sales
    values[:, _M["receivables"]] = receivables
    values[:, _M["tax_paid"]] = tax
    values[:, _M["employees"]] = np.maximum(np.round(employees0 * np.sqrt(trend) * noise(0.02)), 1.0)
    values[:, _M["electricity"]] = output * intensity[:, 0:1] * POWER_SEASON[calendar_month] * noise(0.06)
    values[:, _M["water"]] = output * intensity[:, 1:2] * noise(0.1)
    values[:, _M["gas"]] = output * intensity[:, 2:3] * GAS_SEASON[calendar_month] * noise(0.1)

    # Rent and fees: a yearly rent per square metre, raised 3 % a year, billed monthly.
    area = np.clip(
        employees0 * np.where(manufacturing, 60.0, 20.0) * rng.lognormal(0.0, 0.2, (n, 1)), 100.0, 50_000.0
    )
    rent_rate = rng.uniform(12.0, 22.0, (n, 1)) * 1.03 ** (t // 12)
    values[:, _M["rent_bill"]] = area * rent_rate
    values[:, _M["fee_bill"]] = area * rng.uniform(2.5, 4.5, (n, 1))
    bill_due = np.broadcast_to(period[None, :] + BILL_DUE_DAY - 1, (n, months))
    p_late = np.clip(0.03 + 0.5 * risk**1.5 + 0.4 * downturn, 0.0, 0.95)
    p_unpaid = np.clip(0.002 + 0.12 * risk**3 + 0.25 * downturn, 0.0, 0.9)
    mean_late = 5.0 + 60.0 * risk**2 + 60.0 * downturn
    behaviour = rng.random((n, months))  # shared by rent and fees: the same firm pays both or neither
    for metric in ("rent_bill", "fee_bill"):
        late_days = 1 + rng.geometric(1.0 / (1.0 + mean_late))
        early_days = rng.integers(0, 9, (n, months))
        u = np.clip(behaviour + rng.normal(0.0, 0.02, (n, months)), 0.0, 1.0)
        paid_on = np.where(u < p_late, bill_due + late_days, bill_due - early_days)
        paid_on = np.where(u < p_unpaid, NAT, paid_on)
        due[:, _M[metric]] = bill_due
        settled[:, _M[metric]] = paid_on

    findings = rng.poisson((0.1 + 0.6 * risk) * np.where(manufacturing, 1.0, 0.3), (n, months))
    deadline = np.broadcast_to(period[None, :] + 14 + RECTIFY_DAYS, (n, months))
    u = rng.random((n, months))
    rectified = np.where(
        u < 0.1 + 0.5 * risk,
        deadline + 1 + rng.geometric(1.0 / 20.0, (n, months)),
        deadline - rng.integers(1, 15, (n, months)),
    )
    rectified = np.where(rng.random((n, months)) < 0.02 + 0.3 * risk**2, NAT, rectified)
    values[:, _M["safety_findings"]] = findings
    due[:, _M["safety_findings"]] = np.where(findings > 0, deadline, NAT)
    settled[:, _M["safety_findings"]] = np.where(findings > 0, rectified, NAT)

    settled = np.where(settled >= as_of, NAT, settled)
    mask = np.broadcast_to(active[:, None, :], values.shape)
    ent = np.broadcast_to(rows[:, None, None], values.shape)[mask]
    metric = np.broadcast_to(np.arange(len(METRIC_CODES))[None, :, None], values.shape)[mask]
    return {
        "enterprise_id": (ent + 1).astype(np.int64),
        "metric": np.array(METRIC_CODES, dtype=object)[metric],
        "period": to_datetime64(np.broadcast_to(period[None, None, :], values.shape)[mask]),
        "value": np.round(values[mask], 2),
        "due_on": to_datetime64(due[mask]),
        "settled_on": to_datetime64(settled[mask]),
    }
