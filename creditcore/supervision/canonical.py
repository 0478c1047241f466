"""Canonical JSON and SM3 (GB/T 32905-2016): the bytes a commitment is computed over.

Canonical JSON: UTF-8, keys sorted, no whitespace, non-ASCII written as itself. The inputs hold
only strings, integers, booleans, lists and objects (ratios are integers in basis points), so
every language's JSON library can rebuild the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> str:
    """The one text form of `value` that is hashed and published."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def sm3_hex(data: bytes) -> str:
    """SM3 digest as 64 lowercase hex characters (OpenSSL's, else the cryptography package's)."""
    try:
        return hashlib.new("sm3", data).hexdigest()
    except ValueError:  # an OpenSSL build without SM3
        from cryptography.hazmat.primitives import hashes

        digest = hashes.Hash(hashes.SM3())
        digest.update(data)
        return digest.finalize().hex()


def seed_hash(seed: str) -> str:
    """SM3 of the seed's ASCII text (the seed is published as 64 hex characters)."""
    return sm3_hex(seed.encode("ascii"))


def inputs_hash(inputs: Any) -> str:
    """SM3 of the canonical JSON of the frozen inputs."""
    return sm3_hex(canonical_json(inputs).encode("utf-8"))
