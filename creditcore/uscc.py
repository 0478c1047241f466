"""Unified social credit code (统一社会信用代码, GB 32100-2015). Being extended by a helper."""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {ch: i for i, ch in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (mod 31, weights 3^i mod 31)."""
    total = sum(_VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def with_check_character(first17: str) -> str:
    return first17 + check_character(first17)
