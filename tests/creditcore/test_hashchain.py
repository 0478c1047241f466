"""The hash chain on literal chains: every kind of tampering stops the walk at the right link."""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from creditcore.hashchain import GENESIS_HASH, ChainLink, canonical, link_hash, verify_chain

KEY = b"test-audit-key"


def build(n: int, key: bytes = KEY) -> list[ChainLink]:
    links = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        fields = {"seq": seq, "action": f"record.create.{seq}", "detail": {"n": seq, "名称": "甲公司"}}
        entry_hash = link_hash(key, prev, fields)
        links.append(ChainLink(seq=seq, prev_hash=prev, entry_hash=entry_hash, fields=fields))
        prev = entry_hash
    return links


def verify(links: list[ChainLink], head: list[ChainLink] | None = None, key: bytes = KEY) -> Any:
    """Verify against the head the intact chain `head` (default: `links` itself) would have."""
    reference = links if head is None else head
    head_seq = reference[-1].seq if reference else 0
    head_hash = reference[-1].entry_hash if reference else GENESIS_HASH
    return verify_chain(links, key, head_seq=head_seq, head_hash=head_hash)


def test_link_hash_is_deterministic_and_ignores_key_order() -> None:
    a = link_hash(KEY, GENESIS_HASH, {"a": 1, "b": "乙"})
    b = link_hash(KEY, GENESIS_HASH, {"b": "乙", "a": 1})
    assert a == b
    assert len(a) == 64
    assert int(a, 16) >= 0


def test_link_hash_depends_on_key_previous_hash_and_fields() -> None:
    base = link_hash(KEY, GENESIS_HASH, {"a": 1})
    assert link_hash(b"another-key", GENESIS_HASH, {"a": 1}) != base
    assert link_hash(KEY, "1" * 64, {"a": 1}) != base
    assert link_hash(KEY, GENESIS_HASH, {"a": 2}) != base
    assert link_hash(KEY, GENESIS_HASH, {"a": "1"}) != base


def test_canonical_is_compact_utf8() -> None:
    assert canonical({"b": 1, "a": "甲"}) == '{"a":"甲","b":1}'.encode()


def test_empty_chain_matches_empty_head() -> None:
    assert verify_chain([], KEY, head_seq=0, head_hash=GENESIS_HASH) == (0, None)


def test_intact_chain_verifies() -> None:
    links = build(6)
    assert verify(links) == (6, None)


def test_wrong_key_breaks_at_the_first_link() -> None:
    checked, brk = verify(build(3), key=b"wrong")
    assert checked == 0
    assert brk is not None and brk.seq == 1


def test_altered_fields_break_at_that_link() -> None:
    links = build(5)
    links[2] = dataclasses.replace(links[2], fields={**links[2].fields, "action": "record.revoke"})
    checked, brk = verify(links, head=build(5))
    assert checked == 2
    assert brk is not None and brk.seq == 3 and "篡改" in brk.reason


def test_removed_middle_link_breaks_at_the_next_one() -> None:
    intact = build(5)
    links = intact[:2] + intact[3:]
    checked, brk = verify(links, head=intact)
    assert checked == 2
    assert brk is not None and brk.seq == 4 and "应为 3" in brk.reason


def test_removed_first_link_breaks_at_once() -> None:
    intact = build(3)
    checked, brk = verify(intact[1:], head=intact)
    assert checked == 0
    assert brk is not None and brk.seq == 2


def test_inserted_link_breaks_where_it_stands() -> None:
    intact = build(4)
    forged = ChainLink(seq=3, prev_hash=intact[1].entry_hash, entry_hash="ab" * 32, fields={"seq": 3})
    renumbered = [
        dataclasses.replace(link, seq=link.seq + 1, fields={**link.fields, "seq": link.seq + 1})
        for link in intact[2:]
    ]
    checked, brk = verify([*intact[:2], forged, *renumbered], head=intact)
    assert checked == 2
    assert brk is not None and brk.seq == 3


def test_duplicated_link_breaks() -> None:
    intact = build(4)
    checked, brk = verify([*intact[:3], intact[2], intact[3]], head=intact)
    assert checked == 3
    assert brk is not None and brk.seq == 3


def test_truncated_chain_breaks_at_the_first_missing_seq() -> None:
    intact = build(6)
    checked, brk = verify(intact[:4], head=intact)
    assert checked == 4
    assert brk is not None and brk.seq == 5 and "链头" in brk.reason


def test_head_with_a_different_hash_breaks() -> None:
    links = build(3)
    checked, brk = verify_chain(links, KEY, head_seq=3, head_hash="f" * 64)
    assert checked == 3
    assert brk is not None and brk.seq == 4


def test_reordered_links_break() -> None:
    intact = build(5)
    links = [intact[0], intact[2], intact[1], intact[3], intact[4]]
    checked, brk = verify(links, head=intact)
    assert checked == 1
    assert brk is not None and brk.seq == 3


def _mutate(link: ChainLink, part: str, data: st.DataObject) -> ChainLink:
    if part == "seq":
        return dataclasses.replace(link, seq=data.draw(st.integers(0, 10**6).filter(lambda s: s != link.seq)))
    if part in {"prev_hash", "entry_hash"}:
        old = getattr(link, part)
        new = data.draw(st.text("0123456789abcdef", min_size=64, max_size=64).filter(lambda h: h != old))
        return dataclasses.replace(link, **{part: new})
    key = data.draw(st.sampled_from(sorted(link.fields)))
    value = data.draw(
        st.one_of(st.integers(), st.text(max_size=8), st.none(), st.booleans()).filter(
            lambda v: v != link.fields[key] or type(v) is not type(link.fields[key])
        )
    )
    return dataclasses.replace(link, fields={**link.fields, key: value})


@given(
    n=st.integers(1, 8),
    data=st.data(),
    part=st.sampled_from(["seq", "prev_hash", "entry_hash", "fields"]),
)
def test_any_single_mutation_is_detected_at_that_link(n: int, data: st.DataObject, part: str) -> None:
    intact = build(n)
    index = data.draw(st.integers(0, n - 1))
    tampered = list(intact)
    tampered[index] = _mutate(intact[index], part, data)
    checked, brk = verify(tampered, head=intact)
    assert brk is not None
    assert checked == index
