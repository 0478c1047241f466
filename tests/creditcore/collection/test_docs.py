"""docs/collection.md stays in step with the profiles it documents."""

from pathlib import Path

import pytest

from creditcore.collection.profiles import PROFILES
from creditcore.collection.readers import SourceRow
from creditcore.collection.rows import ParsedRow, bind_headers, parse_row
from tests.creditcore.collection.make_docs import BEGIN, END, render

DOC = Path(__file__).resolve().parents[3] / "docs" / "collection.md"


def test_profile_tables_are_current():
    text = DOC.read_text(encoding="utf-8")
    generated = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert generated == render(), "run: .venv/bin/python -m tests.creditcore.collection.make_docs"


@pytest.mark.parametrize("name", list(PROFILES))
def test_every_profile_and_column_is_documented(name):
    text = DOC.read_text(encoding="utf-8")
    assert f"`{name}`" in text
    for spec in PROFILES[name].columns:
        assert f"| {spec.label} |" in text


@pytest.mark.parametrize(
    ("profile", "column", "value"),
    [
        ("penalty", "处罚决定日期", "2023-02-30"),
        ("penalty", "罚款金额(万元)", "两千"),
        ("penalty", "统一社会信用代码", "91410100MA44QJ7R70"),
        ("tax-grade", "纳税信用等级", "AA"),
    ],
)
def test_documented_error_examples_are_what_the_parser_says(profile, column, value):
    spec = PROFILES[profile]
    binding = bind_headers(spec, [column])
    result = parse_row(spec, binding, SourceRow(3, {column: value}))
    assert not isinstance(result, ParsedRow)
    reason = next(e.reason for e in result if e.column == column)
    assert f"| {column} | {value} | {reason} |" in DOC.read_text(encoding="utf-8")
