"""The park's signature on a credit report.

The park's SM2 key (`parkcredit.codes.keys`) signs more than one kind of thing, so the signed
message starts with a context prefix of its own: a report signature can never be replayed as an
enterprise-code token or the other way round (see `creditcore.codesign.CONTEXT`). The message
is the JSON array [report_no, uscc, grade, digest]: unambiguous field boundaries, and the same
bytes on every platform.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

CONTEXT = b"parkcredit/credit-report\x00"


def signed_message(*, report_no: str, uscc: str, grade: str, digest: str) -> bytes:
    fields = [report_no, uscc, grade, digest]
    return CONTEXT + json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode("ascii")


@dataclass(frozen=True, slots=True)
class Signature:
    """A stored signature: the key it claims and the raw SM2 signature, as text."""

    key_id: str  # hex
    value: str  # base64

    def text(self) -> str:
        return f"{self.key_id}:{self.value}"

    @classmethod
    def parse(cls, text: str) -> Signature | None:
        key_id, sep, value = (text or "").partition(":")
        return cls(key_id=key_id, value=value) if sep and key_id and value else None


def report_sign(*, report_no: str, uscc: str, grade: str, digest: str) -> str:
    """The park signature over the report's identity, as stored in `CreditReport.signature`."""
    from parkcredit.codes.keys import park_signer

    signer = park_signer()
    raw = signer.sign(signed_message(report_no=report_no, uscc=uscc, grade=grade, digest=digest))
    return Signature(key_id=signer.key_id.hex(), value=base64.b64encode(raw).decode("ascii")).text()


# Outcomes of a check, each with the sentence the verification page shows.
VALID = "valid"
BAD_SIGNATURE = "bad_signature"
UNKNOWN_KEY = "unknown_key"


def report_signature_check(*, report_no: str, uscc: str, grade: str, digest: str, signature: str) -> str:
    """VALID when `signature` is the park's signature over these fields, else why not."""
    from parkcredit.codes.keys import park_verifier

    parsed = Signature.parse(signature)
    if parsed is None:
        return BAD_SIGNATURE
    verifier = park_verifier()
    if parsed.key_id != verifier.key_id.hex():
        return UNKNOWN_KEY
    try:
        raw = base64.b64decode(parsed.value, validate=True)
    except (binascii.Error, ValueError):
        return BAD_SIGNATURE
    message = signed_message(report_no=report_no, uscc=uscc, grade=grade, digest=digest)
    return VALID if verifier.verify(message, raw) else BAD_SIGNATURE
