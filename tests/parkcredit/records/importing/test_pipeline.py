"""A large record file is read and parsed in a second process: the outcome is the same as in-process."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest

from parkcredit.accounts.models import User
from parkcredit.records.importing import services
from parkcredit.records.importing.services import import_run
from parkcredit.records.models import (
    CreditRecord,
    DataSource,
    DataSourceKind,
    ImportBatch,
    RecordEvent,
    UnmatchedRow,
)
from tests.parkcredit.records.importing.helpers import PENALTY_HEADER, penalty_line, unknown_uscc

pytestmark = pytest.mark.django_db


def _lines(ent_a: Any, ent_b: Any) -> list[str]:
    lines = []
    for n in range(12_000):  # more than two chunks of CHUNK_ROWS
        subject = ent_a if n % 3 else ent_b
        lines.append(penalty_line(subject.name, subject.uscc, f"罚〔2024〕{n}号", amount=f"{n % 50}.5"))
        if n == 7:
            lines.append(penalty_line(ent_a.name, ent_a.uscc, "罚〔2024〕坏日期号", day="2024/13/1"))
        if n == 5003:  # an unknown subject: the 待关联 queue
            lines.append(penalty_line("不在园区的公司", unknown_uscc(), "罚〔2024〕外号"))
        if n == 5004:  # a decision dated in the future: fails the ledger check
            lines.append(penalty_line(ent_a.name, ent_a.uscc, "罚〔2024〕未来号", day="2099/1/1"))
        if n == 6000:  # the same reference twice in one file, changed: a correction
            lines.append(penalty_line(ent_a.name, ent_a.uscc, "罚〔2024〕10号", amount="99"))
        if n == 6001:  # withdrawn by the source
            lines.append(penalty_line(ent_a.name, ent_a.uscc, "罚〔2024〕撤号", status="已撤销"))
        if n == 6002:  # an earlier batch's reference, now withdrawn
            lines.append(penalty_line(ent_a.name, ent_a.uscc, "罚〔2023〕早号", status="已撤销"))
        if n == 6003:  # an earlier batch's reference, unchanged
            lines.append(penalty_line(ent_b.name, ent_b.uscc, "罚〔2023〕同号"))
        if n == 9000:  # blank cells and full-width text that cleaning changes
            lines.append(f"{ent_b.name},{ent_b.uscc},罚〔2024〕ＡＢＣ号 ,罚款,  违法  事实 ,1,2024/5/1,,")
        if n == 11_999:  # the last row fails: a reject after the last full chunk
            lines.append(penalty_line(ent_a.name, ent_a.uscc, "", day="2024/5/1"))
    return lines


def _note(seen: list[int], done: int, total: int, text: str) -> None:
    seen.append(done)


def _outcome(source: DataSource, batch_id: int) -> dict[str, Any]:
    batch = ImportBatch.objects.get(pk=batch_id)
    records = [
        (
            *(r.source_ref, r.enterprise_id, r.severity, r.occurred_on, r.decided_on, r.amount),
            *(r.authority, r.summary, r.payload, r.version),
            r.supersedes.source_ref if r.supersedes else None,
        )
        for r in CreditRecord.objects.filter(source=source).select_related("supersedes").order_by("id")
    ]
    events = [
        (e.record.source_ref, e.record.version, e.event_type, e.note, e.payload == {}, e.actor_id)
        for e in RecordEvent.objects.filter(record__source=source).select_related("record").order_by("id")
    ]
    queued = [
        (u.number, u.uscc, u.subject_name, u.parsed, u.payload)
        for u in UnmatchedRow.objects.filter(batch=batch).order_by("id")
    ]
    return {
        "counts": batch.counts,
        "errors": batch.errors,
        "error_file": bytes(batch.error_file or b""),
        "records": records,
        "events": events,
        "queued": queued,
    }


def test_pipelined_import_matches_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, park_admin: User, ent_a: Any, ent_b: Any
) -> None:
    earlier = tmp_path / "earlier.csv"
    earlier.write_text(
        "\n".join(
            [
                PENALTY_HEADER,
                penalty_line(ent_a.name, ent_a.uscc, "罚〔2023〕早号"),
                penalty_line(ent_b.name, ent_b.uscc, "罚〔2023〕同号"),
            ]
        )
        + "\n",
        encoding="gb18030",
    )
    big = tmp_path / "big.csv"
    big.write_text("\n".join([PENALTY_HEADER, *_lines(ent_a, ent_b)]) + "\n", encoding="gb18030")
    started: list[str] = []
    real = services.prepared_chunks  # type: ignore[attr-defined]

    def spy(*args: Any, **kwargs: Any) -> Any:
        started.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "prepared_chunks", spy)
    outcomes = []
    for code, threshold in (("in-process", 1 << 62), ("pipelined", 0)):
        source = DataSource.objects.create(code=code, name=code, kind=DataSourceKind.DEPARTMENT)
        monkeypatch.setattr(services, "PIPELINE_MIN_BYTES", 1 << 62)
        import_run(actor=park_admin, profile="penalty", path=str(earlier), file_name="早.csv", source=source)
        monkeypatch.setattr(services, "PIPELINE_MIN_BYTES", threshold)
        progress: list[int] = []
        report = import_run(
            actor=park_admin,
            profile="penalty",
            path=str(big),
            file_name="big.csv",
            source=source,
            progress=partial(_note, progress),
        )
        assert report.batch_id is not None
        outcomes.append((_outcome(source, report.batch_id), progress))
    assert started == [str(big)]
    (plain, plain_progress), (piped, piped_progress) = outcomes
    assert plain["counts"] == {
        "new": 12_001,
        "duplicate": 1,
        "corrected": 1,
        "revoked": 2,
        "error": 3,
        "unmatched": 1,
    }
    assert piped_progress == plain_progress
    for key in ("counts", "errors", "error_file", "records", "events", "queued"):
        assert piped[key] == plain[key], key
