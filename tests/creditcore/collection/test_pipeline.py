"""The reading process of a large record import: checks, chunking, order, failures."""

from __future__ import annotations

import json
import logging
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from creditcore.collection.pipeline import (
    KindRule,
    PayloadJSON,
    peak_rss_mb,
    prepared_chunks,
    prepared_source,
    record_check,
)
from creditcore.collection.readers import TableError

KINDS = {
    "penalty": KindRule(id=7, name="行政处罚", is_active=True, severities=("minor", "general", "serious"))
}
TODAY = date(2026, 11, 29)
HEADER = "行政相对人名称,统一社会信用代码,行政处罚决定书文号,处罚类别,罚款金额(万元),处罚决定日期,处罚机关"
USCC = "91410000000000019F"


def fields(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "kind": "penalty",
        "source_ref": "罚1号",
        "decided_on": date(2024, 5, 1),
        "occurred_on": None,
        "severity": "general",
        "amount": Decimal("2000.005"),
        "authority": "某局",
        "summary": "",
    }
    return {**base, **changes}


def test_record_check_reasons_and_normalising() -> None:
    ok = fields()
    assert record_check(ok, KINDS, TODAY) is None
    assert ok["amount"] == Decimal("2000.00")  # quantised to cents, as the ledger stores it
    assert record_check(fields(kind="nothing"), KINDS, TODAY) == (
        "记录类型",
        "nothing",
        "记录类型「nothing」不在信息资源目录中或已停用",
    )
    assert record_check(fields(source_ref=""), KINDS, TODAY) == (
        "决定文书号",
        "",
        "来源编号(决定文书号)不能为空",
    )
    assert record_check(fields(decided_on=date(2027, 1, 1)), KINDS, TODAY) == (
        "决定日期",
        "2027-01-01",
        "决定日期 2027-01-01 晚于今天",
    )
    assert record_check(fields(occurred_on=date(2024, 6, 1)), KINDS, TODAY)[0] == "发生日期"  # type: ignore[index]
    assert record_check(fields(amount=Decimal("-1")), KINDS, TODAY) == ("金额", "-1", "金额 -1 超出允许范围")
    plain = {"honour": KindRule(id=8, name="荣誉", is_active=True, severities=())}
    honour = fields(kind="honour")
    assert record_check(honour, plain, TODAY) is None and honour["severity"] == ""


def test_payload_json_parses_to_the_same_object() -> None:
    encode = PayloadJSON()
    for value in ({"名称": '某"公司"\n', "金额": "1"}, {"名称": "x", "数": 3}, {}):
        assert json.loads(encode(value)) == value


def test_chunks_cut_where_the_importer_cuts_and_keep_the_order(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    lines = [HEADER]
    for n in range(25):
        day = "2024/13/1" if n in (3, 21) else "2099/1/1" if n == 4 else "2024/5/1"
        lines.append(f"某公司, {USCC} ,罚{n}号,罚款,0.5,{day},某局")
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")
    chunks = list(prepared_chunks(str(path), "penalty", KINDS, TODAY, chunk_rows=10))
    # 23 rows parse (two bad dates); chunks of 10 parsed rows, the future date rejected by the check.
    assert [len(c.rows) + len(c.check_rejects) for c in chunks] == [10, 10, 3]
    assert [r[0][0] for c in chunks for r in c.parse_rejects] == [5, 23]
    assert [(r[0][0], r[1][0]) for r in chunks[0].check_rejects] == [(6, "决定日期")]
    first = chunks[0].rows[0]
    assert first[:9] == (
        2,
        USCC,
        "penalty",
        "罚0号",
        False,
        "general",  # a fine (罚款) is a general dishonesty by the profile's rule
        None,
        "2024-05-01",
        "5000.00",
    )
    # The cleaned cells differ from the raw ones (a padded USCC): the raw cells travel along.
    assert prepared_source(first).values["统一社会信用代码"] == f" {USCC} "


def test_the_reader_reports_its_own_peak_memory(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\n某公司,{USCC},罚1号,罚款,0.5,2024/5/1,某局\n", encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="creditcore.collection.pipeline"):
        assert len(list(prepared_chunks(str(path), "penalty", KINDS, TODAY, chunk_rows=10))) == 1
    [finished] = [r for r in caplog.records if r.getMessage() == "reading process finished"]
    own = vars(finished)["reader_peak_rss_mb"]
    if Path("/proc/self/status").exists():
        # The reader's own high-water mark: a fresh interpreter, far below what a large importer
        # would be, and never more than the whole machine.
        assert isinstance(own, float) and 1 < own < 1024
        assert peak_rss_mb() is not None
    else:
        assert own is None


def test_a_reader_failure_is_raised_in_the_importer(tmp_path: Path) -> None:
    with pytest.raises(TableError):
        list(prepared_chunks(str(tmp_path / "missing.csv"), "penalty", KINDS, TODAY, chunk_rows=10))
