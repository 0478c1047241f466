"""国密 primitives used by the platform: SM4-GCM for personal data, HMAC-SM3 digests.

Behind these functions sits the `cryptography` library (OpenSSL). A certified cipher machine
(GM/T 0018 SDF) can replace them later without touching callers.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

_PREFIX = "sm4gcm:"
_NONCE = 12
_TAG = 16


def _key() -> bytes:
    key = bytes.fromhex(settings.FIELD_ENCRYPTION_KEY)
    if len(key) != 16:
        raise ValueError("FIELD_ENCRYPTION_KEY 必须是 32 位十六进制字符(128 位 SM4 密钥)")
    return key


def encrypt_text(plain: str) -> str:
    nonce = os.urandom(_NONCE)
    encryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plain.encode("utf-8")) + encryptor.finalize()
    return _PREFIX + base64.b64encode(nonce + body + encryptor.tag).decode("ascii")


def decrypt_text(stored: str) -> str:
    if not stored.startswith(_PREFIX):
        # Rows written before encryption was switched on; re-saving encrypts them.
        return stored
    raw = base64.b64decode(stored[len(_PREFIX) :])
    nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    decryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")


def hmac_sm3(key: bytes, message: bytes) -> str:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    return mac.finalize().hex()


def sm3_hex(message: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(message)
    return digest.finalize().hex()
