"""`parkcredit import`: report, exit status, --report-json, and a kill halfway that leaves nothing."""

# The subprocesses run this project's own manage.py with the test's own arguments.
# ruff: noqa: S603

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from parkcredit.records.models import CreditRecord, ImportBatch
from tests.factories import make_uscc
from tests.parkcredit.records.importing.helpers import PENALTY_HEADER, penalty_csv, penalty_line

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def test_prints_report_and_writes_json(tmp_path: Path, ent_a: Any, capsys: Any) -> None:
    source = tmp_path / "penalty.csv"
    source.write_bytes(
        penalty_csv(
            penalty_line(ent_a.name, ent_a.uscc, "G-1"), penalty_line(ent_a.name, ent_a.uscc, "G-2", day="x")
        )
    )
    report_path = tmp_path / "report.json"
    call_command("import", "penalty", str(source), "--report-json", str(report_path))
    out = capsys.readouterr().out
    assert "新增 1" in out and "错误 1" in out and "第 3 行" in out
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert {k: report[k] for k in ("new", "duplicate", "corrected", "error", "unmatched")} == {
        "new": 1,
        "duplicate": 0,
        "corrected": 0,
        "error": 1,
        "unmatched": 0,
    }
    error_file = tmp_path / report["error_file"]
    assert error_file.exists() and "错误原因" in error_file.read_bytes().decode("utf-8-sig")
    batch = ImportBatch.objects.get(pk=report["batch_id"])
    assert batch.created_by is None and batch.file_name == "penalty.csv"


def test_strict_refusal_exits_1_and_writes_nothing(tmp_path: Path, ent_a: Any) -> None:
    source = tmp_path / "penalty.csv"
    source.write_bytes(
        penalty_csv(
            penalty_line(ent_a.name, ent_a.uscc, "H-1"), penalty_line(ent_a.name, ent_a.uscc, "H-2", day="x")
        )
    )
    report_path = tmp_path / "report.json"
    with pytest.raises(CommandError) as caught:
        call_command("import", "penalty", str(source), "--strict", "--report-json", str(report_path))
    assert caught.value.returncode == 1 and "严格模式" in str(caught.value)
    assert json.loads(report_path.read_text(encoding="utf-8"))["status"] == "refused"
    assert not CreditRecord.objects.exists()


def test_unreadable_or_missing_file_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(CommandError) as caught:
        call_command("import", "penalty", str(broken))
    assert caught.value.returncode == 1 and "Excel" in str(caught.value)
    with pytest.raises(CommandError) as missing:
        call_command("import", "penalty", str(tmp_path / "nope.csv"))
    assert missing.value.returncode == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["nope"], "导入模板"),
        (["--source", "missing"], "数据来源"),
        (["--user", "nobody"], "用户名"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], needle: str) -> None:
    source = tmp_path / "penalty.csv"
    source.write_bytes(penalty_csv())
    argv = ["penalty", str(source), *args] if args[0].startswith("--") else [args[0], str(source)]
    with pytest.raises(CommandError) as caught:
        call_command("import", *argv)
    assert caught.value.returncode == 2 and needle in str(caught.value)


def test_user_must_be_an_archive_editor(tmp_path: Path, ent_a_user: Any, dept_staff: Any, ent_a: Any) -> None:
    source = tmp_path / "penalty.csv"
    source.write_bytes(penalty_csv(penalty_line(ent_a.name, ent_a.uscc, "I-1")))
    with pytest.raises(CommandError) as caught:
        call_command("import", "penalty", str(source), "--user", ent_a_user.username)
    assert caught.value.returncode == 1 and not CreditRecord.objects.exists()
    call_command("import", "penalty", str(source), "--user", dept_staff.username)
    assert CreditRecord.objects.get().created_by == dept_staff


def test_command_line_exit_status_of_a_real_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "import", "penalty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "PARKCREDIT_DATA_DIR": str(tmp_path),
        },
        timeout=120,
    )
    assert result.returncode == 2 and "file" in result.stderr


# --- a kill halfway leaves nothing --------------------------------------------------------------------


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings_test", PARKCREDIT_DATA_DIR=str(data_dir))
    return env


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the kill test uses its own file-based SQLite database in a subprocess",
)
def test_kill_halfway_leaves_nothing_of_the_batch(tmp_path: Path) -> None:
    env = _env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    uscc = make_uscc(4242)
    setup = (
        "from parkcredit.enterprises.models import Enterprise;"
        f"Enterprise.objects.create(uscc='{uscc}', name='被处罚企业有限公司')"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", setup], cwd=ROOT, env=env, check=True, timeout=120
    )
    big = tmp_path / "big.csv"
    with big.open("w", encoding="gb18030") as handle:
        handle.write(PENALTY_HEADER + "\n")
        for n in range(400_000):
            handle.write(penalty_line("被处罚企业有限公司", uscc, f"豫罚〔2024〕{n}号") + "\n")
    database = tmp_path / "parkcredit.sqlite3"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import", "penalty", str(big), "--progress"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # A progress line comes after a chunk has been written (inside the batch's transaction).
        assert process.stderr is not None
        written = 0
        for line in process.stderr:
            if line.startswith("已处理"):
                written = int(line.split()[1].split("/")[0])
                if written >= 20_000:
                    break
        assert written >= 20_000, "the import ended before it had written 20,000 rows"
        assert process.poll() is None, "the import finished before it could be killed; make the file larger"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM records_creditrecord").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM records_recordevent").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM records_importbatch").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM enterprises_enterprise").fetchone()[0] == 1
