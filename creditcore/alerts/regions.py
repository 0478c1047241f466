"""Region roll-ups (楼宇、地块、片区、行业、产业集群): share of C/D grades, score trend, alert concentration.

One group-by over per-enterprise arrays; a region is flagged when its share of C/D grades or its
open alerts per 100 enterprises reach the thresholds (staff can change them on the region page).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_CD_SHARE = 0.2
DEFAULT_ALERTS_PER_100 = 30.0


@dataclass(frozen=True)
class RegionRow:
    key: str
    enterprises: int
    graded: int
    cd_share: float  # of graded enterprises
    avg_score: float | None
    score_change: float | None  # mean change against each enterprise's previous score
    open_alerts: int
    alerted: int  # enterprises with at least one open alert
    alerts_per_100: float
    flagged: bool
    risk: (
        float  # 0..1 colour scale for the map: the larger of the two ratios against their thresholds, capped
    )


def aggregate(
    keys: np.ndarray,
    grade: np.ndarray,
    score: np.ndarray,
    previous_score: np.ndarray,
    open_alerts: np.ndarray,
    *,
    cd_share_threshold: float = DEFAULT_CD_SHARE,
    alerts_threshold: float = DEFAULT_ALERTS_PER_100,
) -> list[RegionRow]:
    """Per-region figures, worst first; scores NaN when missing, `grade` "" when ungraded."""
    if len(keys) == 0:
        return []
    regions, inverse = np.unique(keys.astype(str), return_inverse=True)
    m = len(regions)
    count = np.bincount(inverse, minlength=m)
    graded_mask = np.isin(grade, ["A", "B", "C", "D"])
    graded = np.bincount(inverse, weights=graded_mask, minlength=m)
    cd = np.bincount(inverse, weights=np.isin(grade, ["C", "D"]), minlength=m)
    has_score = ~np.isnan(score)
    score_n = np.bincount(inverse, weights=has_score, minlength=m)
    score_sum = np.bincount(inverse, weights=np.where(has_score, score, 0.0), minlength=m)
    both = has_score & ~np.isnan(previous_score)
    change_n = np.bincount(inverse, weights=both, minlength=m)
    change_sum = np.bincount(
        inverse, weights=np.where(both, score - np.nan_to_num(previous_score), 0.0), minlength=m
    )
    alerts = np.bincount(inverse, weights=open_alerts, minlength=m)
    alerted = np.bincount(inverse, weights=open_alerts > 0, minlength=m)
    rows = []
    for k in range(m):
        cd_share = float(cd[k] / graded[k]) if graded[k] else 0.0
        per_100 = float(100.0 * alerts[k] / count[k])
        risk = min(1.0, max(cd_share / cd_share_threshold, per_100 / alerts_threshold) / 2.0)
        rows.append(
            RegionRow(
                key=str(regions[k]),
                enterprises=int(count[k]),
                graded=int(graded[k]),
                cd_share=round(cd_share, 4),
                avg_score=round(float(score_sum[k] / score_n[k]), 1) if score_n[k] else None,
                score_change=round(float(change_sum[k] / change_n[k]), 1) if change_n[k] else None,
                open_alerts=int(alerts[k]),
                alerted=int(alerted[k]),
                alerts_per_100=round(per_100, 1),
                flagged=cd_share >= cd_share_threshold or per_100 >= alerts_threshold,
                risk=round(risk, 3),
            )
        )
    return sorted(rows, key=lambda r: (-r.risk, r.key))
