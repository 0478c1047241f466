"""Spec validation: JSON Schema first, then the semantic checks, each problem with its path.

Paths look like "dimensions[2].indicators[0].kinds[1]"; messages are Chinese, for staff who edit
model drafts.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

import jsonschema

from creditcore.catalogue import KINDS_BY_CODE, METRICS_BY_CODE
from creditcore.scoring.spec import (
    AGGREGATES_BY_SOURCE,
    BILL_AGGREGATES,
    SCHEMA_PATH,
    SCORE_MAX,
    SCORE_MIN,
    Band,
    Cap,
    CappedLinear,
    Dimension,
    Indicator,
    Missing,
    ModelSpec,
    Piecewise,
    PointsMap,
    SpecError,
    SpecProblem,
    Veto,
)

GRADE_ORDER = ("A", "B", "C", "D")


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def format_path(parts: Iterable[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _schema_message(error: jsonschema.ValidationError) -> str:
    kind = error.validator
    value = json.dumps(error.instance, ensure_ascii=False, default=str)
    if len(value) > 60:
        value = value[:57] + "..."
    if kind == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return f"缺少必填项:{'、'.join(missing)}"
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"不认识的配置项:{'、'.join(extra)}"
    if kind == "enum":
        allowed = "、".join(json.dumps(v, ensure_ascii=False) for v in error.validator_value)
        return f"取值 {value} 无效,可选值:{allowed}"
    if kind == "type":
        names = {
            "string": "文本",
            "integer": "整数",
            "number": "数字",
            "array": "列表",
            "object": "映射",
            "null": "空值",
            "boolean": "布尔值",
        }
        wanted = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"取值 {value} 的类型不对,应为{'或'.join(names.get(str(w), str(w)) for w in wanted)}"
    if kind == "pattern":
        return f"取值 {value} 格式不对:只能用小写字母、数字和下划线,并以字母开头"
    if kind in ("minItems", "minLength"):
        return f"取值 {value} 不能为空"
    if kind in ("maxItems", "maxLength"):
        return f"取值 {value} 过长"
    if kind == "minimum":
        return f"取值 {value} 不能小于 {error.validator_value}"
    if kind == "maximum":
        return f"取值 {value} 不能大于 {error.validator_value}"
    if kind == "oneOf":
        return "分值映射应为 piecewise(分段表)或 linear(截断线性)之一,且格式正确"
    return f"取值 {value} 不符合要求({kind})"  # pragma: no cover - every validator used is named above


def schema_problems(data: Any) -> list[SpecProblem]:
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [SpecProblem(format_path(e.absolute_path), _schema_message(e)) for e in errors]


def _points(data: dict[str, Any]) -> PointsMap:
    if "piecewise" in data:
        return Piecewise(tuple((None if b is None else float(b), float(p)) for b, p in data["piecewise"]))
    lin = data["linear"]
    return CappedLinear(float(lin["intercept"]), float(lin["slope"]), float(lin["min"]), float(lin["max"]))


def _indicator(data: dict[str, Any], dimension: str) -> Indicator:
    missing = data.get("missing", {"rule": "neutral"})
    return Indicator(
        code=data["code"],
        name=data["name"],
        dimension=dimension,
        source=data["source"],
        aggregate=data["aggregate"],
        points=_points(data["points"]),
        max_points=int(data["max_points"]),
        kinds=tuple(data.get("kinds", ())),
        metric=data.get("metric", ""),
        polarity=data.get("polarity"),
        severities=tuple(data.get("severities", ())),
        window_days=int(data.get("window_days", 365)),
        half_life_days=data.get("half_life_days"),
        missing=Missing(missing["rule"], float(missing.get("points", 0.0))),
        explanation=data.get("explanation", ""),
        basis=data.get("basis", ""),
        denominator_metric=data.get("denominator_metric", ""),
        recent_days=data.get("recent_days"),
        threshold=float(data.get("threshold", 0.0)),
        tag=data.get("tag", ""),
        value_map=tuple((str(k), float(v)) for k, v in data.get("value_map", {}).items()),
    )


def _spec(data: dict[str, Any]) -> ModelSpec:
    return ModelSpec(
        code=data["code"],
        name=data["name"],
        version=str(data["version"]),
        description=data.get("description", ""),
        base_score=int(data["base_score"]),
        dimensions=tuple(
            Dimension(
                code=d["code"],
                name=d["name"],
                description=d.get("description", ""),
                indicators=tuple(_indicator(i, d["code"]) for i in d["indicators"]),
            )
            for d in data["dimensions"]
        ),
        vetoes=tuple(
            Veto(v["code"], v["name"], tuple(v["kinds"]), v.get("severity", ""), v.get("reason", ""))
            for v in data.get("vetoes", ())
        ),
        caps=tuple(
            Cap(
                code=c["code"],
                name=c["name"],
                kinds=tuple(c["kinds"]),
                max_grade=c["max_grade"],
                severities=tuple(c.get("severities", ())),
                window_days=int(c.get("window_days", 365)),
                min_count=int(c.get("min_count", 1)),
                reason=c.get("reason", ""),
            )
            for c in data.get("caps", ())
        ),
        bands=tuple(
            Band(b["grade"], int(b["min_score"]), int(b["max_score"]), b["colour"], b.get("label", ""))
            for b in data["bands"]
        ),
    )


def _kind_problems(kinds: Sequence[str], path: str) -> list[SpecProblem]:
    return [
        SpecProblem(f"{path}.kinds[{i}]", f"未知的记录类型「{kind}」(不在信息资源目录中)")
        for i, kind in enumerate(kinds)
        if kind not in KINDS_BY_CODE
    ]


def _points_problems(ind: Indicator, path: str) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    pts = ind.points
    if isinstance(pts, Piecewise):
        bounds = [b for b, _ in pts.breaks]
        if bounds[-1] is not None:
            problems.append(
                SpecProblem(
                    f"{path}.points.piecewise[{len(bounds) - 1}]",
                    "分段表最后一段的上界必须为空(null),以覆盖所有取值",
                )
            )
        for i in range(1, len(bounds)):
            prev, cur = bounds[i - 1], bounds[i]
            if prev is None or (cur is not None and cur <= prev):
                problems.append(
                    SpecProblem(
                        f"{path}.points.piecewise[{i}]",
                        f"分段表的上界必须严格递增(第 {i} 段与第 {i + 1} 段顺序不对)",
                    )
                )
    elif pts.min_points > pts.max_points:
        problems.append(SpecProblem(f"{path}.points.linear", "截断线性映射的最低分不能高于最高分"))
    if pts.lowest < 0:
        problems.append(SpecProblem(f"{path}.points", f"得分不能为负(最低 {pts.lowest:g} 分)"))
    if pts.highest != ind.max_points:
        problems.append(
            SpecProblem(
                f"{path}.points",
                f"分值映射的最高分 {pts.highest:g} 与满分 max_points={ind.max_points} 不一致",
            )
        )
    if ind.missing.rule == "points" and not 0 <= ind.missing.points <= ind.max_points:
        problems.append(
            SpecProblem(
                f"{path}.missing.points",
                f"缺失数据得分 {ind.missing.points:g} 应在 0 到 {ind.max_points} 之间",
            )
        )
    return problems


def _indicator_problems(ind: Indicator, path: str) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    if ind.aggregate not in AGGREGATES_BY_SOURCE[ind.source]:
        problems.append(
            SpecProblem(
                f"{path}.aggregate", f"数据来源为 {ind.source} 的指标不能使用聚合方式「{ind.aggregate}」"
            )
        )
    if ind.source == "records":
        if not ind.kinds:
            problems.append(SpecProblem(f"{path}.kinds", "基于信用记录的指标必须列出记录类型"))
        problems += _kind_problems(ind.kinds, path)
    if ind.source == "observations":
        if ind.metric not in METRICS_BY_CODE:
            problems.append(SpecProblem(f"{path}.metric", f"未知的观测指标「{ind.metric}」"))
        elif ind.aggregate in BILL_AGGREGATES and not METRICS_BY_CODE[ind.metric].is_bill:
            problems.append(
                SpecProblem(
                    f"{path}.metric", f"「{ind.aggregate}」只适用于带到期日的账单类指标,「{ind.metric}」不是"
                )
            )
        if ind.aggregate == "ratio" and ind.denominator_metric not in METRICS_BY_CODE:
            problems.append(
                SpecProblem(f"{path}.denominator_metric", f"未知的观测指标「{ind.denominator_metric}」")
            )
        if ind.aggregate == "trend" and (ind.recent_days is None or ind.recent_days >= ind.window_days):
            problems.append(
                SpecProblem(f"{path}.recent_days", "趋势指标需要 recent_days,且必须小于 window_days")
            )
    if ind.aggregate in ("decayed_count", "decayed_sum") and ind.half_life_days is None:
        problems.append(SpecProblem(f"{path}.half_life_days", "时间衰减聚合需要半衰期 half_life_days"))
    if ind.aggregate == "has_tag" and not ind.tag:
        problems.append(SpecProblem(f"{path}.tag", "标签指标需要填写标签名称 tag"))
    if ind.aggregate == "latest_mapped" and not ind.value_map:
        problems.append(SpecProblem(f"{path}.value_map", "latest_mapped 聚合需要结果取值表 value_map"))
    return problems + _points_problems(ind, path)


def _band_problems(bands: Sequence[Band]) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    seen: dict[str, int] = {}
    for i, band in enumerate(bands):
        if band.grade in seen:
            problems.append(
                SpecProblem(
                    f"bands[{i}].grade", f"等级「{band.grade}」重复(与 bands[{seen[band.grade]}] 相同)"
                )
            )
        seen.setdefault(band.grade, i)
        if band.min_score > band.max_score:
            problems.append(
                SpecProblem(
                    f"bands[{i}]",
                    f"等级「{band.grade}」的最低分 {band.min_score} 高于最高分 {band.max_score}",
                )
            )
    order = sorted(range(len(bands)), key=lambda i: (bands[i].min_score, bands[i].max_score))
    if bands[order[0]].min_score != SCORE_MIN:
        problems.append(SpecProblem(f"bands[{order[0]}].min_score", f"等级区间必须从 {SCORE_MIN} 分开始"))
    if bands[order[-1]].max_score != SCORE_MAX:
        problems.append(SpecProblem(f"bands[{order[-1]}].max_score", f"等级区间必须到 {SCORE_MAX} 分为止"))
    for lo, hi in itertools.pairwise(order):
        expected = bands[lo].max_score + 1
        if bands[hi].min_score < expected:
            problems.append(
                SpecProblem(
                    f"bands[{hi}].min_score",
                    f"等级「{bands[hi].grade}」与「{bands[lo].grade}」的分数区间重叠",
                )
            )
        elif bands[hi].min_score > expected:
            problems.append(
                SpecProblem(
                    f"bands[{hi}].min_score",
                    f"等级「{bands[lo].grade}」与「{bands[hi].grade}」之间有空档:"
                    f"{expected}–{bands[hi].min_score - 1} 分不属于任何等级",
                )
            )
    grades_desc = [bands[i].grade for i in reversed(order)]
    if len(set(grades_desc)) == len(grades_desc) and grades_desc != sorted(
        grades_desc, key=GRADE_ORDER.index
    ):
        problems.append(SpecProblem("bands", "等级顺序不对:分数越高等级应越好(A 最高,D 最低)"))
    return problems


def _duplicate_problems(items: Sequence[Any], path: str, what: str) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    first: dict[str, str] = {}
    for i, item in enumerate(items):
        here = f"{path}[{i}].code" if not isinstance(item, tuple) else item[1]
        code = item.code if not isinstance(item, tuple) else item[0]
        if code in first:
            problems.append(SpecProblem(here, f"{what}代码「{code}」重复(已用于 {first[code]})"))
        else:
            first[code] = here
    return problems


def semantic_problems(spec: ModelSpec) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    problems += _duplicate_problems(spec.dimensions, "dimensions", "维度")
    located = [
        (ind.code, f"dimensions[{d}].indicators[{i}].code")
        for d, dim in enumerate(spec.dimensions)
        for i, ind in enumerate(dim.indicators)
    ]
    problems += _duplicate_problems(located, "", "指标")
    problems += _duplicate_problems(spec.vetoes, "vetoes", "否决项")
    problems += _duplicate_problems(spec.caps, "caps", "封顶项")
    for d, dim in enumerate(spec.dimensions):
        for i, ind in enumerate(dim.indicators):
            problems += _indicator_problems(ind, f"dimensions[{d}].indicators[{i}]")
    for v, veto in enumerate(spec.vetoes):
        problems += _kind_problems(veto.kinds, f"vetoes[{v}]")
    grades = {band.grade for band in spec.bands}
    for c, cap in enumerate(spec.caps):
        problems += _kind_problems(cap.kinds, f"caps[{c}]")
        if cap.max_grade not in grades:
            problems.append(SpecProblem(f"caps[{c}].max_grade", f"等级「{cap.max_grade}」未在 bands 中定义"))
    problems += _band_problems(spec.bands)
    total = spec.base_score + sum(ind.max_points for ind in spec.indicators)
    if total != SCORE_MAX:
        detail = "、".join(f"{dim.name} {dim.max_points}" for dim in spec.dimensions)
        problems.append(
            SpecProblem(
                "dimensions",
                f"分值合计不等于 {SCORE_MAX}:基础分 {spec.base_score} + 各维度满分({detail})= {total}",
            )
        )
    return problems


def build_spec(data: Any) -> ModelSpec:
    """Validate plain data (parsed YAML) and build the spec, or raise SpecError with every problem."""
    problems = schema_problems(data)
    if problems:
        raise SpecError(problems)
    spec = _spec(data)
    problems = semantic_problems(spec)
    if problems:
        raise SpecError(problems)
    return spec
