"""`parkcredit code …` and the park's signing key (generation, production refusal)."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from creditcore import codesign
from parkcredit.codes import keys
from parkcredit.codes.selectors import code_current
from parkcredit.codes.services import code_revoke
from parkcredit.enterprises.models import Enterprise
from tests.parkcredit.codes.support import give_grade, issued_code

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> tuple[int, dict[str, Any]]:
    out = StringIO()
    try:
        call_command("code", *args, stdout=out)
    except CommandError as exc:
        status = exc.returncode
    else:
        status = 0
    return status, json.loads(out.getvalue())


def _tampered(token: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[16] = ord("A")
    return base64.urlsafe_b64encode(bytes(raw)).decode()


# --- verify -----------------------------------------------------------------------------------


def test_verify_valid_token_exits_zero_with_the_json_keys(ent_a: Enterprise) -> None:
    code = issued_code(ent_a, "B")
    status, data = run("verify", code.token or "")
    assert status == 0
    assert {"valid", "reason", "uscc", "grade", "valid_until"} <= set(data)
    assert data["valid"] is True and data["reason"] == "ok" and data["database"] is True
    assert data["uscc"] == ent_a.uscc and data["grade"] == "B"
    assert data["valid_until"] == code.valid_until.isoformat()


def test_verify_accepts_the_whole_scanned_url(ent_a: Enterprise) -> None:
    code = issued_code(ent_a)
    assert run("verify", f"https://credit.example.gov.cn{code.url}")[0] == 0


def test_verify_refuses_tampered_expired_and_revoked(ent_a: Enterprise) -> None:
    code = issued_code(ent_a)
    token = code.token or ""
    status, data = run("verify", _tampered(token))
    assert status == 1 and data["reason"] == codesign.BAD_SIGNATURE and data["uscc"] is None
    later = (code.valid_until + timedelta(seconds=1)).isoformat()
    status, data = run("verify", token, "--at", later)
    assert status == 1 and data["reason"] == codesign.EXPIRED
    code_revoke(actor=None, code=code, reason="测试")
    status, data = run("verify", token)
    assert status == 1 and data["reason"] == codesign.REVOKED and data["database"] is True
    # Offline, only the signature and the dates count: a revoked code still checks out.
    status, data = run("verify", token, "--offline")
    assert status == 0 and data["database"] is False


def test_verify_with_an_explicit_public_key(ent_a: Enterprise, tmp_path: Path) -> None:
    code = issued_code(ent_a)
    public = tmp_path / "park.pub.pem"
    public.write_bytes(keys.park_verifier().public_pem())
    assert run("verify", code.token or "", "--public-key", str(public), "--offline")[0] == 0
    other = tmp_path / "other.pub.pem"
    other.write_bytes(codesign.SM2Signer.generate().public_pem())
    status, data = run("verify", code.token or "", "--public-key", str(other))
    assert status == 1 and data["reason"] == codesign.UNKNOWN_KEY


def test_verify_usage_errors_exit_two(tmp_path: Path, db: Any) -> None:
    with pytest.raises(CommandError) as info:
        call_command("code", "verify", "x", "--public-key", str(tmp_path / "missing.pem"), stdout=StringIO())
    assert info.value.returncode == 2 and "无法读取公钥文件" in str(info.value)
    with pytest.raises(CommandError) as info:
        call_command("code", "verify", "x", "--at", "yesterday", stdout=StringIO())
    assert info.value.returncode == 2 and "--at" in str(info.value)


def test_verify_runs_offline_without_a_database(ent_a: Enterprise, tmp_path: Path) -> None:
    code = issued_code(ent_a)
    public = tmp_path / "park.pub.pem"
    public.write_bytes(keys.park_verifier().public_pem())
    data_dir = tmp_path / "empty"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PARKCREDIT_DATA_DIR": str(data_dir),
        # No database to be found: a PostgreSQL port nobody listens on.
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "CODE_VERIFY_KEY_FILE": str(public),
    }
    done = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-m", "parkcredit", "code", "verify", code.token or ""],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["valid"] is True and data["database"] is False and data["uscc"] == ent_a.uscc
    bad = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-m", "parkcredit", "code", "verify", _tampered(code.token or "")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert bad.returncode == 1 and json.loads(bad.stdout)["reason"] == codesign.BAD_SIGNATURE
    assert not (data_dir / "keys").exists()  # verifying never creates a signing key


# --- show / issue -------------------------------------------------------------------------------


def test_show_prints_the_current_token_and_url(ent_a: Enterprise) -> None:
    code = issued_code(ent_a, "A")
    status, data = run("show", ent_a.uscc.lower())
    assert status == 0
    assert data["token"] == code.token and data["url"] == f"/c/{code.token}" and data["grade"] == "A"
    assert data["state"] == "current"


def test_show_without_a_code_exits_one(ent_a: Enterprise) -> None:
    status, data = run("show", ent_a.uscc)
    assert status == 1 and data["token"] is None
    with pytest.raises(CommandError, match="不存在"):
        call_command("code", "show", "91110000000000000X", stdout=StringIO())


def test_issue_all_and_by_uscc(ent_a: Enterprise, ent_b: Enterprise) -> None:
    give_grade(ent_a, "A")
    status, data = run("issue", "--all")
    assert status == 0 and data == {"issued": 1, "skipped": []}
    status, data = run("issue", ent_a.uscc, ent_b.uscc)
    assert status == 1 and data == {"issued": 1, "skipped": [ent_b.uscc]}
    assert code_current(ent_a) is not None
    with pytest.raises(CommandError) as info:
        call_command("code", "issue", stdout=StringIO())
    assert info.value.returncode == 2


# --- keys -----------------------------------------------------------------------------------------


def test_key_generated_on_first_use_outside_production(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "sub" / "code.pem"
    settings.CODE_SIGNING_KEY_FILE = path
    signer = keys.park_signer()
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.park_signer().key_id == signer.key_id  # loaded, not regenerated
    assert keys.park_verifier().key_id == signer.key_id
    assert not list(path.parent.glob("*.tmp"))


def test_a_temporary_key_file_left_by_a_killed_process_does_not_block_generation(
    settings: Any, tmp_path: Path
) -> None:
    import os
    import threading

    path = tmp_path / "code.pem"
    settings.CODE_SIGNING_KEY_FILE = path
    # What a process with this pid and thread, killed between writing and linking, leaves behind
    # (the name the key writer used to pick); a restarted container often reuses the pid.
    (tmp_path / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp").write_bytes(b"half a key")
    signer = keys.park_signer()
    assert path.is_file() and keys.park_signer().key_id == signer.key_id


def test_production_refuses_a_missing_or_broken_key(settings: Any, tmp_path: Path) -> None:
    settings.PRODUCTION = True
    settings.CODE_SIGNING_KEY_FILE = tmp_path / "missing.pem"
    with pytest.raises(ImproperlyConfigured, match="生产环境拒绝启动"):
        keys.park_signer()
    with pytest.raises(ImproperlyConfigured, match="CODE_SIGNING_KEY_FILE"):
        keys.key_check_production()
    assert not (tmp_path / "missing.pem").exists()
    broken = tmp_path / "broken.pem"
    broken.write_text("not a key")
    settings.CODE_SIGNING_KEY_FILE = broken
    with pytest.raises(ImproperlyConfigured, match="不是可用的 SM2 私钥"):
        keys.key_check_production()


def test_keygen_writes_once_and_pubkey_exports(settings: Any, tmp_path: Path) -> None:
    path = tmp_path / "park.pem"
    status, data = run("keygen", "--out", str(path))
    assert status == 0 and data["path"] == str(path) and "BEGIN PUBLIC KEY" in data["public_key"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_bytes()
    with pytest.raises(CommandError, match="不会覆盖"):
        call_command("code", "keygen", "--out", str(path), stdout=StringIO())
    assert path.read_bytes() == first
    settings.CODE_SIGNING_KEY_FILE = path
    out = StringIO()
    call_command("code", "pubkey", stdout=out)
    assert out.getvalue() == codesign.SM2Signer.from_pem(first).public_pem().decode()
    assert codesign.SM2Verifier.from_pem(out.getvalue().encode()).key_id.hex() == data["key_id"]


GOOD_KEYS = {
    "SECRET_KEY": "a-long-random-secret-for-this-test-only-0123456789",
    "AUDIT_KEY": "another-random-audit-key-for-this-test",
    "FIELD_ENCRYPTION_KEY": "00112233445566778899aabbccddeeff",
}


def _start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {*GOOD_KEYS, "PARKCREDIT_ENV", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PARKCREDIT_DATA_DIR": str(tmp_path),
            "PARKCREDIT_ENV": "production",
            **GOOD_KEYS,
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_production_start_needs_the_code_signing_key(tmp_path: Path) -> None:
    refused = _start(tmp_path)
    assert refused.returncode != 0
    assert "生产环境拒绝启动" in refused.stderr and "CODE_SIGNING_KEY_FILE" in refused.stderr
    assert not (tmp_path / "keys").exists()
    key = tmp_path / "park.pem"
    key.write_bytes(codesign.SM2Signer.generate().private_pem())
    started = _start(tmp_path, CODE_SIGNING_KEY_FILE=str(key))
    assert started.returncode == 0, started.stderr


def test_a_public_key_file_is_read_once_until_it_changes(tmp_path: Path, db: Any) -> None:
    path = tmp_path / "park.pub.pem"
    path.write_bytes(codesign.SM2Signer.generate().public_pem())
    first = keys.verifier_from_file(path)
    # The same object while the file is unchanged: what is remembered per verifier survives.
    assert keys.verifier_from_file(path) is first
    other = codesign.SM2Signer.generate()
    path.write_bytes(other.public_pem())
    stamp = path.stat().st_mtime_ns + 1_000_000
    os.utime(path, ns=(stamp, stamp))
    replaced = keys.verifier_from_file(path)
    assert replaced is not first and replaced.key_id == other.key_id
