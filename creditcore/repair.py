"""Credit repair rules (信用修复规则) as versioned data, and `explain` for one record.

"失信之时即知修复之时": from a record's kind, severity, decision date (and penalty type) this
module says whether the information is published, when its publicity ends, from when it can be
repaired, what the applicant must bring and which rule says so.

Rules live in rule sets keyed by effective date (`creditcore.repair_rules` holds the built-in
ones; staff-approved versions come from the database). The set in force on the day a record is
handled (`on`) applies. For a record decided before a set's effective date and handled after it,
the set's `transition` decides:

- "handling": the set in force on the handling day, periods still counted from the decision;
- "decision": the set in force on the decision day;
- "favourable": both are computed and the one better for the enterprise is used (earlier end of
  publicity first, then earlier repair). The 2026-04-01 set uses this: Order 36 replaces Order 58
  from that day, the transitional clause was not available (domain reference §0, gaps 3), and a
  new rule does not reach back to the detriment of the party (法不溯及既往,有利于当事人的除外).

Periods count in calendar months from the decision date (a day that does not exist in the target
month falls back to the month's last day). A record with several penalty types (e.g. 罚款;责令停产停业)
takes the longest period of any of them, and early repair only when every type allows it.
"""

from __future__ import annotations

import calendar as _calendar
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema

from creditcore.catalogue import KINDS_BY_CODE, Polarity, Severity

SEVERITY_LABELS = {"minor": "轻微", "general": "一般", "serious": "严重"}
TRANSITIONS = ("favourable", "handling", "decision")
ANY = "*"

RULE_SET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["code", "name", "effective_from", "citation", "rules"],
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string", "minLength": 1, "maxLength": 64},
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "effective_from": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "citation": {"type": "string", "minLength": 1},
        "transition": {"enum": list(TRANSITIONS)},
        "deadlines": {
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 366},
        },
        "materials": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string", "minLength": 1}},
        },
        "rules": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": [
                    "kind",
                    "severity",
                    "published",
                    "min_months",
                    "max_months",
                    "early_repair",
                    "rule",
                ],
                "additionalProperties": False,
                "properties": {
                    "kind": {"type": "string", "minLength": 1, "maxLength": 64},
                    "severity": {"enum": ["minor", "general", "serious", ANY]},
                    "penalty_types": {"type": "array", "items": {"type": "string", "minLength": 1}},
                    "published": {"type": "boolean"},
                    "min_months": {"type": "integer", "minimum": 0, "maximum": 600},
                    "max_months": {"type": ["integer", "null"], "minimum": 0, "maximum": 600},
                    "early_repair": {"type": "boolean"},
                    "materials": {
                        "oneOf": [
                            {"type": "string"},
                            {"type": "array", "items": {"type": "string", "minLength": 1}},
                        ]
                    },
                    "rule": {"type": "string", "minLength": 1},
                },
            },
        },
    },
}


SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today's date in China, the day the rules count in."""
    return datetime.now(SHANGHAI).date()


class RuleError(ValueError):
    """Bad rule data or a question the rules cannot answer; the message is Chinese and names the value."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of a rule set: a kind and severity (or "*"), optionally narrowed to penalty types."""

    kind: str
    severity: str
    published: bool
    min_months: int
    max_months: int | None
    early_repair: bool
    materials: tuple[str, ...]
    rule: str
    penalty_types: tuple[str, ...] = ()

    def matches_type(self, penalty_type: str) -> bool:
        return any(keyword in penalty_type for keyword in self.penalty_types)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """One regime: its rules, effective date, citation, transition policy and procedure deadlines."""

    code: str
    name: str
    effective_from: date
    citation: str
    rules: tuple[Rule, ...]
    transition: str = "handling"
    deadlines: Mapping[str, int] = field(default_factory=dict)

    def kinds(self) -> frozenset[str]:
        return frozenset(rule.kind for rule in self.rules)

    @property
    def deadline_items(self) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(self.deadlines.items()))


@dataclass(frozen=True, slots=True)
class RepairExplanation:
    """What the rules say about one record handled on `on`.

    `repairable` is whether the rule allows repair before publicity ends at all; `repairable_on`
    says whether an application can be made on a given day. `publicity_end` is the day publicity
    (or, for unpublished information, use) stops; None means until the listing body removes it.
    """

    published: bool
    publicity_end: date | None
    earliest_repair: date | None
    repairable: bool
    rule: str
    materials: tuple[str, ...]
    min_months: int
    max_months: int | None
    kind: str = ""
    severity: str = ""
    decided: date | None = None
    on: date | None = None
    rule_set: str = ""
    effective_from: date | None = None
    deadlines: tuple[tuple[str, int], ...] = ()
    transition_note: str = ""

    def ended(self, on: date | None = None) -> bool:
        """True when publicity is over on `on` (default: the handling day)."""
        day = on or self.on or today()
        return self.publicity_end is not None and day >= self.publicity_end

    def repairable_on(self, on: date | None = None) -> bool:
        """True when an application for early repair can be made on `on`."""
        day = on or self.on or today()
        if not self.repairable or self.earliest_repair is None or self.ended(day):
            return False
        return day >= self.earliest_repair

    def as_json(self) -> dict[str, Any]:
        """The CLI's JSON object: the five contract keys first, then the details."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, date):
                data[key] = value.isoformat()
        data["materials"] = list(self.materials)
        data["deadlines"] = dict(self.deadlines)
        head = {
            key: data.pop(key)
            for key in ("published", "publicity_end", "earliest_repair", "repairable", "rule")
        }
        return {**head, **data}


# --- loading and validating rule data ---------------------------------------------------------


def _parse_day(text: str, *, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RuleError(f"{where}的日期「{text}」无效,应为 YYYY-MM-DD") from None


def rule_set_from_data(data: Mapping[str, Any], *, known_kinds: Iterable[str] | None = None) -> RuleSet:
    """Validate one rule set in its JSON shape and build it; RuleError names the first problem.

    `known_kinds` (default: the catalogue's negative kinds) are the kind codes a rule may name.
    """
    try:
        jsonschema.validate(dict(data), RULE_SET_SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(part) for part in exc.absolute_path) or "规则集"
        raise RuleError(f"规则数据「{where}」不符合格式:{exc.message}") from None
    kinds = frozenset(known_kinds) if known_kinds is not None else NEGATIVE_KINDS
    named: Mapping[str, list[str]] = data.get("materials", {})
    rules: list[Rule] = []
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    for index, row in enumerate(data["rules"], start=1):
        where = f"第{index}条规则"
        if row["kind"] not in kinds:
            raise RuleError(f"{where}的记录类型「{row['kind']}」不是目录中的失信信息类型")
        spec = KINDS_BY_CODE.get(row["kind"])
        if spec is not None and row["severity"] != ANY and row["severity"] not in spec.severities:
            raise RuleError(
                f"{where}:「{spec.name}」没有「{SEVERITY_LABELS[row['severity']]}」程度,"
                f"可选:{'、'.join(SEVERITY_LABELS[s] for s in spec.severities)}"
            )
        if row["max_months"] is not None and row["max_months"] < row["min_months"]:
            raise RuleError(
                f"{where}:最长公示期 {row['max_months']} 个月短于最短公示期 {row['min_months']} 个月"
            )
        materials = row.get("materials", [])
        if isinstance(materials, str):
            if materials not in named:
                raise RuleError(f"{where}引用的材料清单「{materials}」未定义")
            materials = named[materials]
        key = (row["kind"], row["severity"], tuple(sorted(row.get("penalty_types", []))))
        if key in seen:
            raise RuleError(f"{where}与前面的规则重复(类型「{row['kind']}」、程度「{row['severity']}」)")
        seen.add(key)
        rules.append(
            Rule(
                kind=row["kind"],
                severity=row["severity"],
                published=row["published"],
                min_months=row["min_months"],
                max_months=row["max_months"],
                early_repair=row["early_repair"],
                materials=tuple(materials),
                rule=row["rule"],
                penalty_types=tuple(row.get("penalty_types", [])),
            )
        )
    return RuleSet(
        code=data["code"],
        name=data["name"],
        effective_from=_parse_day(data["effective_from"], where="生效日期"),
        citation=data["citation"],
        rules=tuple(rules),
        transition=data.get("transition", "handling"),
        deadlines=dict(data.get("deadlines", {})),
    )


def rule_set_to_json(data: Mapping[str, Any]) -> str:
    """The rule set as the pretty JSON staff edit (stable key order, Chinese kept readable)."""
    return json.dumps(data, ensure_ascii=False, indent=2)


NEGATIVE_KINDS: frozenset[str] = frozenset(
    kind.code for kind in KINDS_BY_CODE.values() if kind.polarity is Polarity.NEGATIVE
)


class RuleBook:
    """All rule sets, ordered by effective date; `in_force(day)` is the one that applies on a day."""

    def __init__(self, rule_sets: Sequence[RuleSet]) -> None:
        if not rule_sets:
            raise RuleError("至少需要一个修复规则集")
        by_date: dict[date, RuleSet] = {}
        for rule_set in rule_sets:
            # A later entry for the same effective date replaces the earlier one (a newer version).
            by_date[rule_set.effective_from] = rule_set
        self.sets: tuple[RuleSet, ...] = tuple(by_date[d] for d in sorted(by_date))
        self.kinds: frozenset[str] = frozenset().union(*(rule_set.kinds() for rule_set in self.sets))
        # Resolved terms per (set, kind, severity, penalty type): a park has few distinct keys
        # and many records, so a sweep or a list page resolves each combination once.
        self._terms: dict[tuple[str, date, str, str, str | None], Terms] = {}

    def terms(self, rule_set: RuleSet, kind: str, severity: str, penalty_type: str | None) -> Terms:
        """The combined rules for a kind, severity and penalty type in `rule_set` (cached)."""
        key = (rule_set.code, rule_set.effective_from, kind, severity, penalty_type)
        found = self._terms.get(key)
        if found is None:
            found = self._terms[key] = _terms(rule_set, kind, severity, penalty_type)
        return found

    def in_force(self, day: date) -> RuleSet:
        """The latest set effective on or before `day`; the earliest set for days before it."""
        current = self.sets[0]
        for rule_set in self.sets:
            if rule_set.effective_from <= day:
                current = rule_set
        return current


@cache
def builtin_rulebook() -> RuleBook:
    """The national rule sets shipped with the platform (validated once per process)."""
    from creditcore.repair_rules import BUILTIN_RULE_SETS

    return RuleBook([rule_set_from_data(data) for data in BUILTIN_RULE_SETS])


# --- computing ------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months; the 31st becomes the target month's last day when needed."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    if day.day <= 28:
        return date(year, month + 1, day.day)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def resolve_kind(name: str) -> str:
    """A kind code from a kind code or an import profile name (e.g. "tax-grade")."""
    if name in KINDS_BY_CODE:
        return name
    from creditcore.collection.profiles import PROFILES

    profile = PROFILES.get(name)
    if profile is not None and profile.kind:
        return profile.kind
    return name


def check_severity(kind: str, severity: str) -> None:
    """RuleError unless `severity` is a level and, for a catalogue kind, one that kind has."""
    if severity not in SEVERITY_LABELS:
        raise RuleError(f"失信程度「{severity}」无效,可选:minor(轻微)、general(一般)、serious(严重)")
    spec = KINDS_BY_CODE.get(kind)
    if spec is not None and spec.severities and Severity(severity) not in spec.severities:
        allowed = "、".join(f"{s.value}({SEVERITY_LABELS[s.value]})" for s in spec.severities)
        raise RuleError(f"「{spec.name}」没有「{SEVERITY_LABELS[severity]}」程度,可选:{allowed}")


def _split_types(penalty_type: str | None) -> list[str]:
    text = penalty_type or ""
    for separator in ",,;;、/|":
        text = text.replace(separator, " ")
    return [part for part in text.split() if part]


def _rules_for(rule_set: RuleSet, kind: str, severity: str, penalty_type: str | None) -> list[Rule]:
    """The rules that apply: the base rule, replaced per penalty type by any type-specific rule."""

    def pick(candidates: list[Rule]) -> Rule | None:
        exact = [rule for rule in candidates if rule.severity == severity]
        wild = [rule for rule in candidates if rule.severity == ANY]
        found = exact or wild
        return found[0] if found else None

    of_kind = [rule for rule in rule_set.rules if rule.kind == kind]
    base = pick([rule for rule in of_kind if not rule.penalty_types])
    typed = [rule for rule in of_kind if rule.penalty_types]
    chosen: list[Rule] = []
    for part in _split_types(penalty_type):
        special = pick([rule for rule in typed if rule.matches_type(part)])
        rule = special or base
        if rule is not None and rule not in chosen:
            chosen.append(rule)
    if not chosen and base is not None:
        chosen.append(base)
    if not chosen:
        label = KINDS_BY_CODE[kind].name if kind in KINDS_BY_CODE else kind
        level = SEVERITY_LABELS.get(severity, severity)
        raise RuleError(f"规则集「{rule_set.name}」中没有「{label}」({kind})「{level}」程度的修复规则")
    return chosen


@dataclass(frozen=True, slots=True)
class Terms:
    """The combined rules for one kind, severity and penalty type in one rule set (dates aside)."""

    published: bool
    min_months: int
    max_months: int | None
    repairable: bool
    materials: tuple[str, ...]
    rule: str


def _terms(rule_set: RuleSet, kind: str, severity: str, penalty_type: str | None) -> Terms:
    rules = _rules_for(rule_set, kind, severity, penalty_type)
    maxima = [rule.max_months for rule in rules]
    materials: list[str] = []
    for rule in rules:
        materials += [m for m in rule.materials if m not in materials]
    texts = list(dict.fromkeys(rule.rule for rule in rules))
    return Terms(
        published=any(rule.published for rule in rules),
        min_months=max(rule.min_months for rule in rules),
        max_months=None if any(m is None for m in maxima) else max(m for m in maxima if m is not None),
        repairable=all(rule.early_repair for rule in rules),
        materials=tuple(materials),
        rule=f"{rule_set.name}:" + ";".join(texts),
    )


def _dates(terms: Terms, decided: date) -> tuple[date | None, date | None]:
    """(publicity end, earliest repair) of a record decided on `decided` under `terms`."""
    end = add_months(decided, terms.max_months) if terms.max_months is not None else None
    earliest = add_months(decided, terms.min_months) if terms.repairable else None
    return end, earliest


def _favour_key(terms: Terms, dates: tuple[date | None, date | None]) -> tuple[date, date, bool]:
    """Sort key: smaller is better for the enterprise (earlier end, earlier repair)."""
    far = date.max
    return (dates[0] or far, dates[1] or far, not terms.repairable)


def explain(
    kind: str,
    severity: str,
    decided: date,
    *,
    penalty_type: str | None = None,
    on: date | None = None,
    rules: RuleBook | None = None,
) -> RepairExplanation:
    """What the rules say about a record of `kind` and `severity` decided on `decided`, handled on `on`.

    `kind` may be a catalogue code or an import profile name. RuleError (Chinese) for an unknown
    kind or a severity the kind does not have.
    """
    book = rules or builtin_rulebook()
    code = resolve_kind(kind)
    if code in KINDS_BY_CODE and KINDS_BY_CODE[code].polarity is not Polarity.NEGATIVE:
        raise RuleError(f"「{KINDS_BY_CODE[code].name}」({code})不是失信信息,没有公示期与修复规则")
    if code not in book.kinds:
        raise RuleError(f"记录类型「{kind}」没有修复规则")
    check_severity(code, severity)
    day = on or today()
    if day < decided:
        raise RuleError(f"处理日期 {day.isoformat()} 早于决定日期 {decided.isoformat()}")
    current = book.in_force(day)
    at_decision = book.in_force(decided)
    chosen = current
    note = ""
    if at_decision is not current and current.transition != "handling":
        moment = f"{decided.isoformat()}作出、{current.effective_from.isoformat()}后处理"
        if current.transition == "decision":
            chosen = at_decision
            note = f"{moment}:按作出时的规则"
        else:
            new = book.terms(current, code, severity, penalty_type)
            old = book.terms(at_decision, code, severity, penalty_type)
            # On a tie the new rule (listed first) applies.
            if _favour_key(old, _dates(old, decided)) < _favour_key(new, _dates(new, decided)):
                chosen = at_decision
            which = "新规则" if chosen is current else "作出时的旧规则"
            note = f"{moment}:比较新旧规则,适用对当事人更有利的{which}"
    terms = book.terms(chosen, code, severity, penalty_type)
    publicity_end, earliest_repair = _dates(terms, decided)
    return RepairExplanation(
        published=terms.published,
        publicity_end=publicity_end,
        earliest_repair=earliest_repair,
        repairable=terms.repairable,
        rule=f"{terms.rule}({note})" if note else terms.rule,
        materials=terms.materials,
        min_months=terms.min_months,
        max_months=terms.max_months,
        kind=code,
        severity=severity,
        decided=decided,
        on=day,
        rule_set=chosen.code,
        effective_from=chosen.effective_from,
        deadlines=chosen.deadline_items,
        transition_note=note,
    )
