"""Masking of personal data for display (GB/T 35273 §6.2; 等保 CES1-34/35).

Legal representatives' ID numbers and phones are shown masked everywhere by default: an ID
number keeps its region prefix and last four characters (`410***********1234`), a phone its first
three and last four digits (`138****5678`). Masking keeps the length so a reader can still tell a
complete value from a truncated one.
"""

from __future__ import annotations

MASK = "*"
MIN_HIDDEN = 4


def mask_middle(value: str, *, keep_start: int, keep_end: int) -> str:
    """`value` with everything but the first `keep_start` and last `keep_end` characters masked.

    A value too short to hide at least `MIN_HIDDEN` characters between the kept ends is masked
    entirely: showing most of a short value would reveal it.
    """
    value = value or ""
    if len(value) < keep_start + keep_end + MIN_HIDDEN:
        return MASK * len(value)
    return value[:keep_start] + MASK * (len(value) - keep_start - keep_end) + value[len(value) - keep_end :]


def mask_id_number(value: str | None) -> str:
    """`410***********1234` for an 18-character resident ID number."""
    return mask_middle((value or "").strip(), keep_start=3, keep_end=4)


def mask_phone(value: str | None) -> str:
    """`138****5678` for a mobile number; landlines keep their first three and last four digits."""
    return mask_middle((value or "").strip(), keep_start=3, keep_end=4)
