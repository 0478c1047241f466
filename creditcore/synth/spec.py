"""The park specification, random streams and day arithmetic shared by every generator step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

# The ledger's month arithmetic (publicity periods, commitments), so generated parks and the
# platform count months alike.
from creditcore.repair import add_months

EPOCH = date(1970, 1, 1)
NAT = np.iinfo(np.int64).min  # a missing date as an int64 day number; .astype("datetime64[D]") -> NaT

# Enterprises per generation block. Fixed, not a tuning knob: each block draws from its own
# random stream, so changing it would change the park. Chunk sizes are chosen independently.
BLOCK_ENTERPRISES = 1000

# Independent random streams: each step of the generator draws from its own, so that adding
# draws to one step never shifts what another step produces.
STREAM_ENTERPRISES = 1
STREAM_TAGS = 2
STREAM_RECORDS = 3
STREAM_OBSERVATIONS = 4
STREAM_RELATIONS = 5
STREAM_OUTCOMES = 6


@dataclass(frozen=True)
class ParkSpec:
    """What to generate. The same spec (seed included) always gives exactly the same park.

    `as_of` is the moment of the snapshot: the ledger holds `history_years` before it, and the
    outcomes cover `future_months` after it. `record_scale` multiplies the rates of the
    event-like record kinds (penalties, inspections, arrears, ...) so that benchmarks can reach
    10^7 ledger rows without 10^6 enterprises; `spec_for_rows` picks it for a target row count.
    """

    enterprises: int = 300
    seed: int = 2026
    as_of: date = date(2026, 11, 1)
    history_years: int = 3
    future_months: int = 6
    record_scale: float = 1.0
    outside_share: float = 0.10  # counterparties and prospects outside the park (in_park=False)

    def __post_init__(self) -> None:
        if self.enterprises < 1:
            raise ValueError(f"企业数量 enterprises={self.enterprises} 无效,应为正整数")
        if self.seed < 0:
            raise ValueError(f"随机种子 seed={self.seed} 无效,应为非负整数")
        if not 1 <= self.history_years <= 10:
            raise ValueError(f"历史年数 history_years={self.history_years} 无效,应为 1–10")
        if not 1 <= self.future_months <= 36:
            raise ValueError(f"预测窗口 future_months={self.future_months} 无效,应为 1–36 个月")
        if not 0 <= self.record_scale <= 1000:
            raise ValueError(f"记录倍率 record_scale={self.record_scale} 无效,应为 0–1000")
        if not 0 <= self.outside_share < 1:
            raise ValueError(f"园区外企业比例 outside_share={self.outside_share} 无效,应在 [0, 1) 内")

    @property
    def window_start(self) -> date:
        """First day of the ledger history."""
        return add_months(self.as_of, -12 * self.history_years)

    @property
    def future_end(self) -> date:
        """Last day of the held-apart outcome window."""
        return add_months(self.as_of, self.future_months)

    @property
    def months(self) -> int:
        return 12 * self.history_years

    @property
    def blocks(self) -> int:
        return -(-self.enterprises // BLOCK_ENTERPRISES)


def day_number(day: date) -> int:
    return (day - EPOCH).days


def from_day_number(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def stream(spec: ParkSpec, stream_id: int, block: int = 0) -> np.random.Generator:
    """The random generator of one step (and one block) of one spec."""
    return np.random.default_rng(np.random.SeedSequence([spec.seed, stream_id, block]))


def to_datetime64(days: np.ndarray) -> np.ndarray:
    """int64 day numbers (NAT for missing) as numpy dates."""
    return days.astype("datetime64[D]")


def years_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def month_starts(first: date, count: int) -> np.ndarray:
    """Day numbers of the first day of `count` consecutive months from `first`'s month."""
    start = np.datetime64(f"{first.year:04d}-{first.month:02d}", "M")
    months = start + np.arange(count)
    return months.astype("datetime64[D]").astype(np.int64)
