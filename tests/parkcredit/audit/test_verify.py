"""The audit chain built by `audit_log` verifies, and every tampering kind is caught at its row."""

from __future__ import annotations

import json
from typing import Any

import pytest

from creditcore.hashchain import GENESIS_HASH, link_hash
from parkcredit.audit.models import AuditChainHead, AuditEntry
from parkcredit.audit.services import audit_key, audit_log, entry_fields
from parkcredit.audit.verify import HEAD_MISSING_REASON, audit_chain_verify
from tests.parkcredit.audit import tamper

pytestmark = pytest.mark.django_db


def write(n: int) -> list[AuditEntry]:
    return [
        audit_log(
            actor=None,
            action=f"test.action{i % 3}",
            object_type="test.thing",
            object_id=str(i),
            detail={"i": i},
        )
        for i in range(1, n + 1)
    ]


def head() -> AuditChainHead:
    return AuditChainHead.objects.get(pk=1)


def test_audit_log_builds_a_chain_that_verifies(auditor: Any) -> None:
    entries = write(12)
    audit_log(actor=auditor, action="test.by_user", ip="10.0.0.8", outcome="failure", detail={"名": "甲"})
    result = audit_chain_verify()
    assert result.ok, result
    assert result.checked == head().last_seq
    assert result.first_break_seq is None and result.reason == ""
    seqs = [e.seq for e in entries]
    assert seqs == list(range(seqs[0], seqs[0] + 12))
    assert entries[1].prev_hash == entries[0].entry_hash


def test_an_empty_log_verifies() -> None:
    AuditEntry.objects.all().delete()
    AuditChainHead.objects.filter(pk=1).update(last_seq=0, last_hash=GENESIS_HASH)
    assert audit_chain_verify().as_dict() == {"ok": True, "checked": 0, "first_break_seq": None, "reason": ""}


def test_progress_is_reported_per_chunk() -> None:
    write(12)
    total = head().last_seq
    calls: list[tuple[int, int]] = []
    result = audit_chain_verify(progress=lambda done, total: calls.append((done, total)), chunk=5)
    assert result.ok
    assert calls[0] == (5, total)
    assert calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_chunk_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk"):
        audit_chain_verify(chunk=0)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("detail", json.dumps({"i": 999})),
        ("action", "record.revoke"),
        ("actor_label", "mallory"),
        ("object_id", "4242"),
        ("outcome", "failure"),
        ("ip", "192.0.2.1"),
    ],
)
def test_an_altered_field_breaks_at_that_row(column: str, value: Any) -> None:
    entries = write(8)
    target = entries[4].seq
    tamper.update_entry(target, column, value)
    result = audit_chain_verify(chunk=3)
    assert not result.ok
    assert result.first_break_seq == target
    assert result.checked == target - 1
    assert "篡改" in result.reason


def test_an_altered_time_breaks_at_that_row() -> None:
    entries = write(5)
    tamper.update_entry(entries[2].seq, "at", entries[2].at.replace(year=2020))
    result = audit_chain_verify()
    assert result.first_break_seq == entries[2].seq


def test_a_row_removed_in_the_middle_breaks_at_the_next_row() -> None:
    entries = write(8)
    gone = entries[3].seq
    tamper.delete_entries(seq_from=gone, seq_to=gone)
    result = audit_chain_verify()
    assert not result.ok
    assert result.first_break_seq == gone + 1
    assert f"应为 {gone}" in result.reason


def test_the_newest_rows_removed_break_at_the_first_missing_seq() -> None:
    entries = write(8)
    first_gone = entries[6].seq
    tamper.delete_entries(seq_from=first_gone, seq_to=entries[7].seq)
    result = audit_chain_verify()
    assert not result.ok
    assert result.first_break_seq == first_gone
    assert result.checked == first_gone - 1
    assert "链头" in result.reason


def test_a_forged_row_after_the_head_is_caught() -> None:
    entries = write(4)
    last = entries[-1]
    tamper.insert_entry(
        seq=last.seq + 1,
        at=last.at,
        action="record.create",
        detail="{}",
        prev_hash=last.entry_hash,
        entry_hash="ab" * 32,
    )
    result = audit_chain_verify()
    assert not result.ok
    assert result.first_break_seq == last.seq + 1
    assert result.checked == last.seq


def test_a_row_forged_with_the_key_but_without_the_head_is_caught() -> None:
    entries = write(4)
    last = entries[-1]
    forged = AuditEntry(
        seq=last.seq + 1,
        at=last.at,
        actor_label="system",
        action="record.create",
        detail={},
        prev_hash=last.entry_hash,
    )
    entry_hash = link_hash(audit_key(), last.entry_hash, entry_fields(forged))
    tamper.insert_entry(
        seq=forged.seq,
        at=forged.at,
        action=forged.action,
        detail="{}",
        prev_hash=last.entry_hash,
        entry_hash=entry_hash,
    )
    result = audit_chain_verify()
    assert not result.ok
    assert result.first_break_seq == last.seq + 1
    assert "链头" in result.reason


def test_a_row_forged_before_the_first_is_caught() -> None:
    entries = write(3)
    tamper.insert_entry(
        seq=0, at=entries[0].at, action="x", detail="{}", prev_hash=GENESIS_HASH, entry_hash="cd" * 32
    )
    result = audit_chain_verify()
    assert not result.ok
    assert result.first_break_seq == 0
    assert result.checked == 0


def test_a_modified_head_hash_is_caught() -> None:
    write(5)
    last_seq = head().last_seq
    tamper.update_head(last_hash="ef" * 32)
    result = audit_chain_verify()
    assert not result.ok
    assert result.first_break_seq == last_seq + 1
    assert result.checked == last_seq


def test_a_head_moved_back_consistently_is_caught() -> None:
    entries = write(5)
    tamper.update_head(last_seq=entries[2].seq, last_hash=entries[2].entry_hash)
    result = audit_chain_verify()
    assert not result.ok
    assert result.first_break_seq == entries[3].seq
    assert "多余" in result.reason


def test_a_head_moved_forward_is_caught() -> None:
    entries = write(3)
    tamper.update_head(last_seq=entries[-1].seq + 2)
    result = audit_chain_verify()
    assert not result.ok
    assert result.first_break_seq == entries[-1].seq + 1


def test_a_deleted_head_is_caught() -> None:
    write(3)
    tamper.delete_head()
    result = audit_chain_verify(progress=lambda done, total: None, chunk=2)
    assert not result.ok
    assert result.first_break_seq is None
    assert result.reason == HEAD_MISSING_REASON


def test_a_deleted_head_still_names_an_earlier_broken_row() -> None:
    entries = write(4)
    tamper.update_entry(entries[1].seq, "action", "x")
    tamper.delete_head()
    result = audit_chain_verify()
    assert result.first_break_seq == entries[1].seq


def test_rows_appended_while_verifying_are_not_a_break() -> None:
    write(10)
    appended: list[AuditEntry] = []

    def progress(done: int, total: int) -> None:
        if not appended:
            appended.append(audit_log(actor=None, action="test.concurrent"))

    result = audit_chain_verify(progress=progress, chunk=4)
    assert result.ok, result
    assert result.checked == appended[0].seq


def test_a_row_appended_while_verifying_must_still_chain() -> None:
    write(6)
    appended: list[AuditEntry] = []

    def progress(done: int, total: int) -> None:
        if not appended:
            appended.append(audit_log(actor=None, action="test.concurrent"))
            tamper.update_entry(appended[0].seq, "action", "test.altered")

    result = audit_chain_verify(progress=progress, chunk=3)
    assert not result.ok
    assert result.first_break_seq == appended[0].seq == head().last_seq
    assert "篡改" in result.reason


def test_a_rewritten_chain_with_the_key_is_not_detectable() -> None:
    """The documented limit: whoever holds AUDIT_KEY and write access can re-forge the chain."""
    entries = write(3)
    key = audit_key()
    prev = entries[0].entry_hash
    for entry in entries[1:]:
        entry.action = "forged"
        entry.prev_hash = prev
        entry.entry_hash = link_hash(key, prev, entry_fields(entry))
        entry.save()
        prev = entry.entry_hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    assert audit_chain_verify().ok


def _tamper_once_while_verifying(action: Any) -> Any:
    """A progress callback that appends rows mid-verification and tampers with them once."""
    done: list[bool] = []

    def progress(_done: int, _total: int) -> None:
        if not done:
            done.append(True)
            action()

    return progress


def test_a_gap_among_rows_appended_while_verifying_is_caught() -> None:
    write(4)
    appended: list[AuditEntry] = []

    def act() -> None:
        appended.extend(audit_log(actor=None, action="test.concurrent") for _ in range(2))
        tamper.delete_entries(seq_from=appended[0].seq, seq_to=appended[0].seq)

    result = audit_chain_verify(progress=_tamper_once_while_verifying(act), chunk=2)
    assert result.first_break_seq == appended[1].seq
    assert "序号不连续" in result.reason


def test_a_relinked_row_appended_while_verifying_is_caught() -> None:
    write(4)
    appended: list[AuditEntry] = []

    def act() -> None:
        appended.append(audit_log(actor=None, action="test.concurrent"))
        tamper.update_entry(appended[0].seq, "prev_hash", "12" * 32)

    result = audit_chain_verify(progress=_tamper_once_while_verifying(act), chunk=2)
    assert result.first_break_seq == appended[0].seq
    assert "前序摘要" in result.reason


def test_rows_appended_then_removed_while_verifying_are_caught() -> None:
    write(4)
    appended: list[AuditEntry] = []

    def act() -> None:
        appended.append(audit_log(actor=None, action="test.concurrent"))
        tamper.delete_entries(seq_from=appended[0].seq, seq_to=appended[0].seq)

    result = audit_chain_verify(progress=_tamper_once_while_verifying(act), chunk=2)
    assert result.first_break_seq == appended[0].seq
    assert "链头" in result.reason


def test_a_head_deleted_while_verifying_is_caught() -> None:
    write(4)
    result = audit_chain_verify(progress=_tamper_once_while_verifying(tamper.delete_head), chunk=2)
    assert not result.ok
    assert result.reason == HEAD_MISSING_REASON
