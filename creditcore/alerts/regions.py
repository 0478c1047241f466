"""Region roll-ups (楼宇、地块、片区、行业、产业集群): share of C/D grades, score trend, alert concentration.

One group-by over per-enterprise arrays; a region is flagged when its share of C/D grades or its
open alerts per 100 enterprises reach the thresholds of a region rule (`region` family in
`creditcore.alerts.rules`), and only when it is large enough for a share to mean something:
the C/D share needs at least `min_enterprises` graded enterprises, the alert density at least
`min_enterprises` enterprises. `region_hits` turns the flagged regions of a rule into findings.

A region must also stand out from the park: with `vs_park` above 1 a metric counts only when the
region's value is at least `vs_park` times the whole park's value of it (`ParkFigures`). Without
that, a park whose every corner is at the threshold (say, arrears alerts everywhere) flags nearly
every region, and a region warning only repeats the park-wide level the dashboard already shows.
`vs_park` 1 switches the comparison off: the absolute thresholds alone decide, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from creditcore.alerts.hits import RegionHit

if TYPE_CHECKING:
    from creditcore.alerts.rules import RuleSpec

DEFAULT_CD_SHARE = 0.2
DEFAULT_ALERTS_PER_100 = 30.0
DEFAULT_MIN_ENTERPRISES = 10
# New rules: a region must be at least half again as bad as the park. Stored rules saved before the
# parameter existed mean 1.0 (`NO_VS_PARK`): they keep flagging what they flagged.
DEFAULT_VS_PARK = 1.5
NO_VS_PARK = 1.0

# Region levels, coarse to fine, then the two non-spatial ones.
REGION_LEVELS = ("zone", "plot", "building", "industry", "cluster")
LEVEL_LABELS = {"zone": "片区", "plot": "地块", "building": "楼宇", "industry": "行业", "cluster": "产业集群"}
# The keys of a region hit's facts that say what was found; the rest are figures that drift
# from run to run (mean score, open alerts, the park's own figures) without making it a new finding.
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
    risk: float  # 0..1 map colour: the larger of the two ratios against the bars a region must reach, capped


@dataclass(frozen=True)
class ParkFigures:
    """The whole park's C/D share and alert density, defined as a region's: what `vs_park` multiplies."""

    enterprises: int
    graded: int
    cd_share: float  # C/D-graded enterprises / graded enterprises, over the whole park
    open_alerts: int
    alerts_per_100: float  # open alerts per 100 enterprises, over the whole park

    def as_facts(self) -> dict[str, Any]:
        return asdict(self)


def park_figures(grade: np.ndarray, open_alerts: np.ndarray) -> ParkFigures:
    """The park-wide figures from the same per-enterprise arrays the regions are rolled up from
    (every in-park enterprise once, `grade` "" when ungraded), rounded as a region's are."""
    graded = int(np.isin(grade, ["A", "B", "C", "D"]).sum())
    cd = int(np.isin(grade, ["C", "D"]).sum())
    count = len(grade)
    alerts = int(np.asarray(open_alerts).sum()) if count else 0
    return ParkFigures(
        enterprises=count,
        graded=graded,
        cd_share=round(cd / graded, 4) if graded else 0.0,
        open_alerts=alerts,
        alerts_per_100=round(100.0 * alerts / count, 1) if count else 0.0,
    )


def bars(
    cd_share: float, alerts_per_100: float, vs_park: float = NO_VS_PARK, park: ParkFigures | None = None
) -> tuple[float, float]:
    """What a region's C/D share and alert density must reach: each absolute threshold, raised to
    `vs_park` times the park's value when `vs_park` is above 1 (at 1 the park is not compared)."""
    if park is None or vs_park <= NO_VS_PARK:
        return cd_share, alerts_per_100
    return max(cd_share, vs_park * park.cd_share), max(alerts_per_100, vs_park * park.alerts_per_100)


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
    vs_park: float = NO_VS_PARK,
    park: ParkFigures | None = None,
) -> list[RegionRow]:
    """Per-region figures, worst first; scores NaN when missing, `grade` "" when ungraded.

    `flagged` is what `crossed` says for the thresholds, minimum size and `vs_park` against `park`
    (by default the park is the arrays given; pass it when they are only part of the park, as on a
    drill-down); `risk` (the map colour) ignores the minimum size, so a small building still shows
    its figures' colour.
    """
    if len(keys) == 0:
        return []
    if park is None:
        park = park_figures(grade, open_alerts)
    cd_bar, alerts_bar = bars(cd_share_threshold, alerts_threshold, vs_park, park)
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
        risk = min(1.0, max(cd_share / cd_bar, per_100 / alerts_bar) / 2.0)
        row = RegionRow(
            key=str(regions[k]),
            enterprises=int(count[k]),
            graded=int(graded[k]),
            cd_share=round(cd_share, 4),
            avg_score=round(float(score_sum[k] / score_n[k]), 1) if score_n[k] else None,
            score_change=round(float(change_sum[k] / change_n[k]), 1) if change_n[k] else None,
            open_alerts=int(alerts[k]),
            alerted=int(alerted[k]),
            alerts_per_100=round(per_100, 1),
            flagged=False,
            risk=round(risk, 3),
        )
        # Flagged on the rounded figures, as `region_hits` decides: the page marks what a run raises.
        which = crossed(
            row,
            cd_share=cd_share_threshold,
            alerts_per_100=alerts_threshold,
            min_enterprises=min_enterprises,
            vs_park=vs_park,
            park=park,
        )
        rows.append(replace(row, flagged=bool(which)))
    return sorted(rows, key=lambda r: (-r.risk, r.key))


def crossed(
    row: RegionRow,
    *,
    cd_share: float,
    alerts_per_100: float,
    min_enterprises: int = 0,
    vs_park: float = NO_VS_PARK,
    park: ParkFigures | None = None,
) -> tuple[str, ...]:
    """The thresholds `row` reaches: "cd_share" (C/D share of at least `min_enterprises` graded
    enterprises) and/or "alerts_per_100" (open alerts per 100 of at least `min_enterprises`), each
    also at least `vs_park` times the park's value when `vs_park` is above 1."""
    if vs_park > NO_VS_PARK and park is None:
        raise ValueError("vs_park above 1 compares regions with the park: pass the park's figures")
    cd_bar, alerts_bar = bars(cd_share, alerts_per_100, vs_park, park)
    found = []
    if row.graded >= min_enterprises and row.graded > 0 and row.cd_share >= cd_bar:
        found.append("cd_share")
    if row.enterprises >= min_enterprises and row.alerts_per_100 >= alerts_bar:
        found.append("alerts_per_100")
    return tuple(found)


def region_hits(
    rows: Mapping[str, Sequence[RegionRow]],
    rule: RuleSpec,
    labels: Mapping[tuple[str, str], str] | None = None,
    park: ParkFigures | None = None,
) -> list[RegionHit]:
    """The regions of the rule's levels that reach its thresholds, one finding each.

    `rows` holds the roll-up of each level (as `aggregate` returns it); `labels` names regions by
    (level, key) where the key is a code (buildings); `park` is the whole park's figures, which a
    rule with `vs_park` above 1 needs (and every finding records when given). Enterprises without a
    building, industry or cluster roll up under the key "": that is not a region, so it never
    raises a finding.
    """
    cd_share = float(rule.param("cd_share"))
    alerts_per_100 = float(rule.param("alerts_per_100"))
    min_enterprises = int(rule.param("min_enterprises"))
    vs_park = float(rule.param("vs_park"))
    thresholds = {
        "cd_share": cd_share,
        "alerts_per_100": alerts_per_100,
        "min_enterprises": min_enterprises,
        "vs_park": vs_park,
    }
    names = labels or {}
    hits = []
    for level in rule.param("levels"):
        for row in rows.get(level, ()):
            which = (
                crossed(
                    row,
                    cd_share=cd_share,
                    alerts_per_100=alerts_per_100,
                    min_enterprises=min_enterprises,
                    vs_park=vs_park,
                    park=park,
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
                    _summary(level, label, row, which, thresholds, park),
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
                        "park": park.as_facts() if park is not None else None,
                        "thresholds": thresholds,
                        "crossed": list(which),
                    },
                )
            )
    return sorted(hits, key=lambda h: (h.rule_code, REGION_LEVELS.index(h.level), h.key))


def _summary(
    level: str,
    label: str,
    row: RegionRow,
    which: Sequence[str],
    thresholds: Mapping[str, float],
    park: ParkFigures | None,
) -> str:
    vs_park = thresholds["vs_park"]
    # "阈值 20% 且不低于全园的 1.5 倍": the relative bar is said only when it applies.
    relative = f" 且不低于全园的 {vs_park:g} 倍" if vs_park > NO_VS_PARK else ""
    parts = []
    if "cd_share" in which:
        in_park = f"全园 {park.cd_share:.0%}," if park is not None else ""
        parts.append(
            f"C/D 级企业占比 {row.cd_share:.0%}"
            f"({in_park}阈值 {thresholds['cd_share']:.0%}{relative},已评级 {row.graded} 家)"
        )
    if "alerts_per_100" in which:
        in_park = f"全园 {park.alerts_per_100:g}," if park is not None else ""
        parts.append(
            f"每百家企业未关闭预警 {row.alerts_per_100:g} 条"
            f"({in_park}阈值 {thresholds['alerts_per_100']:g}{relative},共 {row.enterprises} 家企业)"
        )
    return f"{LEVEL_LABELS.get(level, level)}“{label}”:" + ";".join(parts)
