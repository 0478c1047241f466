"""Enterprise-code tokens: format, SM2 signatures, validity, and tamper detection."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditcore import codesign as cs

SIGNER = cs.SM2Signer.generate()
VERIFIER = SIGNER.verifier()
NOW = datetime(2026, 11, 29, 8, 0, 0, tzinfo=UTC)
CLAIMS = cs.CodeClaims(
    uscc="91320500MA1XXXXX3B",
    serial=4711,
    grade="B",
    issued_at=NOW,
    valid_until=NOW + timedelta(days=365),
)
TOKEN = cs.token_encode(CLAIMS, SIGNER)


# --- an independent SM2 verifier (GB/T 32918.2), to show the library really does SM2 ---------

P = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
G = (
    0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
)
DEFAULT_ID = b"1234567812345678"

Point = tuple[int, int] | None


def _add(p1: Point, p2: Point) -> Point:
    if p1 is None:
        return p2
    if p2 is None:
        return p1
    (x1, y1), (x2, y2) = p1, p2
    if x1 == x2 and (y1 + y2) % P == 0:
        return None
    slope = (3 * x1 * x1 + A) * pow(2 * y1, -1, P) % P if p1 == p2 else (y2 - y1) * pow(x2 - x1, -1, P) % P
    x3 = (slope * slope - x1 - x2) % P
    return x3, (slope * (x1 - x3) - y1) % P


def _mul(k: int, point: Point) -> Point:
    result: Point = None
    while k:
        if k & 1:
            result = _add(result, point)
        point = _add(point, point)
        k >>= 1
    return result


def _sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def _public_point(verifier: cs.SM2Verifier) -> tuple[int, int]:
    from tongsuopy.crypto import serialization

    numbers = serialization.load_pem_public_key(verifier.public_pem()).public_numbers()
    return numbers.x, numbers.y


def sm2_verify_reference(point: tuple[int, int], message: bytes, signature: bytes) -> bool:
    def b32(v: int) -> bytes:
        return v.to_bytes(32, "big")

    z = _sm3(
        (len(DEFAULT_ID) * 8).to_bytes(2, "big")
        + DEFAULT_ID
        + b32(A)
        + b32(B)
        + b32(G[0])
        + b32(G[1])
        + b32(point[0])
        + b32(point[1])
    )
    e = int.from_bytes(_sm3(z + message), "big")
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (1 <= r < N and 1 <= s < N):
        return False
    t = (r + s) % N
    if t == 0:
        return False
    summed = _add(_mul(s, G), _mul(t, point))
    return summed is not None and (e + summed[0]) % N == r


def test_curve_constants_are_consistent() -> None:
    assert (G[1] ** 2 - G[0] ** 3 - A * G[0] - B) % P == 0
    assert _mul(N, G) is None


def test_signatures_are_standard_sm2_with_the_default_user_id() -> None:
    message = b"interop check \xe4\xb8\xad"
    signature = SIGNER.sign(message)
    assert len(signature) == 64
    point = _public_point(VERIFIER)
    assert sm2_verify_reference(point, message, signature)
    assert not sm2_verify_reference(point, message + b"!", signature)


def test_token_signature_verifies_with_the_reference_implementation() -> None:
    decoded = cs.token_decode(TOKEN)
    assert sm2_verify_reference(_public_point(VERIFIER), decoded.message, decoded.signature)


# --- keys -----------------------------------------------------------------------------------------


def test_pem_round_trip_keeps_the_key() -> None:
    again = cs.SM2Signer.from_pem(SIGNER.private_pem())
    assert again.key_id == SIGNER.key_id
    assert VERIFIER.verify(b"m", again.sign(b"m"))
    public = cs.SM2Verifier.from_pem(SIGNER.public_pem())
    assert public.key_id == SIGNER.key_id
    assert public.verify(b"m", SIGNER.sign(b"m"))
    # A private PEM is accepted where a public key is wanted: its public half is used.
    assert cs.SM2Verifier.from_pem(SIGNER.private_pem()).key_id == SIGNER.key_id


def test_encrypted_private_pem_needs_its_password() -> None:
    pem = SIGNER.private_pem(b"s3cret")
    assert b"ENCRYPTED" in pem
    assert cs.SM2Signer.from_pem(pem, b"s3cret").key_id == SIGNER.key_id
    with pytest.raises(ValueError, match="SM2"):
        cs.SM2Signer.from_pem(pem, b"wrong")


@pytest.mark.parametrize("pem", [b"", b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"])
def test_garbage_pem_is_refused(pem: bytes) -> None:
    with pytest.raises(ValueError, match="SM2"):
        cs.SM2Verifier.from_pem(pem)


def test_implementations_satisfy_the_protocols() -> None:
    assert isinstance(SIGNER, cs.Signer)
    assert isinstance(VERIFIER, cs.Verifier)
    assert len(SIGNER.key_id) == cs.KEY_ID_BYTES
    assert cs.SM2Signer.generate().key_id != SIGNER.key_id


def test_signatures_of_wrong_length_are_refused() -> None:
    signature = SIGNER.sign(b"m")
    assert not VERIFIER.verify(b"m", signature[:-1])
    assert not VERIFIER.verify(b"m", signature + b"\x00")
    assert not VERIFIER.verify(b"m", b"\xff" * 64)  # r and s beyond the group order


# --- token format ---------------------------------------------------------------------------------


def test_token_is_compact_url_safe_and_carries_the_claims() -> None:
    assert len(TOKEN) == 124
    assert set(TOKEN) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    check = cs.verify_token(TOKEN, VERIFIER, now=NOW + timedelta(days=1))
    assert check.valid and check.reason == cs.OK and check.message.startswith("已验证")
    assert (check.uscc, check.grade, check.serial) == ("91320500MA1XXXXX3B", "B", 4711)
    assert check.issued_at == NOW and check.valid_until == NOW + timedelta(days=365)
    assert check.as_json()["valid_until"] == "2027-11-29T08:00:00+00:00"


def test_legacy_pilot_uscc_survives_packing() -> None:
    legacy = "91350211M0000XUF46"
    assert cs.uscc_unpack(cs.uscc_pack(legacy)) == legacy
    assert cs.uscc_unpack(cs.uscc_pack("000000000000000000")) == "000000000000000000"
    assert cs.uscc_unpack(cs.uscc_pack("ZZZZZZZZZZZZZZZZZZ")) == "ZZZZZZZZZZZZZZZZZZ"


def test_uscc_field_beyond_36_to_the_18th_is_malformed() -> None:
    with pytest.raises(cs.TokenError) as info:
        cs.uscc_unpack(b"\xff" * cs.USCC_BYTES)
    assert info.value.reason == cs.MALFORMED


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("grade", "E", "等级"),
        ("grade", "", "等级"),
        ("uscc", "91320500MA1XXXXX3", "统一社会信用代码"),
        ("uscc", "91320500ma1xxxxx3b", "统一社会信用代码"),
        ("serial", -1, "序列号"),
        ("serial", 2**32, "序列号"),
        ("valid_until", NOW, "晚于"),
        ("issued_at", datetime(2026, 11, 29, 8, 0), "时区"),
    ],
)
def test_claims_that_cannot_be_encoded_are_refused(field: str, value: object, fragment: str) -> None:
    claims = cs.CodeClaims(**{**CLAIMS.__dict__, field: value})
    with pytest.raises(cs.TokenError, match=fragment):
        cs.token_encode(claims, SIGNER)


def test_times_are_whole_seconds() -> None:
    claims = cs.CodeClaims(**{**CLAIMS.__dict__, "issued_at": NOW + timedelta(microseconds=999_999)})
    check = cs.verify_token(cs.token_encode(claims, SIGNER), VERIFIER, now=NOW + timedelta(days=1))
    assert check.issued_at == NOW


@pytest.mark.parametrize(
    "token",
    [
        "",
        "x",
        TOKEN[:-1],
        TOKEN + "A",
        TOKEN + "=",
        TOKEN[:-4] + "====",
        TOKEN.replace(TOKEN[5], "+", 1),
        "中" * 124,
    ],
)
def test_garbled_tokens_are_malformed(token: str) -> None:
    check = cs.verify_token(token, VERIFIER, now=NOW)
    assert not check.valid and check.reason == cs.MALFORMED and check.forged
    assert check.uscc is None and check.grade is None


def _reencode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def test_other_version_is_refused_as_unsupported() -> None:
    raw = bytearray(base64.urlsafe_b64decode(TOKEN))
    raw[0] = 2
    assert cs.verify_token(_reencode(bytes(raw)), VERIFIER, now=NOW).reason == cs.UNSUPPORTED_VERSION


def test_token_of_another_key_is_refused_as_unknown_key() -> None:
    other = cs.SM2Signer.generate()
    check = cs.verify_token(cs.token_encode(CLAIMS, other), VERIFIER, now=NOW)
    assert check.reason == cs.UNKNOWN_KEY and check.forged and check.uscc is None


def test_forged_key_id_does_not_help() -> None:
    # A forger who copies our key id still cannot make a signature that verifies.
    other = cs.SM2Signer.generate()
    raw = bytearray(base64.urlsafe_b64decode(cs.token_encode(CLAIMS, other)))
    raw[1:4] = SIGNER.key_id
    check = cs.verify_token(_reencode(bytes(raw)), VERIFIER, now=NOW)
    assert check.reason == cs.BAD_SIGNATURE and not check.valid


def test_a_grade_upgrade_by_editing_the_grade_byte_is_caught() -> None:
    raw = bytearray(base64.urlsafe_b64decode(TOKEN))
    raw[16] = ord("A")
    check = cs.verify_token(_reencode(bytes(raw)), VERIFIER, now=NOW)
    assert check.reason == cs.BAD_SIGNATURE and check.grade is None


def test_signature_for_another_purpose_does_not_pass_as_a_token() -> None:
    raw = base64.urlsafe_b64decode(TOKEN)
    payload = raw[: cs.PAYLOAD_BYTES]
    replayed = _reencode(payload + SIGNER.sign(b"parkcredit/report\x00" + payload))
    assert cs.verify_token(replayed, VERIFIER, now=NOW).reason == cs.BAD_SIGNATURE


def test_expiry_is_exclusive_of_valid_until() -> None:
    end = CLAIMS.valid_until
    assert cs.verify_token(TOKEN, VERIFIER, now=end - timedelta(seconds=1)).valid
    expired = cs.verify_token(TOKEN, VERIFIER, now=end)
    assert not expired.valid and expired.reason == cs.EXPIRED and not expired.forged
    # A genuine but expired token still says whose it is: the page can name the enterprise.
    assert expired.uscc == CLAIMS.uscc and expired.message.startswith("已过期")


def test_token_from_the_future_beyond_the_leeway_is_not_yet_valid() -> None:
    assert cs.verify_token(TOKEN, VERIFIER, now=NOW - timedelta(minutes=4)).valid
    early = cs.verify_token(TOKEN, VERIFIER, now=NOW - timedelta(minutes=6))
    assert early.reason == cs.NOT_YET_VALID and not early.valid


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="时区"):
        cs.verify_token(TOKEN, VERIFIER, now=datetime(2026, 11, 29))


def test_database_reasons_keep_the_claims() -> None:
    check = cs.with_status(cs.verify_token(TOKEN, VERIFIER, now=NOW), cs.REVOKED)
    assert not check.valid and check.reason == cs.REVOKED and check.uscc == CLAIMS.uscc
    assert not check.forged


# --- properties -------------------------------------------------------------------------------------

TOKEN_BYTES = base64.urlsafe_b64decode(TOKEN)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@settings(max_examples=300, deadline=None)
@given(position=st.integers(0, len(TOKEN_BYTES) - 1), flip=st.integers(1, 255))
def test_any_single_byte_change_is_refused_as_forged(position: int, flip: int) -> None:
    raw = bytearray(TOKEN_BYTES)
    raw[position] ^= flip
    check = cs.verify_token(_reencode(bytes(raw)), VERIFIER, now=NOW)
    assert not check.valid
    assert check.reason in cs.FORGERY_REASONS
    assert check.uscc is None


@settings(max_examples=300, deadline=None)
@given(position=st.integers(0, len(TOKEN) - 1), char=st.sampled_from(ALPHABET))
def test_any_single_character_change_is_refused_as_forged(position: int, char: str) -> None:
    changed = TOKEN[:position] + char + TOKEN[position + 1 :]
    check = cs.verify_token(changed, VERIFIER, now=NOW)
    if changed == TOKEN:
        assert check.valid
    else:
        assert not check.valid and check.reason in cs.FORGERY_REASONS


USCC_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@settings(max_examples=100, deadline=None)
@given(
    uscc=st.text(alphabet=USCC_CHARS, min_size=18, max_size=18),
    serial=st.integers(0, 2**32 - 1),
    grade=st.sampled_from("ABCD"),
    issued=st.integers(0, 2**32 - 2),
    length=st.integers(1, 10**9),
)
def test_claims_round_trip(uscc: str, serial: int, grade: str, issued: int, length: int) -> None:
    until = min(issued + length, 2**32 - 1)
    claims = cs.CodeClaims(
        uscc=uscc,
        serial=serial,
        grade=grade,
        issued_at=datetime.fromtimestamp(issued, tz=UTC),
        valid_until=datetime.fromtimestamp(until, tz=UTC),
    )
    token = cs.token_encode(claims, SIGNER)
    assert len(token) == 124
    assert cs.token_decode(token).claims == claims
    check = cs.verify_token(token, VERIFIER, now=claims.issued_at)
    assert check.valid and check.uscc == uscc and check.serial == serial
