"""Alert rules as data: a family (what is checked), its parameters (thresholds) and a severity.

Park staff configure rules; each family declares its parameters with defaults and bounds, and
`validate_params` turns staff input into clean values or raises `RuleError` naming the parameter
and the value. The families themselves live in `creditcore.alerts.families`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from creditcore.alerts.regions import (
    DEFAULT_ALERTS_PER_100,
    DEFAULT_CD_SHARE,
    DEFAULT_MIN_ENTERPRISES,
    DEFAULT_VS_PARK,
    LEVEL_LABELS,
    NO_VS_PARK,
    REGION_LEVELS,
)

SEVERITIES = ("info", "warning", "critical")
SEVERITY_LABELS = {"info": "提示", "warning": "警告", "critical": "严重"}
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


class RuleError(ValueError):
    """A rule's family or parameter is invalid; the message names it in Chinese."""


@dataclass(frozen=True)
class Param:
    """One tunable threshold of a family: an int, a float or a tuple of codes.

    `default` is what a new rule gets (and what input that leaves the parameter out means);
    `absent`, when set, is what a *stored* rule without the parameter means: a parameter added
    later keeps the rules saved before it working as they did, rather than changing them silently.
    """

    name: str
    label: str
    kind: type  # int, float or tuple
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    absent: Any = None


@dataclass(frozen=True)
class Family:
    code: str
    label: str
    dimension: str  # subject, chain or region (one family each for chain and region)
    description: str
    params: tuple[Param, ...]
    default_severity: str = "warning"

    def defaults(self) -> dict[str, Any]:
        return {p.name: (list(p.default) if p.kind is tuple else p.default) for p in self.params}

    def resolve(self, stored: Mapping[str, Any]) -> dict[str, Any]:
        """A stored rule's parameter values: its own, and for each one it lacks the value that meant
        when it was saved (`Param.absent`, else the default)."""
        missing = {p.name: p.absent for p in self.params if p.absent is not None}
        return self.defaults() | missing | dict(stored)


@dataclass(frozen=True)
class RuleSpec:
    """A configured rule: a stable `code` (one open alert per code and enterprise), a family, params."""

    code: str
    family: str
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: str = "warning"
    name: str = ""

    def param(self, name: str) -> Any:
        return FAMILIES[self.family].resolve(self.params)[name]


RELATION_CODES = ("supplier", "customer", "guarantor", "shared_controller", "shared_premises")
METRIC_CHOICES = ("electricity", "output_value", "sales_revenue", "tax_paid", "water", "gas")
BILL_CHOICES = ("rent_bill", "fee_bill")

# Default thresholds were tuned on a synthetic park of another seed than the one the benchmark
# reports (docs/alerts.md): recall of next-quarter serious events against alert volume.
FAMILIES: dict[str, Family] = {
    f.code: f
    for f in (
        Family(
            "serious_record",
            "新增严重失信记录",
            "subject",
            "近期新增的严重程度为“严重”的负面记录(行政处罚、严重失信名单等)。",
            (Param("lookback_days", "回看天数", int, 90, 1, 366),),
            "critical",
        ),
        Family(
            "court_defaulter",
            "列为失信被执行人",
            "subject",
            "近期新增的失信被执行人记录。",
            (Param("lookback_days", "回看天数", int, 90, 1, 366),),
            "critical",
        ),
        Family(
            "repeated_penalties",
            "短期内多次受罚",
            "subject",
            "时间窗口内有效的行政处罚(及其他负面记录类型)达到次数。",
            (
                Param("window_days", "时间窗口(天)", int, 365, 30, 1096),
                Param("min_count", "最少次数", int, 2, 2, 50),
                Param("kinds", "记录类型", tuple, ("penalty",)),
            ),
        ),
        Family(
            "arrears",
            "房租物业费欠缴",
            "subject",
            "逾期超过规定天数的房租、物业费账单:至今未结清的(不论多久以前到期),"
            "以及近几个月内到期、结清时已逾期超过规定天数的。",
            (
                Param("min_days", "逾期天数", int, 15, 1, 720),
                Param("min_bills", "最少账单数", int, 3, 1, 36),
                Param("window_months", "回看月数", int, 12, 1, 36),
                Param("metrics", "账单类型", tuple, BILL_CHOICES, choices=BILL_CHOICES),
            ),
        ),
        Family(
            "activity_drop",
            "用电或产值骤降",
            "subject",
            "最近几个月的用电量或产值与上年同期相比下降超过比例(同比,剔除季节性)。",
            (
                Param("recent_months", "比较月数", int, 6, 1, 12),
                Param("drop", "下降比例", float, 0.5, 0.05, 0.95),
                Param("metrics", "指标", tuple, ("electricity", "output_value"), choices=METRIC_CHOICES),
            ),
            "info",
        ),
        Family(
            "overdue_rectification",
            "安全隐患逾期未整改",
            "subject",
            "近几个月的安全检查问题超过整改期限(加宽限天数)仍未整改,或整改时已超期。",
            (
                Param("grace_days", "宽限天数", int, 0, 0, 365),
                Param("min_items", "最少问题数", int, 5, 1, 100),
                Param("window_months", "回看月数", int, 12, 1, 36),
            ),
        ),
        Family(
            "grade_downgrade",
            "信用等级下调",
            "subject",
            "最近一次评分的等级比上一次差,且落入指定等级。",
            (
                Param("min_steps", "至少下调级数", int, 1, 1, 3),
                Param("to_grades", "落入等级", tuple, ("C", "D"), choices=("A", "B", "C", "D")),
            ),
        ),
        Family(
            "commitment_breach",
            "违反信用承诺",
            "subject",
            "近期新增的违反信用承诺记录或承诺履约状态变为未履行。",
            (Param("lookback_days", "回看天数", int, 30, 1, 366),),
        ),
        Family(
            "chain",
            "关联方风险传导",
            "chain",
            "高度依赖(供应商、客户、担保、同一实际控制人)出现风险的关联方;按依赖度加权传导,给出传导路径。",
            (
                Param("threshold", "预警阈值", float, 0.6, 0.01, 1.0),
                Param("hops", "最多传导层数", int, 2, 1, 4),
                Param("decay", "每层衰减", float, 0.8, 0.1, 1.0),
                Param("seed_min_severity", "风险源最低级别", tuple, ("critical",), choices=SEVERITIES),
            ),
        ),
        Family(
            "region",
            "区域风险聚集",
            "region",
            "片区、地块、楼宇、行业或产业集群中 C/D 级企业占比或每百家企业的未关闭预警数达到阈值,"
            "且不低于全园同一指标的“高于全园倍数”倍(倍数为 1 时不与全园比较);"
            "C/D 级占比只看已评级企业不少于最少企业数的区域,预警密度只看企业数不少于最少企业数的区域。",
            (
                Param("levels", "区域层级", tuple, REGION_LEVELS, choices=REGION_LEVELS),
                Param("cd_share", "C/D 级占比阈值(0.01–1)", float, DEFAULT_CD_SHARE, 0.01, 1.0),
                Param("alerts_per_100", "每百家企业预警数阈值", float, DEFAULT_ALERTS_PER_100, 1.0, 500.0),
                Param("min_enterprises", "最少企业数", int, DEFAULT_MIN_ENTERPRISES, 1, 100_000),
                # Rules stored before this parameter existed compare with absolute thresholds only.
                Param("vs_park", "高于全园倍数(1–10)", float, DEFAULT_VS_PARK, 1.0, 10.0, absent=NO_VS_PARK),
            ),
        ),
    )
}

# Grades from best to worst.
GRADE_ORDER = {"A": 0, "B": 1, "C": 2, "D": 3}


def validate_params(family_code: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Clean staff input for a family's parameters; unknown names and bad values are refused."""
    family = FAMILIES.get(family_code)
    if family is None:
        raise RuleError(f"规则类型 {family_code!r} 不存在")
    known = {p.name: p for p in family.params}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise RuleError(f"规则类型“{family.label}”没有参数 {', '.join(unknown)}")
    clean = family.defaults()
    for name, value in raw.items():
        clean[name] = _coerce(family, known[name], value)
    return clean


def _coerce(family: Family, param: Param, value: Any) -> Any:
    where = f"参数“{param.label}”({param.name})"
    if param.kind is tuple:
        items = value.replace(",", ",").split(",") if isinstance(value, str) else list(value or ())
        codes = [str(v).strip() for v in items if str(v).strip()]
        if not codes:
            raise RuleError(f"{where}不能为空")
        bad = [c for c in codes if param.choices and c not in param.choices]
        if bad:
            raise RuleError(f"{where}的值 {', '.join(bad)} 无效,可选:{', '.join(param.choices)}")
        return codes
    try:
        number = param.kind(value)
        if param.kind is int and isinstance(value, float) and not value.is_integer():
            raise ValueError
    except (TypeError, ValueError):
        kind = "整数" if param.kind is int else "数字"
        raise RuleError(f"{where}的值 {value!r} 不是{kind}") from None
    if (param.low is not None and number < param.low) or (param.high is not None and number > param.high):
        raise RuleError(f"{where}的值 {value} 超出范围 {param.low}–{param.high}")
    return number


def default_rules() -> list[RuleSpec]:
    """What a new park starts with: one rule per family with the default thresholds, except regions:
    one region rule per level (`region_zone`, `region_building`…), so each level's thresholds can
    be set on its own."""
    rules = []
    for f in FAMILIES.values():
        if f.code != "region":
            rules.append(
                RuleSpec(
                    code=f.code, family=f.code, params=f.defaults(), severity=f.default_severity, name=f.label
                )
            )
            continue
        for level in REGION_LEVELS:
            rules.append(
                RuleSpec(
                    code=f"region_{level}",
                    family=f.code,
                    params=f.defaults() | {"levels": [level]},
                    severity=f.default_severity,
                    name=f"{LEVEL_LABELS[level]}风险聚集",
                )
            )
    return rules
