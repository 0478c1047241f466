"""Region roll-ups (楼宇、地块、片区、行业、产业集群): share of C/D grades, score trend, alert concentration.

One group-by over per-enterprise arrays; a region is flagged when its share of C/D grades or its
open alerts per 100 enterprises reach the thresholds of a region rule (`region` family in
`creditcore.alerts.rules`), and only when it is large enough for a share to mean something:
the C/D share needs at least `min_enterprises` graded enterprises, the alert density at least
`min_enterprises` enterprises. `region_hits` turns the flagged regions of a rule into findings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from creditcore.alerts.hits import RegionHit

if TYPE_CHECKING:
    from creditcore.alerts.rules import RuleSpec

DEFAULT_CD_SHARE = 0.2
DEFAULT_ALERTS_PER_100 = 30.0
DEFAULT_MIN_ENTERPRISES = 10

# Region levels, coarse to fine, then the two non-spatial ones.
REGION_LEVELS = ("zone", "plot", "building", "industry", "cluster")
LEVEL_LABELS = {"zone": "片区", "plot": "地块", "building": "楼宇", "industry": "行业", "cluster": "产业集群"}
# The keys of a region hit's facts that say what was found; the rest are figures that drift
# from run to run (mean score, open alerts) without making it a new finding.
FINDING_KEYS = ("crossed", "thresholds")


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
    min_enterprises: int = 0,
) -> list[RegionRow]:
    """Per-region figures, worst first; scores NaN when missing, `grade` "" when ungraded.

    `flagged` is what `crossed` says for the thresholds and minimum size; `risk` (the map colour)
    ignores the minimum size, so a small building still shows its figures' colour.
    """
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
                flagged=bool(
                    _crossed(
                        cd_share,
                        per_100,
                        int(graded[k]),
                        int(count[k]),
                        cd_share_threshold,
                        alerts_threshold,
                        min_enterprises,
                    )
                ),
                risk=round(risk, 3),
            )
        )
    return sorted(rows, key=lambda r: (-r.risk, r.key))


def _crossed(
    cd_share: float,
    per_100: float,
    graded: int,
    enterprises: int,
    cd_share_threshold: float,
    alerts_threshold: float,
    min_enterprises: int,
) -> tuple[str, ...]:
    found = []
    if graded >= min_enterprises and graded > 0 and cd_share >= cd_share_threshold:
        found.append("cd_share")
    if enterprises >= min_enterprises and per_100 >= alerts_threshold:
        found.append("alerts_per_100")
    return tuple(found)


def crossed(
    row: RegionRow, *, cd_share: float, alerts_per_100: float, min_enterprises: int = 0
) -> tuple[str, ...]:
    """The thresholds `row` reaches: "cd_share" (C/D share of at least `min_enterprises` graded
    enterprises) and/or "alerts_per_100" (open alerts per 100 of at least `min_enterprises`)."""
    return _crossed(
        row.cd_share,
        row.alerts_per_100,
        row.graded,
        row.enterprises,
        cd_share,
        alerts_per_100,
        min_enterprises,
    )


def region_hits(
    rows: Mapping[str, Sequence[RegionRow]],
    rule: RuleSpec,
    labels: Mapping[tuple[str, str], str] | None = None,
) -> list[RegionHit]:
    """The regions of the rule's levels that reach its thresholds, one finding each.

    `rows` holds the roll-up of each level (as `aggregate` returns it); `labels` names regions by
    (level, key) where the key is a code (buildings). Enterprises without a building, industry or
    cluster roll up under the key "": that is not a region, so it never raises a finding.
    """
    cd_share = float(rule.param("cd_share"))
    alerts_per_100 = float(rule.param("alerts_per_100"))
    min_enterprises = int(rule.param("min_enterprises"))
    thresholds = {"cd_share": cd_share, "alerts_per_100": alerts_per_100, "min_enterprises": min_enterprises}
    names = labels or {}
    hits = []
    for level in rule.param("levels"):
        for row in rows.get(level, ()):
            which = (
                crossed(
                    row, cd_share=cd_share, alerts_per_100=alerts_per_100, min_enterprises=min_enterprises
                )
                if row.key
                else ()
            )
            if not which:
                continue
            label = names.get((level, row.key)) or row.key
            hits.append(
                RegionHit(
                    rule.code,
                    rule.family,
                    level,
                    row.key,
                    label,
                    rule.severity,
                    _summary(level, label, row, which, thresholds),
                    {
                        "level": level,
                        "key": row.key,
                        "label": label,
                        "enterprises": row.enterprises,
                        "graded": row.graded,
                        "cd_share": row.cd_share,
                        "avg_score": row.avg_score,
                        "score_change": row.score_change,
                        "open_alerts": row.open_alerts,
                        "alerted": row.alerted,
                        "alerts_per_100": row.alerts_per_100,
                        "thresholds": thresholds,
                        "crossed": list(which),
                    },
                )
            )
    return sorted(hits, key=lambda h: (h.rule_code, REGION_LEVELS.index(h.level), h.key))


def _summary(
    level: str, label: str, row: RegionRow, which: Sequence[str], thresholds: Mapping[str, float]
) -> str:
    parts = []
    if "cd_share" in which:
        parts.append(
            f"C/D 级企业占比 {row.cd_share:.0%}(阈值 {thresholds['cd_share']:.0%},已评级 {row.graded} 家)"
        )
    if "alerts_per_100" in which:
        parts.append(
            f"每百家企业未关闭预警 {row.alerts_per_100:g} 条"
            f"(阈值 {thresholds['alerts_per_100']:g},共 {row.enterprises} 家企业)"
        )
    return f"{LEVEL_LABELS.get(level, level)}“{label}”:" + ";".join(parts)
