"""`parkcredit audit verify`: one JSON line and a sentence; exit 0 when intact, 1 when broken."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from parkcredit.audit.services import audit_log
from tests.parkcredit.audit import tamper

pytestmark = pytest.mark.django_db


def run(*args: str, **options: object) -> tuple[int, list[str], str]:
    out, err = StringIO(), StringIO()
    code = 0
    try:
        call_command("audit", *args, stdout=out, stderr=err, **options)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue().splitlines(), err.getvalue()


def test_intact_chain_exits_zero_with_json_and_sentence() -> None:
    for i in range(3):
        audit_log(actor=None, action="test.cmd", detail={"i": i})
    code, lines, _ = run("verify")
    assert code == 0
    report = json.loads(lines[0])
    assert report["ok"] is True
    assert report["checked"] >= 3
    assert report["first_break_seq"] is None
    assert set(report) == {"ok", "checked", "first_break_seq", "reason"}
    assert lines[1].startswith("审计链完整")


def test_broken_chain_exits_one_naming_the_row() -> None:
    entries = [audit_log(actor=None, action="test.cmd", detail={"i": i}) for i in range(4)]
    tamper.update_entry(entries[2].seq, "detail", json.dumps({"i": 99}))
    code, lines, _ = run("verify", "--chunk", "2")
    assert code == 1
    report = json.loads(lines[0])
    assert report["ok"] is False
    assert report["first_break_seq"] == entries[2].seq
    assert f"第 {entries[2].seq} 条" in lines[1]


def test_missing_head_is_named() -> None:
    audit_log(actor=None, action="test.cmd")
    tamper.delete_head()
    code, lines, _ = run("verify")
    assert code == 1
    assert json.loads(lines[0])["first_break_seq"] is None
    assert "链头记录缺失" in lines[1]


def test_progress_goes_to_stderr_when_verbose() -> None:
    for _ in range(3):
        audit_log(actor=None, action="test.cmd")
    code, _, err = run("verify", "--chunk", "1", verbosity=2)
    assert code == 0
    assert "已校验 1/" in err


def test_without_subcommand_is_a_usage_error() -> None:
    with pytest.raises(CommandError, match="verify"):
        call_command("audit", stdout=StringIO())


def test_chunk_must_be_positive() -> None:
    with pytest.raises(CommandError, match="--chunk"):
        call_command("audit", "verify", "--chunk", "0", stdout=StringIO())
