"""Verifiable, risk-weighted 双随机一公开 draws (pure Python, no Django).

A draw is a function of two things only: the frozen inputs (the target directory with grades,
tags and this year's inspections, the item list, the inspector directory with departments,
qualifications and conflicts, and the rules) and a seed. Before the draw the plan publishes the
SM3 hashes of both (the commitment); afterwards it reveals the seed, and anyone can replay the
draw from the published inputs and compare. See docs/supervision.md.
"""

from creditcore.supervision.canonical import canonical_json, inputs_hash, seed_hash, sm3_hex
from creditcore.supervision.draw import (
    DEFAULT_RATIOS_BP,
    DrawResult,
    InputError,
    Visit,
    commitment_of,
    draw,
    validate_inputs,
)
from creditcore.supervision.prng import Sm3Stream
from creditcore.supervision.verify import Difference, diff_results, replay, verify

__all__ = [
    "DEFAULT_RATIOS_BP",
    "Difference",
    "DrawResult",
    "InputError",
    "Sm3Stream",
    "Visit",
    "canonical_json",
    "commitment_of",
    "diff_results",
    "draw",
    "inputs_hash",
    "replay",
    "seed_hash",
    "sm3_hex",
    "validate_inputs",
    "verify",
]
