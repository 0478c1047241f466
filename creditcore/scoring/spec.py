"""The scoring model spec: dimensions -> indicators -> points, vetoes, caps and bands.

This docstring is THE definition of every aggregate; the reference evaluator (reference.py)
and the SQL compiler (compiler.py) both implement exactly what is written here.

Common rules
------------
- `as_of` is a date. A window of `window_days` = W is the half-open interval
  (as_of - W days, as_of]: a date d is in the window iff as_of - W < d <= as_of.
- Records: only records with `decided_on <= as_of` that count for scoring
  (`status_as_of == "active"` and not `disputed`) are seen at all. An indicator over records
  keeps those whose `kind` is in `kinds`, whose `severity` is in `severities` (empty = any) and
  whose `polarity` equals `polarity` (None = any), with `decided_on` in the window.
- Observations: rows of `metric`. For a bill metric (catalogue MetricSpec.is_bill: rent_bill,
  fee_bill, safety_findings) the row's date is `due_on` (rows with a null `due_on` are ignored);
  for any other metric it is `period`. Rows whose date is in the window are kept.
- Age: age_days = (as_of - d).days for a date d; decay = exp(-ln(2) * age_days / half_life_days).
- Severity rank: minor = 1, general = 2, serious = 3 (anything else = 0).
- Days beyond terms of one bill: if settled_on is not null and settled_on <= as_of:
  max(0, settled_on - due_on) days; otherwise (unpaid as of the date): max(0, as_of - due_on).
- Division by a zero or negative denominator gives a missing value. All values are DOUBLE.

Aggregates (value = ...; "missing" means the indicator's `missing` rule applies)
-----------------------------------------------------------------------------------
records source (never missing unless stated):
- count:          number of kept records.
- sum_amount:     sum of `amount` of kept records (null amount = 0).
- max_severity:   max severity rank of kept records, 0 when none.
- decayed_count:  sum of decay(decided_on) over kept records (needs half_life_days).
- decayed_sum:    sum of amount * decay(decided_on) (null amount = 0).
- latest_mapped:  value_map[result] of the latest kept record (greatest decided_on, ties by the
                  greatest id); missing when no record is kept or its result is not in value_map.
observations source (missing when no row is kept, unless stated):
- sum:            sum of value.
- mean:           arithmetic mean of value.
- latest:         value of the kept row with the greatest date (ties: greatest value).
- share:          (number of kept rows with value <= threshold) / (number of kept rows).
- days_beyond_terms: mean of days beyond terms over kept bill rows.
- max_days_beyond:   max of days beyond terms over kept bill rows.
- late_share:     (number of kept bill rows with days beyond terms > threshold) / (kept rows).
- trend:          mean(value of rows dated in (as_of - recent_days, as_of]) /
                  mean(value of rows dated in (as_of - window_days, as_of - recent_days]);
                  missing when either part is empty or the prior mean <= 0.
- ratio:          mean(value of `metric` rows kept) / mean(value of `denominator_metric` rows kept,
                  same window); missing when either is empty or the denominator mean <= 0.
enterprise source:
- age_years:      (as_of - founded_on).days / 365.25; missing when founded_on is null or later
                  than as_of.
- park_years:     (as_of - park_entry_on).days / 365.25; missing when not in_park, park_entry_on is
                  null or later than as_of.
- registered_capital: registered capital in units of 10,000 yuan (万元); missing when null.
- has_tag:        1.0 if a tag named `tag` has since <= as_of and (until is null or as_of <= until),
                  else 0.0; never missing.

Points
------
- Piecewise(breaks=((b1, p1), (b2, p2), ..., (None, pn))): p_i for the first i with value < b_i
  (b_i strictly increasing, the last bound None catches everything).
- CappedLinear(intercept, slope, min_points, max_points):
  min(max_points, max(min_points, intercept + slope * value)).
- Missing value: rule "points" -> `missing.points`; "neutral" -> max_points / 2; "worst" -> the
  lowest points the map can give (the minimum of a Piecewise's points, min_points of a linear map).

Score, grade and overrides
--------------------------
- total = base_score + sum of indicator points; score = floor(total + 0.5 + 1e-9), clamped to
  0..1000. Every map's points lie in 0..max_points and base_score + sum(max_points) = 1000.
- A veto fires when any seen record (decided_on <= as_of, counting, any age) has a kind in the
  veto's `kinds` and (severity empty or equal). A cap fires when at least `min_count` records of
  `kinds` (and `severities`, empty = any) are kept in the cap's window.
- The grade is the band with min_score <= score <= max_score. A fired veto forces the worst
  band (lowest min_score); a fired cap allows at most `max_grade`. When a veto or cap lowers the
  grade, the score is lowered to the max_score of the resulting band (so grades stay monotone
  in the score).
- data_depth = sum(max_points of indicators not missing) / sum(max_points of all indicators).
- reasons: indicators with lost points (max_points - points) > 0, most lost first, ties by code,
  at most 5; evidence = ids of the records the indicator kept, ascending.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import yaml

Source = Literal["records", "observations", "enterprise"]
Grade = Literal["A", "B", "C", "D"]

RECORD_AGGREGATES = frozenset(
    {"count", "sum_amount", "max_severity", "decayed_count", "decayed_sum", "latest_mapped"}
)
OBSERVATION_AGGREGATES = frozenset(
    {
        "sum",
        "mean",
        "latest",
        "share",
        "days_beyond_terms",
        "max_days_beyond",
        "late_share",
        "trend",
        "ratio",
    }
)
BILL_AGGREGATES = frozenset({"days_beyond_terms", "max_days_beyond", "late_share"})
ENTERPRISE_AGGREGATES = frozenset({"age_years", "park_years", "registered_capital", "has_tag"})
AGGREGATES_BY_SOURCE: dict[str, frozenset[str]] = {
    "records": RECORD_AGGREGATES,
    "observations": OBSERVATION_AGGREGATES,
    "enterprise": ENTERPRISE_AGGREGATES,
}
SEVERITY_RANK: dict[str, int] = {"minor": 1, "general": 2, "serious": 3}
SCORE_MIN, SCORE_MAX = 0, 1000
MAX_REASONS = 5
SCORE_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Piecewise:
    breaks: tuple[tuple[float | None, float], ...]

    def apply(self, value: float) -> float:
        for bound, points in self.breaks:
            if bound is None or value < bound:
                return points
        return self.breaks[-1][1]  # unreachable for a valid map (last bound is None)

    @property
    def lowest(self) -> float:
        return min(points for _, points in self.breaks)

    @property
    def highest(self) -> float:
        return max(points for _, points in self.breaks)


@dataclass(frozen=True, slots=True)
class CappedLinear:
    intercept: float
    slope: float
    min_points: float
    max_points: float

    def apply(self, value: float) -> float:
        return min(self.max_points, max(self.min_points, self.intercept + self.slope * value))

    @property
    def lowest(self) -> float:
        return self.min_points

    @property
    def highest(self) -> float:
        return self.max_points


PointsMap = Piecewise | CappedLinear


@dataclass(frozen=True, slots=True)
class Missing:
    rule: Literal["points", "neutral", "worst"] = "neutral"
    points: float = 0.0


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    name: str
    dimension: str
    source: Source
    aggregate: str
    points: PointsMap
    max_points: int
    kinds: tuple[str, ...] = ()
    metric: str = ""
    polarity: str | None = None
    severities: tuple[str, ...] = ()
    window_days: int = 365
    half_life_days: int | None = None
    missing: Missing = field(default_factory=Missing)
    explanation: str = ""
    basis: str = ""
    # Aggregate parameters (see the module docstring).
    denominator_metric: str = ""
    recent_days: int | None = None
    threshold: float = 0.0
    tag: str = ""
    value_map: tuple[tuple[str, float], ...] = ()

    def missing_points(self) -> float:
        if self.missing.rule == "points":
            return float(self.missing.points)
        if self.missing.rule == "worst":
            return float(self.points.lowest)
        return self.max_points / 2


@dataclass(frozen=True, slots=True)
class Dimension:
    code: str
    name: str
    indicators: tuple[Indicator, ...]
    description: str = ""

    @property
    def max_points(self) -> int:
        return sum(indicator.max_points for indicator in self.indicators)


@dataclass(frozen=True, slots=True)
class Veto:
    code: str
    name: str
    kinds: tuple[str, ...]
    severity: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Cap:
    code: str
    name: str
    kinds: tuple[str, ...]
    max_grade: str
    severities: tuple[str, ...] = ()
    window_days: int = 365
    min_count: int = 1
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Band:
    grade: str
    min_score: int
    max_score: int
    colour: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class ModelSpec:
    code: str
    name: str
    version: str
    description: str
    dimensions: tuple[Dimension, ...]
    vetoes: tuple[Veto, ...]
    caps: tuple[Cap, ...]
    bands: tuple[Band, ...]
    base_score: int = 0

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for dim in self.dimensions for ind in dim.indicators)

    @property
    def bands_desc(self) -> tuple[Band, ...]:
        """Bands from the best (highest min_score) to the worst."""
        return tuple(sorted(self.bands, key=lambda b: b.min_score, reverse=True))

    def band_for(self, score: int) -> Band:
        for band in self.bands_desc:
            if band.min_score <= score <= band.max_score:
                return band
        raise ValueError(f"分数 {score} 不在任何等级区间内")

    def band_by_grade(self, grade: str) -> Band:
        for band in self.bands:
            if band.grade == grade:
                return band
        raise KeyError(grade)

    @property
    def worst_band(self) -> Band:
        return self.bands_desc[-1]


@dataclass(frozen=True, slots=True)
class SpecProblem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(根)'}: {self.message}"


class SpecError(ValueError):
    """A spec that fails schema or semantic checks; `problems` name each offending item."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        super().__init__("模型配置有误:\n" + "\n".join(str(p) for p in problems))


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SCHEMA_PATH = Path(__file__).with_name("schema.json")
DEFAULT_MODEL_PATH = Path(__file__).with_name("default_model.yaml")


def load_spec(text: str) -> ModelSpec:
    """Parse, validate (JSON Schema, then semantics) and build a ModelSpec from YAML text."""
    from creditcore.scoring.validation import build_spec

    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (the C one when built)
    except yaml.YAMLError as exc:
        raise SpecError([SpecProblem("", f"YAML 格式错误:{exc}")]) from exc
    return build_spec(data)


def load_default_spec() -> ModelSpec:
    return load_spec(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))


def _points_to_data(points: PointsMap) -> dict[str, Any]:
    if isinstance(points, Piecewise):
        return {"piecewise": [[bound, pts] for bound, pts in points.breaks]}
    return {
        "linear": {
            "intercept": points.intercept,
            "slope": points.slope,
            "min": points.min_points,
            "max": points.max_points,
        }
    }


_INDICATOR_DEFAULTS = {f.name: f.default for f in fields(Indicator) if not callable(f.default)}


def _indicator_to_data(ind: Indicator) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": ind.code,
        "name": ind.name,
        "source": ind.source,
        "aggregate": ind.aggregate,
    }
    for name in (
        "kinds",
        "metric",
        "polarity",
        "severities",
        "window_days",
        "half_life_days",
        "denominator_metric",
        "recent_days",
        "threshold",
        "tag",
    ):
        value = getattr(ind, name)
        if value != _INDICATOR_DEFAULTS.get(name):
            data[name] = list(value) if isinstance(value, tuple) else value
    if ind.value_map:
        data["value_map"] = {key: val for key, val in ind.value_map}
    data["max_points"] = ind.max_points
    data["points"] = _points_to_data(ind.points)
    data["missing"] = (
        {"rule": ind.missing.rule, "points": ind.missing.points}
        if ind.missing.rule == "points"
        else {"rule": ind.missing.rule}
    )
    data["explanation"] = ind.explanation
    data["basis"] = ind.basis
    return data


def spec_to_data(spec: ModelSpec) -> dict[str, Any]:
    """The plain-data form of a spec (what the YAML holds)."""
    return {
        "code": spec.code,
        "name": spec.name,
        "version": spec.version,
        "description": spec.description,
        "base_score": spec.base_score,
        "bands": [
            {
                "grade": b.grade,
                "min_score": b.min_score,
                "max_score": b.max_score,
                "colour": b.colour,
                "label": b.label,
            }
            for b in spec.bands
        ],
        "dimensions": [
            {
                "code": d.code,
                "name": d.name,
                "description": d.description,
                "indicators": [_indicator_to_data(i) for i in d.indicators],
            }
            for d in spec.dimensions
        ],
        "vetoes": [
            {
                "code": v.code,
                "name": v.name,
                "kinds": list(v.kinds),
                "severity": v.severity,
                "reason": v.reason,
            }
            for v in spec.vetoes
        ],
        "caps": [
            {
                "code": c.code,
                "name": c.name,
                "kinds": list(c.kinds),
                "severities": list(c.severities),
                "window_days": c.window_days,
                "min_count": c.min_count,
                "max_grade": c.max_grade,
                "reason": c.reason,
            }
            for c in spec.caps
        ],
    }


def dump_spec(spec: ModelSpec) -> str:
    """YAML text that `load_spec` turns back into an equal spec."""
    return yaml.safe_dump(spec_to_data(spec), allow_unicode=True, sort_keys=False, width=100)


def _key(item: dict[str, Any]) -> str:
    return str(item.get("code") or item.get("grade") or "")


def _flatten(data: Any, prefix: str, out: dict[str, str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(data, list) and data and all(isinstance(x, dict) and _key(x) for x in data):
        # Lists of coded items (bands by grade) are matched by key, so reordering is not a change.
        for item in data:
            _flatten(item, f"{prefix}[{_key(item)}]", out)
    else:
        out[prefix] = json.dumps(data, ensure_ascii=False)


def spec_diff(a: ModelSpec, b: ModelSpec) -> list[str]:
    """Human-readable differences from `a` to `b`, one line per changed leaf (Chinese)."""
    left: dict[str, str] = {}
    right: dict[str, str] = {}
    _flatten(spec_to_data(a), "", left)
    _flatten(spec_to_data(b), "", right)
    lines: list[str] = []
    for key in sorted(set(left) | set(right)):
        if key not in right:
            lines.append(f"删除 {key}: {left[key]}")
        elif key not in left:
            lines.append(f"新增 {key}: {right[key]}")
        elif left[key] != right[key]:
            lines.append(f"修改 {key}: {left[key]} → {right[key]}")
    return lines
