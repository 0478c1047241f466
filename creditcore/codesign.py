"""Signed enterprise-code tokens (一企一码): a compact SM2-signed format anyone can check offline.

The token travels inside a QR code as ``/c/<token>``, so it is kept small: fixed-width binary
fields, a raw 64-byte SM2 signature, base64url without padding. Layout (big-endian, 93 bytes,
124 characters)::

    offset  size  field
    0       1     version (``TOKEN_VERSION`` = 1)
    1       3     key id: first 3 bytes of SM3(uncompressed public key point)
    4       4     serial number of the code (unsigned)
    8       4     issued at, seconds since 1970-01-01 UTC (unsigned)
    12      4     valid until, seconds since 1970-01-01 UTC (unsigned)
    16      1     grade, one ASCII capital A-D
    17      12    USCC: 18 characters of 0-9A-Z read as a base-36 number
    29      64    SM2 signature (r || s, 32 bytes each) over CONTEXT + bytes 0-28

93 is a multiple of 3, so the base64url text has no padding and no spare bits: every character
change changes the bytes. Decoding is strict anyway (the text must re-encode to itself).

The signature covers a context prefix, so a signature the same park key makes for another
purpose (a credit report number, say) can never pass as a code token.

Signing sits behind two small protocols, `Signer` and `Verifier`; `SM2Signer`/`SM2Verifier`
implement them with tongsuopy (Tongsuo, the OpenSSL fork with the Chinese algorithms), which is
imported only inside those classes, so the format code never depends on one library.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from cryptography.hazmat.primitives import hashes

TOKEN_VERSION = 1
CONTEXT = b"parkcredit/enterprise-code\x00"
ALGORITHM = "SM2-SM3"
KEY_ID_BYTES = 3
SIGNATURE_BYTES = 64
USCC_LENGTH = 18
USCC_BYTES = 12
GRADES = "ABCD"
# A token issued up to this far in the future still verifies: clocks of phones and offline
# checkers drift, and issue time is not a security property (the signature is).
CLOCK_LEEWAY = timedelta(minutes=5)

_HEADER = struct.Struct(">B3sIIIc12s")
PAYLOAD_BYTES = _HEADER.size
TOKEN_BYTES = PAYLOAD_BYTES + SIGNATURE_BYTES
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MAX_SECONDS = 2**32 - 1


# --- reasons ------------------------------------------------------------------------------------

OK = "ok"
MALFORMED = "malformed"
UNSUPPORTED_VERSION = "unsupported_version"
UNKNOWN_KEY = "unknown_key"
BAD_SIGNATURE = "bad_signature"
NOT_YET_VALID = "not_yet_valid"
EXPIRED = "expired"
# Reasons only a checker with the park's database can give (the token itself is genuine).
REVOKED = "revoked"
SUPERSEDED = "superseded"
UNKNOWN_CODE = "unknown_code"

MESSAGES: dict[str, str] = {
    OK: "已验证:签名有效,且在有效期内",
    MALFORMED: "格式错误:这不是本平台签发的企业信用码,或在传递中被截断、改动",
    UNSUPPORTED_VERSION: "格式错误:不支持的信用码版本",
    UNKNOWN_KEY: "签名无效:信用码不是用本园区的签名密钥签发的",
    BAD_SIGNATURE: "签名无效:信用码内容被篡改或伪造",
    NOT_YET_VALID: "尚未生效:签发时间晚于当前时间",
    EXPIRED: "已过期:信用码超过有效期",
    REVOKED: "已撤销:园区已撤销该信用码",
    SUPERSEDED: "已失效:该企业已有更新的信用码",
    UNKNOWN_CODE: "无此信用码:签名有效,但园区档案中没有该信用码",
}
# Reasons that mean "this is not a genuine, intact token" (as opposed to a genuine one that
# is no longer good): the public page shows them as a forgery warning.
FORGERY_REASONS = frozenset({MALFORMED, UNSUPPORTED_VERSION, UNKNOWN_KEY, BAD_SIGNATURE})


class TokenError(ValueError):
    """A token or claim that cannot be encoded/decoded; `reason` is one of the reason codes."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        super().__init__(detail or MESSAGES.get(reason, reason))


# --- signing interface ------------------------------------------------------------------------


@runtime_checkable
class Verifier(Protocol):
    """Checks signatures made by the matching `Signer`."""

    algorithm: str

    @property
    def key_id(self) -> bytes: ...

    def verify(self, message: bytes, signature: bytes) -> bool: ...

    def public_pem(self) -> bytes: ...


@runtime_checkable
class Signer(Protocol):
    """Signs messages with a private key; `verifier()` gives the public half."""

    algorithm: str

    @property
    def key_id(self) -> bytes: ...

    def sign(self, message: bytes) -> bytes: ...

    def verifier(self) -> Verifier: ...


def key_id_of(public_point: bytes) -> bytes:
    """Short key identifier: the first bytes of SM3 over the uncompressed public point."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(public_point)
    return digest.finalize()[:KEY_ID_BYTES]


# --- SM2 with tongsuopy -------------------------------------------------------------------------


def _der_to_raw(der: bytes) -> bytes:
    """DER ``SEQUENCE { INTEGER r, INTEGER s }`` -> 64 bytes r || s."""
    if len(der) < 8 or der[0] != 0x30:
        raise ValueError("not a DER signature")
    pos = 2 if der[1] < 0x80 else 3
    values: list[int] = []
    for _ in range(2):
        if der[pos] != 0x02:
            raise ValueError("not a DER signature")
        length = der[pos + 1]
        values.append(int.from_bytes(der[pos + 2 : pos + 2 + length], "big"))
        pos += 2 + length
    return values[0].to_bytes(32, "big") + values[1].to_bytes(32, "big")


def _der_length(n: int) -> bytes:
    return bytes([n]) if n < 0x80 else bytes([0x81, n])


def _der_integer(value: int) -> bytes:
    body = value.to_bytes(max(1, (value.bit_length() + 8) // 8), "big")
    return b"\x02" + _der_length(len(body)) + body


def _raw_to_der(raw: bytes) -> bytes:
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    body = _der_integer(r) + _der_integer(s)
    return b"\x30" + _der_length(len(body)) + body


def _sm2() -> tuple[Any, Any, Any, Any]:
    # Imported lazily: only code that really signs or verifies needs the native library.
    from tongsuopy.crypto import hashes as t_hashes
    from tongsuopy.crypto import serialization
    from tongsuopy.crypto.asymciphers import ec
    from tongsuopy.crypto.exceptions import InvalidSignature

    return ec, t_hashes, serialization, InvalidSignature


class SM2Verifier:
    """SM2 signature check (GB/T 32918, SM3 digest, default user ID 1234567812345678)."""

    algorithm = ALGORITHM

    def __init__(self, public_key: Any) -> None:
        ec, _hashes, serialization, _invalid = _sm2()
        if not isinstance(public_key.curve, ec.SM2):
            raise ValueError("不是 SM2 公钥")
        self._key = public_key
        point = public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self._key_id = key_id_of(point)

    @classmethod
    def from_pem(cls, pem: bytes) -> SM2Verifier:
        """A verifier from a PEM public key, or from a PEM private key (its public half)."""
        _ec, _hashes, serialization, _invalid = _sm2()
        if b"PRIVATE KEY" in pem:
            return SM2Signer.from_pem(pem).verifier()
        try:
            key = serialization.load_pem_public_key(pem)
        except Exception as exc:  # tongsuopy raises several types for bad input
            raise ValueError(f"无法读取 SM2 公钥:{exc}") from None
        return cls(key)

    @property
    def key_id(self) -> bytes:
        return self._key_id

    def verify(self, message: bytes, signature: bytes) -> bool:
        ec, t_hashes, _serialization, invalid = _sm2()
        if len(signature) != SIGNATURE_BYTES:
            return False
        try:
            self._key.verify(_raw_to_der(signature), message, ec.ECDSA(t_hashes.SM3()))
        except invalid:
            return False
        except Exception:  # an r or s outside the group order makes Tongsuo refuse the input
            return False
        return True

    def public_pem(self) -> bytes:
        _ec, _hashes, serialization, _invalid = _sm2()
        pem: bytes = self._key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return pem


class SM2Signer:
    """SM2 signing with a private key held in memory."""

    algorithm = ALGORITHM

    def __init__(self, private_key: Any) -> None:
        ec, _hashes, _serialization, _invalid = _sm2()
        if not isinstance(private_key.curve, ec.SM2):
            raise ValueError("不是 SM2 私钥")
        self._key = private_key
        self._verifier = SM2Verifier(private_key.public_key())

    @classmethod
    def generate(cls) -> SM2Signer:
        ec, _hashes, _serialization, _invalid = _sm2()
        return cls(ec.generate_private_key(ec.SM2()))

    @classmethod
    def from_pem(cls, pem: bytes, password: bytes | None = None) -> SM2Signer:
        _ec, _hashes, serialization, _invalid = _sm2()
        try:
            key = serialization.load_pem_private_key(pem, password)
        except Exception as exc:  # tongsuopy raises several types for bad input
            raise ValueError(f"无法读取 SM2 私钥:{exc}") from None
        return cls(key)

    @property
    def key_id(self) -> bytes:
        return self._verifier.key_id

    def sign(self, message: bytes) -> bytes:
        ec, t_hashes, _serialization, _invalid = _sm2()
        return _der_to_raw(self._key.sign(message, ec.ECDSA(t_hashes.SM3())))

    def verifier(self) -> SM2Verifier:
        return self._verifier

    def private_pem(self, password: bytes | None = None) -> bytes:
        """PKCS#8 PEM, encrypted with `password` when given."""
        _ec, _hashes, serialization, _invalid = _sm2()
        encryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        )
        pem: bytes = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        return pem

    def public_pem(self) -> bytes:
        return self._verifier.public_pem()


# --- token format -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeClaims:
    """What a token asserts: this enterprise had this grade, in code `serial`, for this period."""

    uscc: str
    serial: int
    grade: str
    issued_at: datetime
    valid_until: datetime


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of checking a token. Claims are filled only when the signature is good."""

    valid: bool
    reason: str
    message: str
    uscc: str | None = None
    grade: str | None = None
    serial: int | None = None
    issued_at: datetime | None = None
    valid_until: datetime | None = None

    @property
    def forged(self) -> bool:
        """True when the token is not a genuine, intact token of this key."""
        return self.reason in FORGERY_REASONS

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "reason": self.reason,
            "message": self.message,
            "uscc": self.uscc,
            "grade": self.grade,
            "serial": self.serial,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }


def _seconds(moment: datetime, name: str) -> int:
    if moment.tzinfo is None:
        raise TokenError(MALFORMED, f"{name} 必须带时区")
    value = int(moment.timestamp())
    if not 0 <= value <= _MAX_SECONDS:
        raise TokenError(MALFORMED, f"{name} 超出可表示范围")
    return value


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def uscc_pack(uscc: str) -> bytes:
    """18 characters of 0-9A-Z -> 12 bytes (the code read as a base-36 number)."""
    if len(uscc) != USCC_LENGTH or any(ch not in _BASE36 for ch in uscc):
        raise TokenError(MALFORMED, f"统一社会信用代码 {uscc!r} 不是 18 位数字或大写字母")
    return int(uscc, 36).to_bytes(USCC_BYTES, "big")


def uscc_unpack(data: bytes) -> str:
    value = int.from_bytes(data, "big")
    if value >= 36**USCC_LENGTH:
        raise TokenError(MALFORMED, "统一社会信用代码字段越界")
    chars = []
    for _ in range(USCC_LENGTH):
        value, digit = divmod(value, 36)
        chars.append(_BASE36[digit])
    return "".join(reversed(chars))


def claims_check(claims: CodeClaims) -> None:
    """Raise TokenError(MALFORMED) if `claims` cannot be put into a token."""
    if claims.grade not in GRADES or len(claims.grade) != 1:
        raise TokenError(MALFORMED, f"等级 {claims.grade!r} 无效,应为 A、B、C 或 D")
    if not 0 <= claims.serial < 2**32:
        raise TokenError(MALFORMED, f"序列号 {claims.serial} 超出范围")
    if _seconds(claims.valid_until, "valid_until") <= _seconds(claims.issued_at, "issued_at"):
        raise TokenError(MALFORMED, "有效期截止时间必须晚于签发时间")
    uscc_pack(claims.uscc)


def payload_encode(claims: CodeClaims, key_id: bytes) -> bytes:
    claims_check(claims)
    return _HEADER.pack(
        TOKEN_VERSION,
        key_id,
        claims.serial,
        _seconds(claims.issued_at, "issued_at"),
        _seconds(claims.valid_until, "valid_until"),
        claims.grade.encode("ascii"),
        uscc_pack(claims.uscc),
    )


def token_encode(claims: CodeClaims, signer: Signer) -> str:
    """Sign `claims` and return the URL-safe token (times are truncated to whole seconds)."""
    payload = payload_encode(claims, signer.key_id)
    signature = signer.sign(CONTEXT + payload)
    if len(signature) != SIGNATURE_BYTES:
        raise ValueError(f"签名长度 {len(signature)} 字节,应为 {SIGNATURE_BYTES}")
    return base64.urlsafe_b64encode(payload + signature).decode("ascii").rstrip("=")


@dataclass(frozen=True)
class DecodedToken:
    claims: CodeClaims
    key_id: bytes
    message: bytes
    signature: bytes


def token_decode(token: str) -> DecodedToken:
    """Parse a token without checking its signature; raises TokenError on any format problem."""
    if not isinstance(token, str) or not token.isascii() or len(token) != TOKEN_BYTES * 4 // 3:
        raise TokenError(MALFORMED)
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, ValueError):
        raise TokenError(MALFORMED) from None
    # Strict: only the canonical spelling is accepted, so no two texts name the same token.
    if len(raw) != TOKEN_BYTES or base64.urlsafe_b64encode(raw).decode("ascii") != token:
        raise TokenError(MALFORMED)
    version, key_id, serial, issued, until, grade, uscc = _HEADER.unpack(raw[:PAYLOAD_BYTES])
    if version != TOKEN_VERSION:
        raise TokenError(UNSUPPORTED_VERSION)
    grade_text = grade.decode("latin-1")
    if grade_text not in GRADES or until <= issued:
        raise TokenError(MALFORMED)
    claims = CodeClaims(
        uscc=uscc_unpack(uscc),
        serial=serial,
        grade=grade_text,
        issued_at=_moment(issued),
        valid_until=_moment(until),
    )
    return DecodedToken(
        claims=claims,
        key_id=key_id,
        message=CONTEXT + raw[:PAYLOAD_BYTES],
        signature=raw[PAYLOAD_BYTES:],
    )


def refused(reason: str) -> TokenCheck:
    """The check of a token that is not genuine (`reason` is one of `FORGERY_REASONS`)."""
    return TokenCheck(valid=False, reason=reason, message=MESSAGES[reason])


def signature_claims(token: str, verifier: Verifier) -> CodeClaims:
    """The claims of `token` once its format, key and signature check out.

    Raises TokenError with a forgery reason otherwise. The outcome depends on the token and the
    key only, never on the time, so a caller may remember it per (key, token).
    """
    decoded = token_decode(token)
    if decoded.key_id != verifier.key_id:
        raise TokenError(UNKNOWN_KEY)
    if not verifier.verify(decoded.message, decoded.signature):
        raise TokenError(BAD_SIGNATURE)
    return decoded.claims


def claims_check_at(claims: CodeClaims, *, now: datetime) -> TokenCheck:
    """The check of genuine `claims` as of `now`: in force, not yet valid, or expired."""
    if now.tzinfo is None:
        raise ValueError("now 必须带时区")
    if now + CLOCK_LEEWAY < claims.issued_at:
        reason = NOT_YET_VALID
    elif now >= claims.valid_until:
        reason = EXPIRED
    else:
        reason = OK
    return TokenCheck(
        valid=reason == OK,
        reason=reason,
        message=MESSAGES[reason],
        uscc=claims.uscc,
        grade=claims.grade,
        serial=claims.serial,
        issued_at=claims.issued_at,
        valid_until=claims.valid_until,
    )


def verify_token(token: str, verifier: Verifier, *, now: datetime) -> TokenCheck:
    """Check format, key, signature and validity period of `token` as of `now` (offline).

    Claims are returned only once the signature is good: a forged token reveals nothing.
    """
    try:
        claims = signature_claims(token, verifier)
    except TokenError as exc:
        return refused(exc.reason)
    return claims_check_at(claims, now=now)


def with_status(check: TokenCheck, reason: str) -> TokenCheck:
    """`check` downgraded to a database-side reason (revoked, superseded, unknown code)."""
    return TokenCheck(
        valid=False,
        reason=reason,
        message=MESSAGES[reason],
        uscc=check.uscc,
        grade=check.grade,
        serial=check.serial,
        issued_at=check.issued_at,
        valid_until=check.valid_until,
    )
