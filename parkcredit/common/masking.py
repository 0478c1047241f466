"""Masking of personal data for display (GB/T 35273 §6.2; 等保 CES1-34/35).

Legal representatives' ID numbers and phones are shown masked everywhere by default: an ID
number keeps its region prefix and last four characters (`410***********1234`), a phone its first
three and last four digits (`138****5678`). Masking keeps the length so a reader can still tell a
complete value from a truncated one.
"""

from __future__ import annotations

import re

MASK = "*"
# An 18-character resident ID number (17 digits and a digit or X) or a mainland mobile number,
# not part of a longer run of digits (a USCC or a decision number is not a personal number).
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
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


def mask_personal_text(value: object) -> object:
    """Free text with any ID number or mobile number inside it masked; other values unchanged.

    Imports mask the columns they know to be personal, but a payload may also arrive through the
    API or carry an unknown column that holds one: what a page shows is masked regardless.
    """
    if not isinstance(value, str):
        return value
    value = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), value)
    return _MOBILE.sub(lambda m: mask_phone(m.group(0)), value)
