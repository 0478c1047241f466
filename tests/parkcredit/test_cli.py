"""The `parkcredit` command: `uscc` without Django, everything else handed to Django."""

from __future__ import annotations

import io
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from parkcredit.cli import main

REPO = Path(__file__).resolve().parents[2]
KEYS = {"input", "normalized", "valid", "legacy", "errors"}
VALID = "91512081MA62K0260E"
LEGACY = "91350211M0000XUF46"
INVALID = "91512081MA62K0260F"


def _lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


# --- uscc ------------------------------------------------------------------------------------


def test_uscc_valid_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["uscc", VALID]) == 0
    out, err = capsys.readouterr()
    assert _lines(out) == [
        {"input": VALID, "normalized": VALID, "valid": True, "legacy": False, "errors": []}
    ]
    assert err == ""


def test_uscc_invalid_code_exits_1_with_a_chinese_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["uscc", INVALID]) == 1
    (row,) = _lines(capsys.readouterr().out)
    assert set(row) == KEYS
    assert row["valid"] is False and row["legacy"] is False
    assert row["errors"] == ["第18位校验码应为 E,实际为 F"]


def test_uscc_legacy_code_counts_as_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["uscc", LEGACY]) == 0
    (row,) = _lines(capsys.readouterr().out)
    assert row == {"input": LEGACY, "normalized": LEGACY, "valid": True, "legacy": True, "errors": []}


def test_uscc_mixed_codes_one_line_each_in_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["uscc", VALID, INVALID, LEGACY]) == 1
    rows = _lines(capsys.readouterr().out)
    assert [r["input"] for r in rows] == [VALID, INVALID, LEGACY]
    assert [r["valid"] for r in rows] == [True, False, True]
    assert all(set(r) == KEYS for r in rows)


def test_uscc_all_valid_including_legacy_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["uscc", VALID, LEGACY, "11230500001755309F"]) == 0
    assert len(_lines(capsys.readouterr().out)) == 3


def test_uscc_prints_chinese_unescaped_and_normalises(capsys: pytest.CaptureFixture[str]) -> None:
    raw = "９１５１２０８１ｍａ６２ｋ０２６０ｅ（1-1）"
    assert main(["uscc", raw, "中文"]) == 1
    out = capsys.readouterr().out
    assert raw in out and "长度应为18位" in out
    assert "\\u" not in out
    first, second = _lines(out)
    assert first["normalized"] == VALID and first["valid"] is True
    assert second["errors"][0] == "长度应为18位,实际为2位"


def test_uscc_without_codes_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["uscc"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "请至少给出一个统一社会信用代码" in err and "usage" in err


def test_uscc_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["uscc", "--json", VALID]) == 2
    assert "未知选项 / unknown option: --json" in capsys.readouterr().err


def test_uscc_double_dash_ends_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["uscc", "--", "-x", VALID]) == 1
    rows = _lines(capsys.readouterr().out)
    assert [r["input"] for r in rows] == ["-x", VALID]


def test_uscc_empty_argument_is_an_invalid_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["uscc", ""]) == 1
    assert _lines(capsys.readouterr().out)[0]["errors"] == ["统一社会信用代码为空"]


def test_uscc_reads_codes_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{VALID}\r\n\n  \n{LEGACY}\n"))
    assert main(["uscc", "-"]) == 0
    rows = _lines(capsys.readouterr().out)
    assert [r["input"] for r in rows] == [VALID, LEGACY]


def test_uscc_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["uscc", "--help"]) == 0
    out = capsys.readouterr().out
    assert "parkcredit uscc CODE" in out and "退出码" in out and "exit status" in out


def test_uscc_runs_without_django(tmp_path: Path) -> None:
    # A settings module that does not exist proves nothing tried to set Django up.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "no.such.settings", "PYTHONPATH": str(REPO)}
    script = (
        "import sys\n"
        "from parkcredit.cli import main\n"
        f"status = main(['uscc', '{VALID}', '{INVALID}'])\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print('DJANGO', loaded)\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert json.loads(lines[0])["valid"] is True
    assert json.loads(lines[1])["valid"] is False
    assert lines[2] == "DJANGO []"


def test_python_dash_m_parkcredit(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-m", "parkcredit", "uscc", LEGACY],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["legacy"] is True


def test_main_module_uses_process_arguments(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["parkcredit", "uscc", INVALID])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("parkcredit", run_name="__main__")
    assert exited.value.code == 1
    assert json.loads(capsys.readouterr().out)["input"] == INVALID


# --- help ------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["help"]])
def test_help_lists_uscc_and_the_management_commands(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "用法 / usage" in out
    assert "parkcredit uscc CODE" in out
    assert "管理命令 / management commands" in out
    for command in ("migrate", "check", "createsuperuser", "runserver"):
        assert command in out


def test_no_arguments_prints_usage_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "parkcredit uscc CODE" in err


def test_help_still_prints_when_settings_cannot_load(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import django
    from django.core.exceptions import ImproperlyConfigured

    def broken_setup() -> None:
        raise ImproperlyConfigured("生产环境拒绝启动")

    monkeypatch.setattr(django, "setup", broken_setup)
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "parkcredit uscc CODE" in out
    assert "无法加载 Django 设置" in out and "ImproperlyConfigured" in out


# --- Django pass-through ---------------------------------------------------------------------
# `check` asks SQLite whether it supports JSON fields, hence the database mark.


@pytest.mark.django_db
def test_management_command_passes_through(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert "System check identified no issues" in capsys.readouterr().out


def test_help_for_one_management_command_passes_through(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["help", "migrate"]) == 0
    out = capsys.readouterr().out
    assert "usage: parkcredit migrate" in out


def test_unknown_command_is_reported_by_django(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 1
    assert "Unknown command: 'no-such-command'" in capsys.readouterr().err


@pytest.mark.django_db
def test_default_settings_module_is_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    assert main(["check"]) == 0
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "config.settings"


@pytest.mark.parametrize(("code", "status", "err"), [(None, 0, ""), (3, 3, ""), ("出错了", 1, "出错了\n")])
def test_exit_status_of_django_commands(
    code: object, status: int, err: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core import management

    def fake_execute(argv: list[str]) -> None:
        assert argv == ["parkcredit", "demo", "--small"]
        raise SystemExit(code)

    monkeypatch.setattr(management, "execute_from_command_line", fake_execute)
    assert main(["demo", "--small"]) == status
    assert capsys.readouterr().err == err


def test_django_command_that_returns_normally_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core import management

    calls: list[list[str]] = []
    monkeypatch.setattr(management, "execute_from_command_line", calls.append)
    assert main(["serve", "--port", "8000"]) == 0
    assert calls == [["parkcredit", "serve", "--port", "8000"]]
