"""The park's SM2 key pair for enterprise codes (and anything else the park signs).

The private key lives in a PEM file, `settings.CODE_SIGNING_KEY_FILE`. Outside production a
missing file is generated on first use (so a laptop demo just works); in production the file
must exist and hold an SM2 private key, or the codes app refuses to start (`key_check_production`,
called from `CodesConfig.ready`), just as settings refuse the published default secrets.

`park_signer()` and `park_verifier()` are what other apps use; they return objects behind the
`creditcore.codesign` protocols, so callers never touch the SM2 library. Anything else signed
with this key must sign its own context prefix (see `creditcore.codesign.CONTEXT`), so that a
signature made for one purpose can never be replayed as another.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from creditcore.codesign import Signer, SM2Signer, SM2Verifier, Verifier

_lock = threading.Lock()
_cache: dict[tuple[str, int], SM2Signer] = {}
_verifiers: dict[tuple[str, int], Verifier] = {}


def signing_key_path() -> Path:
    return Path(settings.CODE_SIGNING_KEY_FILE)


def key_write_new(path: Path) -> SM2Signer:
    """Generate a key pair and write the private key to `path` (mode 0600); never overwrites.

    The key is written to a temporary file and hard-linked into place, so two processes starting
    at once cannot both win: the loser gets FileExistsError and loads the winner's key.
    """
    signer = SM2Signer.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A random name: a temporary file left by a process killed mid-write (whose pid a restarted
    # container may well reuse) must not make every later attempt fail on O_EXCL.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(signer.private_pem())
        os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return signer


def _load(path: Path) -> SM2Signer:
    stamp = path.stat().st_mtime_ns  # FileNotFoundError tells the caller to generate
    key = (str(path), stamp)
    signer = _cache.get(key)
    if signer is None:
        try:
            signer = SM2Signer.from_pem(path.read_bytes())
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"CODE_SIGNING_KEY_FILE 文件 {path} 不是可用的 SM2 私钥:{exc}"
            ) from None
        _cache.clear()
        _cache[key] = signer
    return signer


def park_signer() -> Signer:
    """The park's signer; generates the key file on first use outside production."""
    path = signing_key_path()
    with _lock:
        try:
            return _load(path)
        except FileNotFoundError:
            if settings.PRODUCTION:
                raise ImproperlyConfigured(
                    f"生产环境拒绝启动:企业信用码签名密钥文件 {path} 不存在"
                    "(CODE_SIGNING_KEY_FILE,用 parkcredit code keygen --out 生成)"
                ) from None
        with contextlib.suppress(FileExistsError):
            key_write_new(path)
        return _load(path)


def park_verifier() -> Verifier:
    """The park's public key: `CODE_VERIFY_KEY_FILE` when set, else the public half of the signer."""
    public = str(getattr(settings, "CODE_VERIFY_KEY_FILE", "") or "")
    if public:
        return verifier_from_file(Path(public))
    return park_signer().verifier()


def verifier_from_file(path: Path) -> Verifier:
    """A verifier from a PEM file holding an SM2 public key (or a private key: its public half).

    The same object is returned while the file is unchanged, like `park_signer`, so what is
    remembered per verifier (the public page's signature checks) survives between requests.
    """
    try:
        key = (str(path), path.stat().st_mtime_ns)
        verifier = _verifiers.get(key)
        if verifier is not None:
            return verifier
        pem = path.read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(f"无法读取公钥文件 {path}:{exc.strerror}") from None
    try:
        verifier = SM2Verifier.from_pem(pem)
    except ValueError as exc:
        raise ImproperlyConfigured(f"文件 {path} 不是可用的 SM2 公钥:{exc}") from None
    with _lock:
        _verifiers.clear()
        _verifiers[key] = verifier
    return verifier


def key_check_production() -> None:
    """In production, refuse to start unless the signing key file exists and is an SM2 private key."""
    if not settings.PRODUCTION:
        return
    path = signing_key_path()
    if not path.is_file():
        raise ImproperlyConfigured(
            f"生产环境拒绝启动:企业信用码签名密钥文件 {path} 不存在"
            "(CODE_SIGNING_KEY_FILE,用 parkcredit code keygen --out 生成)"
        )
    with _lock:
        _load(path)
