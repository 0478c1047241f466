"""Header binding and row parsing: from a file's rows to typed fields or Chinese row errors.

`bind_headers` runs once per file and precomputes, for every bound column, the header, the parser
function and the defaults, so `parse_row` (run a million times for a large file) is a flat loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache, partial
from typing import Any
from unicodedata import normalize as _nfkc

from creditcore.collection import values
from creditcore.collection.profiles import ColumnSpec, ImportProfile, Target
from creditcore.collection.readers import SourceRow
from creditcore.collection.values import ValueParseError, clean_text


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one cell (or row) was rejected: row number as the user sees it, header, value, reason."""

    number: int
    column: str
    value: str
    reason: str


@dataclass(slots=True)
class ParsedRow:
    """A valid row: typed `fields` (names by target, see docs/collection.md) and the cleaned `payload`."""

    number: int
    target: Target
    kind: str | None
    fields: dict[str, Any]
    payload: dict[str, str]


# Every field a target's rows carry, with the value it takes when no column gives one.
TARGET_FIELDS: dict[str, dict[str, Any]] = {
    "record": {
        "uscc": "",
        "uscc_legacy": False,
        "subject_name": "",
        "source_ref": "",
        "decided_on": None,
        "occurred_on": None,
        "severity": "",
        "amount": None,
        "authority": "",
        "summary": "",
        "revoked": False,
        "kind": None,
    },
    "observation": {
        "uscc": "",
        "uscc_legacy": False,
        "subject_name": "",
        "metric": "",
        "period": None,
        "value": None,
        "due_on": None,
        "settled_on": None,
        "source_ref": "",
    },
    "relation": {
        "uscc": "",
        "uscc_legacy": False,
        "subject_name": "",
        "counterparty_uscc": "",
        "counterparty_name": "",
        "relation_type": "",
        "weight": None,
        "valid_from": None,
        "valid_to": None,
    },
    "enterprise": {
        "uscc": "",
        "uscc_legacy": False,
        "name": "",
        "legal_representative": "",
        "registered_capital": None,
        "founded_on": None,
        "industry_code": "",
        "industry_name": "",
        "address": "",
        "status": "",
    },
}

# Penalty categories (行政处罚法 Art. 9) that alone make a decision minor or serious; everything
# else is general. Sector regulators publish finer thresholds; a 严重程度 column overrides this.
MINOR_PENALTIES = ("警告", "通报批评")
SERIOUS_PENALTIES = (
    "吊销",
    "责令停产停业",
    "责令关闭",
    "限制从业",
    "限制开展生产经营活动",
    "行政拘留",
    "降低资质等级",
)
# Tax credit grading started in 2003 (国家税务总局 纳税信用等级评定管理试行办法).
_GRADE_YEARS = (2003, 2100)
REVOKED_STATUSES = frozenset({"撤销", "已撤销", "撤回", "已撤回", "无效", "已失效"})

Parser = Callable[[str], Any]


def header_key(header: str) -> str:
    """How headers are compared: cleaned, without spaces or required-markers, upper-case."""
    return clean_text(header).replace(" ", "").lstrip("*").upper()


def _parser_for(spec: ColumnSpec, header: str) -> Parser:
    kind = spec.parser
    if kind == "amount":
        # A unit in the header ("罚款金额(元)" under a 万元 column) is what the sender meant.
        key = header_key(header)
        unit = values.WAN if "万元" in key else values.YUAN if "元" in key else spec.unit or values.YUAN
        # One cache per bound column, so the key is the cell text alone; fines repeat a lot.
        return lru_cache(maxsize=8192)(partial(values.amount_from_text, unit=unit))
    if kind == "choice":
        choices = {clean_text(k): v for k, v in (spec.choices or {}).items()}
        return partial(_choice, choices=choices)
    try:
        return _SIMPLE_PARSERS[kind]
    except KeyError:
        raise ValueError(f"unknown parser {kind!r} for field {spec.field!r}") from None


def _choice(text: str, *, choices: dict[str, str]) -> Any:
    return values.choice_from_text(text, choices)


def _identity(raw: str) -> str:
    return raw


# Dates and months repeat heavily within a file (a few thousand distinct days in a million rows),
# so their parsers are cached; results are immutable and failures are not cached.
_SIMPLE_PARSERS: dict[str, Parser] = {
    "text": _identity,
    "date": lru_cache(maxsize=8192)(values.date_from_text),
    "month": lru_cache(maxsize=2048)(values.month_from_text),
    "decimal": values.decimal_from_text,
    "int": values.int_from_text,
    "uscc": values.uscc_from_text,
    "bool": values.bool_from_text,
}


@dataclass(slots=True)
class HeaderBinding:
    """Which header feeds which field of a profile, for one file.

    `fields` maps field name to the header as written in the file; `unknown` are headers no column
    claims (kept in the payload); `missing` are required fields without a column (their labels are
    in `missing_labels`); `duplicates` are headers that name a field already bound (kept in the
    payload only).
    """

    profile: str
    headers: list[str]
    fields: dict[str, str]
    unknown: list[str]
    missing: list[str]
    missing_labels: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    # Precomputed for parse_row: optional text columns copied as they are, every other column
    # with its parser, and the starting fields of a row (target defaults plus profile defaults).
    text_plan: tuple[tuple[str, str], ...] = ()
    plan: tuple[tuple[str, str, Parser, bool, bool], ...] = ()
    template: dict[str, Any] = field(default_factory=dict)
    # Unclaimed columns that carry a natural person's identifiers (ID numbers, phones): their
    # values are masked before they reach the payload, so the ledger never stores them in clear.
    personal: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every required field has a column."""
        return not self.missing


# Personal identifiers that 双公示 files may carry for legal representatives and natural persons
# (domain reference §3.1: CF_FR_ZJHM, CF_XDR_ZJHM, the 1.0 CF_XDR_SFZ, and the XK_* twins). The
# platform has no lawful use for them in a credit record (PIPL Art. 28: ID numbers are sensitive).
PERSONAL_COLUMNS = (
    "CF_FR_ZJHM",
    "CF_XDR_ZJHM",
    "CF_XDR_SFZ",
    "XK_FR_ZJHM",
    "XK_XDR_ZJHM",
    "XK_XDR_SFZ",
    "法定代表人证件号码",
    "法定代表人身份证号",
    "法定代表人身份证号码",
    "证件号码",
    "身份证号",
    "身份证号码",
    "联系电话",
    "手机号",
    "手机号码",
    "法定代表人联系电话",
)


@lru_cache(maxsize=1)
def _personal_keys() -> frozenset[str]:
    return frozenset(header_key(name) for name in PERSONAL_COLUMNS)


def mask_personal(value: str) -> str:
    """Keep the first three and last four characters (as the archive shows them), mask the rest."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def bind_headers(profile: ImportProfile, headers: list[str]) -> HeaderBinding:
    """Match a file's headers to the profile's columns by label, alias or field code, in any order."""
    by_key: dict[str, ColumnSpec] = {}
    for spec in profile.columns:
        for name in (spec.label, *spec.aliases):
            by_key.setdefault(header_key(name), spec)
    bound: dict[str, str] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    plan = []
    text_plan = []
    for header in headers:
        found = by_key.get(header_key(header))
        if found is None:
            unknown.append(header)
            continue
        spec = found
        if spec.field in bound:
            duplicates.append(header)
        else:
            bound[spec.field] = header
            is_text = spec.parser == "text"
            if is_text and not spec.required and spec.field not in profile.defaults:
                text_plan.append((spec.field, header))
            else:
                plan.append((spec.field, header, _parser_for(spec, header), spec.required, is_text))
    missing = [spec for spec in profile.columns if spec.required and spec.field not in bound]
    return HeaderBinding(
        personal=tuple(h for h in unknown if header_key(h) in _personal_keys()),
        profile=profile.name,
        headers=list(headers),
        fields=bound,
        unknown=unknown,
        missing=[spec.field for spec in missing],
        missing_labels=[spec.label for spec in missing],
        duplicates=duplicates,
        text_plan=tuple(text_plan),
        plan=tuple(plan),
        template={**TARGET_FIELDS[profile.target], **profile.defaults},
    )


def parse_row(profile: ImportProfile, binding: HeaderBinding, row: SourceRow) -> ParsedRow | list[RowError]:
    """Typed fields for one source row, or every reason it cannot be taken."""
    number = row.number
    if row.error:
        return [RowError(number, "整行", row.raw[:200], row.error)]
    raw_values = row.values
    # clean_text inlined: this comprehension runs for every cell of every row.
    payload = {
        header: " ".join(value.split()) if value.isascii() else " ".join(_nfkc("NFKC", value).split())
        for header, value in raw_values.items()
    }
    for header in binding.personal:
        if payload.get(header):
            payload[header] = mask_personal(payload[header])
    fields = binding.template.copy()
    for name, header in binding.text_plan:
        fields[name] = payload.get(header, "")
    errors = [RowError(number, label, "", f"缺少必填列“{label}”") for label in binding.missing_labels]
    for name, header, parse, required, is_text in binding.plan:
        text = payload.get(header, "")
        if not text:
            if required:
                errors.append(RowError(number, header, "", f"“{header}”不能为空"))
            continue
        if is_text:
            fields[name] = text
            continue
        try:
            value = parse(text)
        except ValueParseError as exc:
            errors.append(RowError(number, header, text, exc.reason))
            continue
        if name == "uscc":
            fields["uscc"], fields["uscc_legacy"] = value
        elif name == "counterparty_uscc":
            fields["counterparty_uscc"] = value[0]
        else:
            fields[name] = value
    if errors:
        return errors
    finish = _FINISHERS[profile.target]
    problem = finish(profile, binding, fields, number)
    if problem is not None:
        return [problem]
    return ParsedRow(number, profile.target, fields.get("kind"), fields, payload)


def _subject_error(
    binding: HeaderBinding, fields: dict[str, Any], number: int, name_field: str
) -> RowError | None:
    if fields["uscc"] or fields[name_field]:
        return None
    column = binding.fields.get("uscc") or binding.fields.get(name_field) or "统一社会信用代码"
    return RowError(number, column, "", "统一社会信用代码和主体名称不能同时为空")


def _source_ref(profile: ImportProfile, fields: dict[str, Any]) -> str:
    if profile.key_fields == ("source_ref",):
        return str(fields["source_ref"])
    parts = []
    for name in profile.key_fields:
        value = fields.get(name)
        if name == "uscc" and not value:
            value = fields.get("subject_name", "")
        parts.append("" if value is None else value.isoformat() if isinstance(value, date) else str(value))
    return "|".join(parts)


def _finish_record(
    profile: ImportProfile, binding: HeaderBinding, fields: dict[str, Any], number: int
) -> RowError | None:
    problem = _subject_error(binding, fields, number, "subject_name")
    if problem is not None:
        return problem
    if fields["kind"] is None:
        fields["kind"] = profile.kind
    fields["source_ref"] = _source_ref(profile, fields)
    if not fields["revoked"] and fields.get("status") in REVOKED_STATUSES:
        fields["revoked"] = True
    if not fields["severity"]:
        fields["severity"] = _severity(profile.severity_rule, fields)
    if profile.name == "tax-grade":
        return _finish_tax_grade(binding, fields, number)
    return None


def _severity(rule: str, fields: dict[str, Any]) -> str:
    if not rule:
        return ""
    if rule != "penalty":
        return rule
    return penalty_severity(
        fields.get("category", ""), fields.get("category2", ""), fields.get("content", "")
    )


@lru_cache(maxsize=8192)
def penalty_severity(category: str, category2: str = "", content: str = "") -> str:
    """Severity presumed from the penalty category and content (行政处罚法 Art. 9 kinds).

    Serious when any of `SERIOUS_PENALTIES` appears; minor when every listed category is a warning
    or circulated criticism; general otherwise (fines, confiscation). Cached: the categories repeat.
    """
    text = f"{category}{category2}{content}"
    if any(word in text for word in SERIOUS_PENALTIES):
        return "serious"
    if category and all(word in MINOR_PENALTIES for word in _split_categories(category)):
        return "minor"
    return "general"


def _split_categories(text: str) -> list[str]:
    for separator in ",;、/":
        text = text.replace(separator, " ")
    return text.split() or [""]


def _finish_tax_grade(binding: HeaderBinding, fields: dict[str, Any], number: int) -> RowError | None:
    year = fields["year"]
    if not _GRADE_YEARS[0] <= year <= _GRADE_YEARS[1]:
        column = binding.fields.get("year", "评价年度")
        return RowError(
            number, column, str(year), f"评价年度 {year} 不在 {_GRADE_YEARS[0]}-{_GRADE_YEARS[1]} 之间"
        )
    if fields["decided_on"] is None:
        # Grades for a year are published each April of the following year.
        fields["decided_on"] = date(year + 1, 4, 1)
    if not fields["summary"]:
        fields["summary"] = f"{year}年度纳税信用等级 {fields.get('grade', '')}"
    return None


def _finish_observation(
    profile: ImportProfile, binding: HeaderBinding, fields: dict[str, Any], number: int
) -> RowError | None:
    problem = _subject_error(binding, fields, number, "subject_name")
    if problem is not None:
        return problem
    if not fields["metric"]:
        column = binding.fields.get("metric", "指标")
        return RowError(number, column, "", "无法确定指标,请填写指标列")
    if fields["period"] is None:
        inspected = fields.get("inspected_on")
        if inspected is None:
            return RowError(number, binding.fields.get("period", "期间"), "", "缺少期间(月份)")
        fields["period"] = inspected.replace(day=1)
    if fields["value"] is None:
        default = profile.defaults.get("value")
        if default is None:
            return RowError(number, binding.fields.get("value", "数值"), "", "数值不能为空")
        fields["value"] = default
    if isinstance(fields["value"], int):
        fields["value"] = Decimal(fields["value"])
    return None


def _finish_relation(
    profile: ImportProfile, binding: HeaderBinding, fields: dict[str, Any], number: int
) -> RowError | None:
    problem = _subject_error(binding, fields, number, "subject_name")
    if problem is not None:
        return problem
    if not fields["counterparty_uscc"] and not fields["counterparty_name"]:
        column = binding.fields.get("counterparty_uscc") or "对方统一社会信用代码"
        return RowError(number, column, "", "对方统一社会信用代码和对方名称不能同时为空")
    start, end = fields["valid_from"], fields["valid_to"]
    if start is not None and end is not None and end < start:
        column = binding.fields.get("valid_to", "终止日期")
        return RowError(number, column, end.isoformat(), f"终止日期 {end} 早于起始日期 {start}")
    return None


def _finish_enterprise(
    profile: ImportProfile, binding: HeaderBinding, fields: dict[str, Any], number: int
) -> RowError | None:
    # The archive is keyed by USCC and named; both columns are required, so nothing is left here.
    return None


_FINISHERS: dict[str, Callable[[ImportProfile, HeaderBinding, dict[str, Any], int], RowError | None]] = {
    "record": _finish_record,
    "observation": _finish_observation,
    "relation": _finish_relation,
    "enterprise": _finish_enterprise,
}
