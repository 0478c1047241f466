"""Verification of the audit chain against the stored rows and the chain head.

The walk streams rows in `seq` order with a bounded chunk size, so memory stays constant however
long the log is, and the application keeps writing while it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction

from creditcore.hashchain import GENESIS_HASH, ChainBreak, ChainLink, link_hash, verify_chain
from parkcredit.audit.models import AuditChainHead, AuditEntry
from parkcredit.audit.services import audit_key, entry_fields

ProgressCallback = Callable[[int, int], None]

HEAD_MISSING_REASON = "链头记录缺失(链头被删除)"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of one verification: `first_break_seq` is the first row that fails, or None."""

    ok: bool
    checked: int
    first_break_seq: int | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _links(rows: Iterable[AuditEntry]) -> Iterator[ChainLink]:
    for entry in rows:
        yield ChainLink(
            seq=entry.seq, prev_hash=entry.prev_hash, entry_hash=entry.entry_hash, fields=entry_fields(entry)
        )


class _Counter:
    """Counts the links handed to the verifier and reports progress once per chunk."""

    def __init__(self, total: int, chunk: int, progress: ProgressCallback | None) -> None:
        self.total = total
        self.chunk = chunk
        self.progress = progress
        self.yielded = 0

    def wrap(self, links: Iterable[ChainLink]) -> Iterator[ChainLink]:
        for link in links:
            self.yielded += 1
            if self.progress is not None and self.yielded % self.chunk == 0:
                self.progress(self.yielded, self.total)
            yield link


def _verify_tail(
    links: Iterable[ChainLink], key: bytes, *, start_seq: int, start_hash: str, head_seq: int, head_hash: str
) -> tuple[int, ChainBreak | None]:
    """Check the rows appended after the snapshot head continue the chain up to the current head."""
    expected_seq = start_seq + 1
    prev = start_hash
    checked = 0
    for link in links:
        if link.seq > head_seq:
            return checked, ChainBreak(
                link.seq, f"链头之后存在多余记录:链头记载到 {head_seq},出现 {link.seq}"
            )
        if link.seq != expected_seq:
            return checked, ChainBreak(link.seq, f"序号不连续:应为 {expected_seq},实际为 {link.seq}")
        if link.prev_hash != prev:
            return checked, ChainBreak(link.seq, "前序摘要与上一条记录不符(记录被删除或插入)")
        if link_hash(key, prev, link.fields) != link.entry_hash:
            return checked, ChainBreak(link.seq, "本条摘要与内容不符(记录被篡改)")
        prev = link.entry_hash
        expected_seq += 1
        checked += 1
    if expected_seq - 1 != head_seq or prev != head_hash:
        return checked, ChainBreak(
            expected_seq, f"链尾与链头不符:链头记载 {head_seq} 条,实际 {expected_seq - 1} 条"
        )
    return checked, None


def audit_chain_verify(*, progress: ProgressCallback | None = None, chunk: int = 5000) -> VerifyResult:
    """Verify every audit row against its predecessor, the key and the chain head.

    First the rows up to a snapshot of the head are walked without any lock (the long part).
    Then, holding the head lock briefly, the rows written meanwhile are checked to continue the
    chain exactly up to the current head; a row beyond the head (inserted behind the
    application's back) or a head that disagrees with the rows is a break.
    `progress(done, total)` is called once per `chunk` rows.
    """
    if chunk < 1:
        raise ValueError(f"chunk 必须为正整数,实际为 {chunk}")
    key = audit_key()
    snapshot = AuditChainHead.objects.filter(pk=1).first()
    if snapshot is None:
        return _verify_headless(key, progress=progress, chunk=chunk)

    counter = _Counter(snapshot.last_seq, chunk, progress)
    rows = AuditEntry.objects.filter(seq__lte=snapshot.last_seq).order_by("seq").iterator(chunk_size=chunk)
    checked, brk = verify_chain(
        counter.wrap(_links(rows)), key, head_seq=snapshot.last_seq, head_hash=snapshot.last_hash
    )
    if brk is not None:
        return VerifyResult(ok=False, checked=checked, first_break_seq=brk.seq, reason=brk.reason)
    if progress is not None:
        progress(checked, snapshot.last_seq)

    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            return VerifyResult(ok=False, checked=checked, first_break_seq=None, reason=HEAD_MISSING_REASON)
        newer = (
            AuditEntry.objects.filter(seq__gt=snapshot.last_seq).order_by("seq").iterator(chunk_size=chunk)
        )
        tail_checked, brk = _verify_tail(
            _links(newer),
            key,
            start_seq=snapshot.last_seq,
            start_hash=snapshot.last_hash,
            head_seq=head.last_seq,
            head_hash=head.last_hash,
        )
    checked += tail_checked
    if brk is not None:
        return VerifyResult(ok=False, checked=checked, first_break_seq=brk.seq, reason=brk.reason)
    return VerifyResult(ok=True, checked=checked, first_break_seq=None, reason="")


def _verify_headless(key: bytes, *, progress: ProgressCallback | None, chunk: int) -> VerifyResult:
    """Without a head the chain is broken; still walk it so an earlier break is named first."""
    total = AuditEntry.objects.count()
    counter = _Counter(total, chunk, progress)
    rows = AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk)
    # No real head can have seq -1, so a chain intact to its end fails only the tail comparison.
    checked, brk = verify_chain(counter.wrap(_links(rows)), key, head_seq=-1, head_hash=GENESIS_HASH)
    assert brk is not None
    if counter.yielded > checked:  # the walk stopped on a row, before reaching the tail
        return VerifyResult(ok=False, checked=checked, first_break_seq=brk.seq, reason=brk.reason)
    return VerifyResult(ok=False, checked=checked, first_break_seq=None, reason=HEAD_MISSING_REASON)
