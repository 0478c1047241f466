"""Import profiles (导入模板): one per kind of source file, declared as data.

A profile names the columns a department sends (Chinese header, current 信用中国 field code,
older 1.0 field code), how each cell is parsed, and what the rows become: credit records,
observations (bills, readings, statistics), relations or enterprise archive entries. A new source
is a new `ImportProfile` value, not new code. The column tables are in `_columns.py`;
docs/collection.md lists them for the departments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Target = Literal["record", "observation", "relation", "enterprise"]

PARSERS = frozenset({"text", "date", "amount", "decimal", "int", "uscc", "choice", "month", "bool"})


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column a profile understands.

    `aliases` are every header that feeds this field besides `label`: other Chinese spellings and
    the field codes (current CF_*/XK_* and the older 1.0 set). `unit` is "yuan" or "wan" for
    amounts. `choices` maps each accepted spelling (label or code) to the stored value.
    """

    field: str
    label: str
    aliases: tuple[str, ...] = ()
    parser: str = "text"
    required: bool = False
    unit: str = ""
    choices: dict[str, str] | None = None
    help: str = ""


@dataclass(frozen=True, slots=True)
class ImportProfile:
    """A kind of source file and how its rows become ledger data.

    `kind` is the record kind code for record profiles (None when a column decides it, or for other
    targets). `key_fields` are the fields whose values, joined by "|", make the row's source
    reference (the idempotency key within source and kind). `severity_rule`: "" no severity,
    "penalty" derive it from the penalty category (see rows.py), or a fixed severity such as
    "serious"; a 严重程度 column, when present and filled, always wins. `defaults` are field values
    used when no column gives one (e.g. the metric of a single-metric file).
    """

    name: str
    label: str
    target: Target
    kind: str | None
    columns: tuple[ColumnSpec, ...]
    key_fields: tuple[str, ...] = ("source_ref",)
    severity_rule: str = ""
    description: str = ""
    defaults: dict[str, Any] = field(default_factory=dict)

    def column(self, field_name: str) -> ColumnSpec:
        """The column spec for a field name; KeyError when the profile has none."""
        for spec in self.columns:
            if spec.field == field_name:
                return spec
        raise KeyError(field_name)

    @property
    def required_fields(self) -> tuple[str, ...]:
        return tuple(spec.field for spec in self.columns if spec.required)


def _build() -> dict[str, ImportProfile]:
    from creditcore.collection._columns import ALL_PROFILES

    return {profile.name: profile for profile in ALL_PROFILES}


PROFILES: dict[str, ImportProfile] = _build()
