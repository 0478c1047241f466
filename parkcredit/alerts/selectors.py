"""Reads for risk early warning: filtered alert lists, one alert with its path, region roll-ups, the
region rules that apply to a level and the region alerts they opened, the map."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.alerts.regions import (
    DEFAULT_ALERTS_PER_100,
    DEFAULT_CD_SHARE,
    DEFAULT_MIN_ENTERPRISES,
    DEFAULT_VS_PARK,
    NO_VS_PARK,
    REGION_LEVELS,
    ParkFigures,
    RegionRow,
    aggregate,
    park_figures,
)
from creditcore.alerts.rules import FAMILIES
from parkcredit.alerts.models import Alert, AlertRule, AlertState, BuildingPosition, SubjectType
from parkcredit.enterprises.models import Building, Enterprise

STATE_FILTERS = {"open", "closed", "all", *AlertState.values}


def alert_list(actor: Any, filters: dict[str, str]) -> QuerySet[Alert]:
    """Alerts the actor may see, narrowed by the list page's filters (unknown values are ignored)."""
    rows = Alert.objects.visible_to(actor).select_related(
        "rule", "enterprise", "enterprise__building", "assignee"
    )
    state = filters.get("state") or "open"
    if state == "open":
        rows = rows.still_open()
    elif state in AlertState.values:
        rows = rows.filter(state=state)
    if filters.get("severity") in {"info", "warning", "critical"}:
        rows = rows.filter(severity=filters["severity"])
    if filters.get("rule"):
        rows = rows.filter(rule__code=filters["rule"])
    if filters.get("subject") in SubjectType.values:
        rows = rows.of_subject(filters["subject"])
    # A zone or building also finds the region alert about that zone or building itself.
    if filters.get("zone"):
        zone = filters["zone"]
        rows = rows.filter(Q(enterprise__building__zone=zone) | Q(region_level="zone", region_key=zone))
    if filters.get("building"):
        code = filters["building"]
        rows = rows.filter(Q(enterprise__building__code=code) | Q(region_level="building", region_key=code))
    if filters.get("overdue") == "1":
        rows = rows.still_open().filter(due_on__lt=timezone.localdate())
    q = (filters.get("q") or "").strip()
    if q:
        rows = rows.filter(
            Q(enterprise__name__icontains=q)
            | Q(enterprise__uscc=q)
            | Q(region_label__icontains=q)
            | Q(region_key=q)
        )
    return rows.order_by("-opened_at", "-id")


def alert_get_for_actor(actor: Any, pk: Any) -> Alert:
    alert = (
        Alert.objects.visible_to(actor)
        .select_related("rule", "enterprise", "assignee", "assignee_department")
        .filter(pk=pk)
        .first()
    )
    if alert is None:
        raise Http404(_("预警不存在"))
    return alert


@dataclass(frozen=True)
class PathStep:
    here: Enterprise | None
    there: Enterprise | None
    label: str
    weight: float
    forward: bool


def alert_path(alert: Alert) -> list[PathStep]:
    """The chain path with enterprise objects, in one query."""
    ids = {int(step["from"]) for step in alert.path} | {int(step["to"]) for step in alert.path}
    names = Enterprise.objects.in_bulk(list(ids))
    return [
        PathStep(
            here=names.get(int(step["from"])),
            there=names.get(int(step["to"])),
            label=str(step.get("label", "")),
            weight=float(step.get("weight", 0.0)),
            forward=bool(step.get("forward", True)),
        )
        for step in alert.path
    ]


def alert_counts(actor: Any) -> dict[str, int]:
    rows = Alert.objects.visible_to(actor).still_open()
    today = timezone.localdate()
    return {
        "open": rows.count(),
        "critical": rows.filter(severity="critical").count(),
        "overdue": rows.filter(due_on__lt=today).count(),
    }


def rules_list() -> QuerySet[AlertRule]:
    return (
        AlertRule.objects.select_related("department")
        .prefetch_related("recipients")
        .annotate(open_alerts=Count("alerts", filter=~Q(alerts__state=AlertState.CLOSED)))
    )


# --- regions ----------------------------------------------------------------------------------------

LEVELS: dict[str, str] = {
    "zone": "building__zone",
    "plot": "building__plot",
    "building": "building__code",
    "industry": "industry_name",
    "cluster": "cluster",
}
# Drill-down: a zone opens its buildings, a building its enterprises.
CHILD_LEVEL = {"zone": "building"}


def _enterprise_table(filter_level: str = "", filter_key: str = "") -> dict[str, np.ndarray]:
    """In-park enterprises with current and previous score and open alert count, as arrays."""
    from parkcredit.scoring.models import Score

    qs = Enterprise.objects.filter(in_park=True)
    if filter_level in LEVELS and filter_key:
        qs = qs.filter(**{LEVELS[filter_level]: filter_key})
    rows = list(
        qs.values_list("pk", "building__zone", "building__plot", "building__code", "industry_name", "cluster")
    )
    ids = [r[0] for r in rows]
    current = {
        e: (g, s)
        for e, g, s in Score.objects.filter(is_current=True, enterprise_id__in=ids).values_list(
            "enterprise_id", "grade", "score"
        )
    }
    previous: dict[int, float] = {}
    for ent, score in (
        Score.objects.filter(is_current=False, enterprise_id__in=ids)
        .order_by("enterprise_id", "-as_of", "-id")
        .values_list("enterprise_id", "score")
    ):
        previous.setdefault(ent, float(score))
    alerts = dict(
        Alert.objects.still_open()
        .filter(enterprise_id__in=ids)
        .values_list("enterprise_id")
        .annotate(n=Count("id"))
        .values_list("enterprise_id", "n")
    )
    return {
        "id": np.array(ids, dtype=np.int64),
        "zone": np.array([r[1] or "" for r in rows], dtype=object),
        "plot": np.array([r[2] or "" for r in rows], dtype=object),
        "building": np.array([r[3] or "" for r in rows], dtype=object),
        "industry": np.array([r[4] or "" for r in rows], dtype=object),
        "cluster": np.array([r[5] or "" for r in rows], dtype=object),
        "grade": np.array([current.get(i, ("", 0))[0] for i in ids], dtype=object),
        "score": np.array([float(current[i][1]) if i in current else np.nan for i in ids], dtype=np.float64),
        "previous": np.array([previous.get(i, np.nan) for i in ids], dtype=np.float64),
        "alerts": np.array([alerts.get(i, 0) for i in ids], dtype=np.int64),
    }


def region_table() -> dict[str, np.ndarray]:
    """The whole park's enterprise table (a handful of queries): read once per page and passed to
    `region_rows` and `park_map`, which would otherwise each read it again."""
    return _enterprise_table()


def _park(table: dict[str, np.ndarray]) -> ParkFigures:
    return park_figures(table["grade"], table["alerts"])


def _rows(
    table: dict[str, np.ndarray],
    level: str,
    cd_share: float,
    alerts_per_100: float,
    min_enterprises: int,
    vs_park: float,
    park: ParkFigures,
    mask: np.ndarray | None = None,
) -> list[RegionRow]:
    """One level's roll-up of the table's enterprises (those under `mask` when given), compared
    with `park`: the whole park, even when the rows are only one parent's part of it."""
    pick = slice(None) if mask is None else mask
    return aggregate(
        table[level][pick],
        table["grade"][pick],
        table["score"][pick],
        table["previous"][pick],
        table["alerts"][pick],
        cd_share_threshold=cd_share,
        alerts_threshold=alerts_per_100,
        min_enterprises=min_enterprises,
        vs_park=vs_park,
        park=park,
    )


def region_rows(
    level: str,
    *,
    parent_level: str = "",
    parent_key: str = "",
    cd_share: float = DEFAULT_CD_SHARE,
    alerts_per_100: float = DEFAULT_ALERTS_PER_100,
    min_enterprises: int = 0,
    vs_park: float = NO_VS_PARK,
    table: dict[str, np.ndarray] | None = None,
) -> tuple[list[RegionRow], ParkFigures]:
    """One level's regions (within a parent region when given) and the park-wide figures they are
    compared with. The whole park is read once either way (or `table`, from `region_table`, is
    used): a drill-down's regions still stand out (or not) against the park, not against their parent."""
    if level not in LEVELS:
        raise ValueError(level)
    if table is None:
        table = _enterprise_table()
    park = _park(table)
    mask = table[parent_level] == parent_key if parent_level in LEVELS and parent_key else None
    return _rows(table, level, cd_share, alerts_per_100, min_enterprises, vs_park, park, mask), park


@dataclass(frozen=True)
class Rollups:
    """The park-wide roll-up of some levels and the park's own figures, from one table read."""

    levels: dict[str, list[RegionRow]]
    park: ParkFigures


def region_rollups(levels: Iterable[str]) -> Rollups:
    """The park-wide roll-up of each level, from one read of the enterprise table (a handful of
    queries whatever the number of levels and regions), with the park's figures from the same
    arrays; what region rules are evaluated on."""
    wanted = [level for level in REGION_LEVELS if level in set(levels)]
    if not wanted:
        return Rollups({}, ParkFigures(0, 0, 0.0, 0, 0.0))
    table = _enterprise_table()
    park = _park(table)
    return Rollups(
        {
            level: _rows(
                table,
                level,
                DEFAULT_CD_SHARE,
                DEFAULT_ALERTS_PER_100,
                DEFAULT_MIN_ENTERPRISES,
                NO_VS_PARK,
                park,
            )
            for level in wanted
        },
        park,
    )


def region_labels(levels: Iterable[str]) -> dict[tuple[str, str], str]:
    """Names of regions whose key is a code: buildings are keyed by code and called by name."""
    if "building" not in set(levels):
        return {}
    return {("building", code): name for code, name in Building.objects.values_list("code", "name") if name}


@dataclass(frozen=True)
class RegionThresholds:
    """What marks a region 关注 on the region page: a stored rule's thresholds, or a staff preview."""

    cd_share: float
    alerts_per_100: float
    min_enterprises: int
    vs_park: float
    rule: AlertRule | None  # the stored rule these come from; None when there is none for the level


def region_rules_for(level: str) -> list[AlertRule]:
    """The enabled region rules that cover `level` (usually one: the default rule of that level)."""
    rules = AlertRule.objects.filter(family="region", enabled=True).select_related("department")
    return [rule for rule in rules.order_by("code") if level in (rule.params.get("levels") or REGION_LEVELS)]


def region_thresholds(level: str) -> RegionThresholds:
    """The stored thresholds for a level: the first enabled region rule covering it (by code), else
    the built-in defaults without a rule (nothing raises alerts for that level then)."""
    rules = region_rules_for(level)
    if not rules:
        return RegionThresholds(
            DEFAULT_CD_SHARE, DEFAULT_ALERTS_PER_100, DEFAULT_MIN_ENTERPRISES, DEFAULT_VS_PARK, None
        )
    params = region_params(rules[0])
    return RegionThresholds(
        float(params["cd_share"]),
        float(params["alerts_per_100"]),
        int(params["min_enterprises"]),
        float(params["vs_park"]),
        rules[0],
    )


def region_params(rule: AlertRule) -> dict[str, Any]:
    """A region rule's parameters as a run reads them (a rule saved before `vs_park` existed: 1)."""
    return FAMILIES["region"].resolve(rule.params)


def region_open_alerts(actor: Any, level: str) -> dict[str, list[Alert]]:
    """Open region alerts of one level the actor may see, by region key (one query)."""
    by_key: dict[str, list[Alert]] = defaultdict(list)
    rows = (
        Alert.objects.visible_to(actor)
        .still_open()
        .filter(enterprise__isnull=True, region_level=level)
        .select_related("rule")
        .order_by("region_key", "rule__code")
    )
    for alert in rows:
        by_key[alert.region_key].append(alert)
    return dict(by_key)


def region_enterprises(level: str, key: str) -> list[dict[str, Any]]:
    """The enterprises of one region with grade and open alerts (the last drill-down step)."""
    table = _enterprise_table(level, key)
    names = Enterprise.objects.in_bulk(table["id"].tolist())
    out = [
        {
            "enterprise": names[int(i)],
            "grade": str(g),
            "score": None if np.isnan(s) else int(s),
            "alerts": int(a),
        }
        for i, g, s, a in zip(table["id"], table["grade"], table["score"], table["alerts"], strict=True)
    ]
    return sorted(out, key=lambda r: (-r["alerts"], r["grade"] or "Z", r["enterprise"].name), reverse=False)


def park_map(
    cd_share: float = DEFAULT_CD_SHARE,
    alerts_per_100: float = DEFAULT_ALERTS_PER_100,
    min_enterprises: int = 0,
    vs_park: float = NO_VS_PARK,
    table: dict[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """Buildings as cells of the park layout, coloured by risk (BuildingPosition, else a grid by zone)."""
    building_rows, _park_figures = region_rows(
        "building",
        cd_share=cd_share,
        alerts_per_100=alerts_per_100,
        min_enterprises=min_enterprises,
        vs_park=vs_park,
        table=table,
    )
    rows = {r.key: r for r in building_rows}
    positions = {p.building_id: (p.x, p.y) for p in BuildingPosition.objects.all()}
    by_zone: dict[str, list[Building]] = defaultdict(list)
    for building in Building.objects.order_by("zone", "code"):
        by_zone[building.zone or ""].append(building)
    cells = []
    for y, (zone, buildings) in enumerate(sorted(by_zone.items())):
        for x, building in enumerate(buildings):
            px, py = positions.get(building.pk, (float(x), float(y)))
            row = rows.get(building.code)
            cells.append(
                {
                    "code": building.code,
                    "name": building.name,
                    "zone": zone,
                    "x": px,
                    "y": py,
                    "risk": row.risk if row else 0.0,
                    "enterprises": row.enterprises if row else 0,
                    "cd_share": row.cd_share if row else 0.0,
                    "open_alerts": row.open_alerts if row else 0,
                    "flagged": bool(row and row.flagged),
                }
            )
    return {"type": "parkmap", "zones": sorted(by_zone), "cells": cells}
