"""Hash chain over audit entries: HMAC-SM3 of the previous hash and the entry's canonical form.

Pure functions, so the chain can be verified from an export without the application.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac

GENESIS_HASH = "0" * 64


def canonical(fields: Mapping[str, Any]) -> bytes:
    """A byte form that survives a database round trip (key order and spacing fixed)."""
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def link_hash(key: bytes, prev_hash: str, fields: Mapping[str, Any]) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(prev_hash.encode("ascii"))
    mac.update(b"|")
    mac.update(canonical(fields))
    return mac.finalize().hex()


@dataclass(frozen=True, slots=True)
class ChainLink:
    seq: int
    prev_hash: str
    entry_hash: str
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(
    links: Iterable[ChainLink], key: bytes, *, head_seq: int, head_hash: str
) -> tuple[int, ChainBreak | None]:
    """Walk links in sequence order; return (rows checked, first break or None).

    Detects an altered row (its hash no longer matches its fields), a removed row (a gap in
    `seq` or a `prev_hash` that does not match), an inserted row (a duplicate or foreign link)
    and removed newest rows (the chain ends before the recorded head).
    """
    expected_seq = 1
    prev = GENESIS_HASH
    checked = 0
    for link in links:
        if link.seq != expected_seq:
            return checked, ChainBreak(link.seq, f"序号不连续:应为 {expected_seq},实际为 {link.seq}")
        if link.prev_hash != prev:
            return checked, ChainBreak(link.seq, "前序摘要与上一条记录不符(记录被删除或插入)")
        if link_hash(key, prev, link.fields) != link.entry_hash:
            return checked, ChainBreak(link.seq, "本条摘要与内容不符(记录被篡改)")
        prev = link.entry_hash
        expected_seq += 1
        checked += 1
    if checked != head_seq or prev != head_hash:
        return checked, ChainBreak(checked + 1, f"链尾与链头不符:链头记载 {head_seq} 条,实际 {checked} 条")
    return checked, None
