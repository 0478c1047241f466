"""The settings module refuses unsafe or malformed configuration at start-up, in Chinese."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEYS = {
    "SECRET_KEY": "a-long-random-secret-for-this-test-only-0123456789",
    "AUDIT_KEY": "another-random-audit-key-for-this-test",
    "FIELD_ENCRYPTION_KEY": "00112233445566778899aabbccddeeff",
}


def _load(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {*GOOD_KEYS, "PARKCREDIT_ENV", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env={**base, "PARKCREDIT_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("default_key", sorted(GOOD_KEYS))
def test_production_refuses_each_published_default_key(tmp_path: Path, default_key: str) -> None:
    keys = {k: v for k, v in GOOD_KEYS.items() if k != default_key}
    done = _load(tmp_path, PARKCREDIT_ENV="production", **keys)
    assert done.returncode != 0
    assert default_key in done.stderr and "生产环境拒绝启动" in done.stderr


def test_production_starts_with_its_own_keys(tmp_path: Path) -> None:
    assert _load(tmp_path, PARKCREDIT_ENV="production", **GOOD_KEYS).returncode == 0


def test_production_refuses_debug(tmp_path: Path) -> None:
    done = _load(tmp_path, PARKCREDIT_ENV="production", DEBUG="true", **GOOD_KEYS)
    assert done.returncode != 0 and "DEBUG" in done.stderr


@pytest.mark.parametrize("bad", ["not-hex", "0011", "00112233445566778899aabbccddeeff00"])
def test_a_malformed_field_encryption_key_is_refused_at_start(tmp_path: Path, bad: str) -> None:
    done = _load(tmp_path, FIELD_ENCRYPTION_KEY=bad)
    assert done.returncode != 0 and "FIELD_ENCRYPTION_KEY" in done.stderr


def test_an_unknown_environment_name_is_refused(tmp_path: Path) -> None:
    done = _load(tmp_path, PARKCREDIT_ENV="staging")
    assert done.returncode != 0 and "PARKCREDIT_ENV" in done.stderr
