"""The draw: who is inspected, for which items, by whom — from frozen inputs and a seed.

Inputs (all integers, strings, booleans; dates as ISO strings; ratios in basis points, 100 = 1%)::

    {"format": "parkcredit-draw/1", "plan": "2026-Q4", "as_of": "2026-11-01",
     "rules": {"ratios_bp": {"A": 100, "B": 200, "C": 1000, "D": 3000}, "ungraded_as": "B",
               "control_share_bp": 1000, "yearly_cap": 2, "exempt_tags": ["gazelle", "unicorn"],
               "tolerance_tags": ["new_economy"], "tolerance_months": 36, "inspectors_per_target": 2},
     "targets": [{"id": 7, "grade": "C", "tags": ["new_economy"], "founded_on": "2024-03-01",
                  "park_entry_on": "", "inspections_this_year": 0}],
     "items": [{"code": "fire-01", "department": "ghjsb", "key": true}],
     "inspectors": [{"id": 3, "department": "ghjsb", "qualifications": ["zhb"], "conflicts": [7]}]}

Steps (each department of the plan's items draws on its own stream, "targets/<department>"):

1. Targets leave the population, with the reason recorded: an exemption tag (免检免扰), a tolerance
   tag while within `tolerance_months` of the later of founding and park entry (包容期), or
   `inspections_this_year` already at the yearly cap.
2. Budget per grade g with N_g eligible targets: ceil(ratio_g * N_g). The risk-weighted part is
   ceil(ratio_g * N_g * (1 - control_share)) per grade, drawn uniformly within the grade; the rest
   of the budget is the control share, drawn uniformly from all remaining eligible targets
   regardless of grade (the baseline that measures whether risk weighting finds more).
3. A target drawn by several departments gets ONE joint visit with all their items (进一次门、查多项事).
4. Inspectors (stream "inspectors"; visits in a random order): never one with a conflict with the
   target (回避); every department of the visit covered by a qualified inspector; at least
   `inspectors_per_target`; each pick takes the least-loaded candidate, ties broken at random.
   A visit that cannot be staffed is kept and marked, never silently dropped or half-staffed.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from creditcore.supervision.canonical import inputs_hash, seed_hash, sm3_hex
from creditcore.supervision.prng import Sm3Stream

FORMAT = "parkcredit-draw/1"
RESULT_FORMAT = "parkcredit-draw-result/1"
GRADES = ("A", "B", "C", "D")
BP = 10_000
# Henan 2021 provincial draw by risk class: low 1%, medium 2%, mid-high 10%, high 30% (domain §1.2).
DEFAULT_RATIOS_BP: dict[str, int] = {"A": 100, "B": 200, "C": 1000, "D": 3000}
DEFAULT_RULES: dict[str, Any] = {
    "ratios_bp": DEFAULT_RATIOS_BP,
    "ungraded_as": "B",
    "control_share_bp": 1000,
    "yearly_cap": 2,
    "exempt_tags": ["gazelle", "unicorn"],
    "tolerance_tags": ["new_economy"],
    "tolerance_months": 36,
    "inspectors_per_target": 2,
}


class InputError(ValueError):
    """Inputs that do not describe a draw; `field` names the offending place."""

    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        super().__init__(f"{field_name}: {message}")


@dataclass(frozen=True)
class Visit:
    target: int
    departments: tuple[str, ...]
    items: tuple[str, ...]
    strata: dict[str, str]
    inspectors: tuple[int, ...]
    unstaffed: str = ""

    @property
    def stratum(self) -> str:
        """ "control" when any department drew the target in its purely random control share."""
        return "control" if "control" in self.strata.values() else "risk"

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "departments": list(self.departments),
            "items": list(self.items),
            "strata": dict(sorted(self.strata.items())),
            "stratum": self.stratum,
            "inspectors": list(self.inspectors),
            "unstaffed": self.unstaffed,
        }


@dataclass(frozen=True)
class DrawResult:
    visits: tuple[Visit, ...]
    excluded: tuple[dict[str, Any], ...]
    quotas: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": RESULT_FORMAT,
            "quotas": self.quotas,
            "visits": [v.as_dict() for v in self.visits],
            "excluded": list(self.excluded),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DrawResult:
        if not isinstance(data, dict) or data.get("format") != RESULT_FORMAT:
            raise InputError("result.format", f"抽取结果格式应为「{RESULT_FORMAT}」")
        visits = tuple(
            Visit(
                target=int(v["target"]),
                departments=tuple(v["departments"]),
                items=tuple(v["items"]),
                strata=dict(v["strata"]),
                inspectors=tuple(int(i) for i in v["inspectors"]),
                unstaffed=str(v.get("unstaffed", "")),
            )
            for v in data.get("visits", [])
        )
        return cls(visits, tuple(data.get("excluded", [])), dict(data.get("quotas", {})))

    def digest(self) -> str:
        return inputs_hash(self.as_dict())


def commitment_of(seed: str, inputs: dict[str, Any]) -> dict[str, str]:
    """The published commitment: SM3 of the seed, SM3 of the inputs, and SM3 of the two joined."""
    s_hash = seed_hash(seed)
    i_hash = inputs_hash(inputs)
    return {"seed_hash": s_hash, "inputs_hash": i_hash, "commitment": sm3_hex(f"{s_hash}:{i_hash}".encode())}


# --- validation ------------------------------------------------------------------------------


def _date(value: Any, where: str) -> date | None:
    if value in ("", None):
        return None
    if not isinstance(value, str):
        raise InputError(where, f"日期应为 YYYY-MM-DD 文字,收到「{value}」")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(where, f"「{value}」不是有效日期") from None


def _int(value: Any, where: str, low: int = 0, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(where, f"应为整数,收到「{value}」")
    if value < low or (high is not None and value > high):
        raise InputError(where, f"「{value}」超出允许范围 {low}–{high if high is not None else '∞'}")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(where, f"应为文字列表,收到「{value}」")
    return value


def validate_inputs(inputs: Any) -> None:
    """Raise InputError (Chinese message naming the field and value) unless `inputs` is a draw."""
    if not isinstance(inputs, dict):
        raise InputError("inputs", "应为 JSON 对象")
    if inputs.get("format") != FORMAT:
        raise InputError("format", f"格式应为「{FORMAT}」,收到「{inputs.get('format')}」")
    if _date(inputs.get("as_of"), "as_of") is None:
        raise InputError("as_of", "必须填写基准日期")
    rules = inputs.get("rules")
    if not isinstance(rules, dict):
        raise InputError("rules", "应为 JSON 对象")
    ratios = rules.get("ratios_bp")
    if not isinstance(ratios, dict) or set(ratios) != set(GRADES):
        raise InputError("rules.ratios_bp", f"应为 A/B/C/D 四个等级的抽查比例,收到「{ratios}」")
    for grade in GRADES:
        _int(ratios[grade], f"rules.ratios_bp.{grade}", 0, BP)
    if rules.get("ungraded_as") not in GRADES:
        raise InputError("rules.ungraded_as", f"应为 A/B/C/D 之一,收到「{rules.get('ungraded_as')}」")
    _int(rules.get("control_share_bp"), "rules.control_share_bp", 0, BP)
    _int(rules.get("yearly_cap"), "rules.yearly_cap", 1)
    _int(rules.get("tolerance_months"), "rules.tolerance_months", 0, 120)
    _int(rules.get("inspectors_per_target"), "rules.inspectors_per_target", 2, 10)
    _strings(rules.get("exempt_tags"), "rules.exempt_tags")
    _strings(rules.get("tolerance_tags"), "rules.tolerance_tags")
    for name in ("targets", "items", "inspectors"):
        if not isinstance(inputs.get(name), list):
            raise InputError(name, "应为列表")
    seen: set[int] = set()
    for n, target in enumerate(inputs["targets"]):
        where = f"targets[{n}]"
        if not isinstance(target, dict):
            raise InputError(where, "应为 JSON 对象")
        tid = _int(target.get("id"), f"{where}.id", 1)
        if tid in seen:
            raise InputError(f"{where}.id", f"检查对象编号「{tid}」重复")
        seen.add(tid)
        if target.get("grade") not in ("", *GRADES):
            raise InputError(f"{where}.grade", f"等级「{target.get('grade')}」无效")
        _strings(target.get("tags"), f"{where}.tags")
        _date(target.get("founded_on"), f"{where}.founded_on")
        _date(target.get("park_entry_on"), f"{where}.park_entry_on")
        _int(target.get("inspections_this_year"), f"{where}.inspections_this_year")
    codes: set[str] = set()
    for n, item in enumerate(inputs["items"]):
        where = f"items[{n}]"
        if not isinstance(item, dict) or not isinstance(item.get("code"), str) or not item["code"]:
            raise InputError(f"{where}.code", "检查事项编码必须填写")
        if item["code"] in codes:
            raise InputError(f"{where}.code", f"检查事项「{item['code']}」重复")
        codes.add(item["code"])
        if not isinstance(item.get("department"), str) or not item["department"]:
            raise InputError(f"{where}.department", "检查事项必须属于一个部门")
    ids: set[int] = set()
    for n, inspector in enumerate(inputs["inspectors"]):
        where = f"inspectors[{n}]"
        if not isinstance(inspector, dict):
            raise InputError(where, "应为 JSON 对象")
        iid = _int(inspector.get("id"), f"{where}.id", 1)
        if iid in ids:
            raise InputError(f"{where}.id", f"检查人员编号「{iid}」重复")
        ids.add(iid)
        if not isinstance(inspector.get("department"), str):
            raise InputError(f"{where}.department", "检查人员必须属于一个部门")
        _strings(inspector.get("qualifications"), f"{where}.qualifications")
        conflicts = inspector.get("conflicts")
        if not isinstance(conflicts, list):
            raise InputError(f"{where}.conflicts", f"应为检查对象编号列表,收到「{conflicts}」")
        for m, target_id in enumerate(conflicts):
            _int(target_id, f"{where}.conflicts[{m}]", 1)


# --- the draw --------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (29 Feb + 12 months = 28 Feb).

    Deliberately a copy of `creditcore.repair.add_months`, not an import: this rule is part of
    the published draw format and must never change with another feature's date rules, or
    replaying an old draw would give a different result.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def exclusion(target: dict[str, Any], rules: dict[str, Any], as_of: date) -> dict[str, Any] | None:
    """Why `target` is out of this draw's population, or None when it is in."""
    tags = set(target["tags"])
    exempt = sorted(tags & set(rules["exempt_tags"]))
    if exempt:
        return {"target": target["id"], "reason": "exempt", "detail": ",".join(exempt)}
    tolerant = sorted(tags & set(rules["tolerance_tags"]))
    if tolerant:
        starts = [
            d
            for d in (
                _date(target.get("founded_on"), "founded_on"),
                _date(target.get("park_entry_on"), "park_entry_on"),
            )
            if d is not None
        ]
        if starts:
            until = add_months(max(starts), rules["tolerance_months"])
            if as_of < until:
                return {"target": target["id"], "reason": "tolerance", "detail": until.isoformat()}
    if target["inspections_this_year"] >= rules["yearly_cap"]:
        return {"target": target["id"], "reason": "cap", "detail": str(target["inspections_this_year"])}
    return None


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _draw_department(
    seed: str, department: str, by_grade: dict[str, list[int]], rules: dict[str, Any]
) -> tuple[dict[int, str], dict[str, Any]]:
    stream = Sm3Stream(seed, f"targets/{department}")
    control_bp = rules["control_share_bp"]
    picked: dict[int, str] = {}
    quotas: dict[str, int] = {}
    budget = 0
    for grade in GRADES:
        ids = by_grade[grade]
        ratio = rules["ratios_bp"][grade]
        budget += _ceil_div(ratio * len(ids), BP)
        quota = _ceil_div(ratio * len(ids) * (BP - control_bp), BP * BP)
        quotas[grade] = quota
        for tid in stream.shuffled(ids)[:quota]:
            picked[tid] = "risk"
    rest = sorted(tid for grade in GRADES for tid in by_grade[grade] if tid not in picked)
    control = min(budget - sum(quotas.values()), len(rest))
    for tid in stream.shuffled(rest)[:control]:
        picked[tid] = "control"
    summary = {
        "eligible": {g: len(by_grade[g]) for g in GRADES},
        "risk": quotas,
        "control": control,
        "budget": budget,
    }
    return picked, summary


def _qualified(inspector: dict[str, Any], department: str) -> bool:
    return inspector["department"] == department or department in inspector["qualifications"]


def _pick(
    pool: list[dict[str, Any]], chosen: list[dict[str, Any]], load: dict[int, int], rank: dict[int, int]
) -> dict[str, Any] | None:
    """The least-loaded inspector of `pool` not yet chosen; ties go to the random rank."""
    free = [c for c in pool if c not in chosen]
    return min(free, key=lambda c: (load[c["id"]], rank[c["id"]])) if free else None


def _staff(
    visits: dict[int, dict[str, str]], inputs: dict[str, Any], seed: str
) -> dict[int, tuple[tuple[int, ...], str]]:
    rules = inputs["rules"]
    need = rules["inspectors_per_target"]
    inspectors = sorted(inputs["inspectors"], key=lambda i: i["id"])
    conflicts = {i["id"]: set(i["conflicts"]) for i in inspectors}
    load = {i["id"]: 0 for i in inspectors}
    stream = Sm3Stream(seed, "inspectors")
    out: dict[int, tuple[tuple[int, ...], str]] = {}
    for target in stream.shuffled(sorted(visits)):
        departments = sorted(visits[target])
        candidates = [
            i
            for i in inspectors
            if target not in conflicts[i["id"]] and any(_qualified(i, d) for d in departments)
        ]
        rank = {iid: n for n, iid in enumerate(stream.shuffled([c["id"] for c in candidates]))}
        chosen: list[dict[str, Any]] = []
        problem = ""

        for department in departments:
            if any(_qualified(c, department) for c in chosen):
                continue
            found = _pick([c for c in candidates if _qualified(c, department)], chosen, load, rank)
            if found is None:
                problem = f"部门「{department}」没有无回避情形的合格检查人员"
                break
            chosen.append(found)
        while not problem and len(chosen) < need:
            found = _pick(candidates, chosen, load, rank)
            if found is None:
                problem = f"无回避情形的合格检查人员不足 {need} 名"
                break
            chosen.append(found)
        if problem:
            out[target] = ((), problem)
            continue
        for c in chosen:
            load[c["id"]] += 1
        out[target] = (tuple(sorted(c["id"] for c in chosen)), "")
    return out


def draw(inputs: dict[str, Any], seed: str) -> DrawResult:
    """Run the draw; the same inputs and seed always give the same result, on any machine."""
    validate_inputs(inputs)
    if not isinstance(seed, str) or not seed or not seed.isascii():
        raise InputError("seed", "随机种子应为非空的 ASCII 文字(通常为 64 位十六进制)")
    rules = inputs["rules"]
    as_of = date.fromisoformat(inputs["as_of"])
    excluded: list[dict[str, Any]] = []
    by_grade: dict[str, list[int]] = {g: [] for g in GRADES}
    for target in sorted(inputs["targets"], key=lambda t: t["id"]):
        reason = exclusion(target, rules, as_of)
        if reason is not None:
            excluded.append(reason)
            continue
        by_grade[target["grade"] or rules["ungraded_as"]].append(target["id"])
    items_by_department: dict[str, list[str]] = {}
    for item in inputs["items"]:
        items_by_department.setdefault(item["department"], []).append(item["code"])
    strata: dict[int, dict[str, str]] = {}
    quotas: dict[str, dict[str, Any]] = {}
    for department in sorted(items_by_department):
        picked, quotas[department] = _draw_department(seed, department, by_grade, rules)
        for tid, stratum in picked.items():
            strata.setdefault(tid, {})[department] = stratum
    staffing = _staff(strata, inputs, seed)
    visits = tuple(
        Visit(
            target=tid,
            departments=tuple(sorted(strata[tid])),
            items=tuple(sorted(code for d in strata[tid] for code in items_by_department[d])),
            strata=dict(sorted(strata[tid].items())),
            inspectors=staffing[tid][0],
            unstaffed=staffing[tid][1],
        )
        for tid in sorted(strata)
    )
    return DrawResult(visits, tuple(excluded), quotas)
