"""A portable pseudo-random stream: SM3 in counter mode, keyed by the seed and a label.

Block i of stream `label` is SM3(seed || 0x1f || label || 0x1f || i as 8 bytes big-endian); each
32-byte block yields four unsigned 64-bit integers (big-endian). Every random choice of a draw
comes from a stream with its own label (one per department, one for inspector assignment), so
adding a department does not shift the numbers another department sees. Integers below n use
rejection sampling (no modulo bias) and shuffles are Fisher-Yates from the last position down.
Anyone can reimplement this in a few lines of any language to replay a draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from creditcore.supervision.canonical import sm3_hex

T = TypeVar("T")

SEPARATOR = b"\x1f"
SPACE = 1 << 64


class Sm3Stream:
    """Deterministic unsigned 64-bit integers from (seed, label)."""

    def __init__(self, seed: str, label: str) -> None:
        self._prefix = seed.encode("ascii") + SEPARATOR + label.encode("utf-8") + SEPARATOR
        self._counter = 0
        self._buffer: list[int] = []

    def next_u64(self) -> int:
        if not self._buffer:
            block = bytes.fromhex(sm3_hex(self._prefix + self._counter.to_bytes(8, "big")))
            self._counter += 1
            self._buffer = [int.from_bytes(block[i : i + 8], "big") for i in (24, 16, 8, 0)]
        return self._buffer.pop()

    def below(self, n: int) -> int:
        """A uniform integer in [0, n)."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = SPACE - SPACE % n
        while True:
            value = self.next_u64()
            if value < limit:
                return value % n

    def shuffled(self, items: Sequence[T]) -> list[T]:
        """A uniformly shuffled copy (Fisher-Yates, i from len-1 down to 1, j = below(i + 1))."""
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.below(i + 1)
            out[i], out[j] = out[j], out[i]
        return out
