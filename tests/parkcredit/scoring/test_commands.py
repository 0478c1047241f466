"""`parkcredit score` and `parkcredit model seed|sql|validate|backtest`."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from parkcredit.scoring.models import ModelState, RunState, Score, ScoringModel, ScoringRun
from tests.parkcredit.scoring.conftest import SMALL_YAML, publish

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_score_command_prints_summary(published: ScoringModel, park: Any) -> None:
    summary = json.loads(run("score", "--as-of", "2026-06-30"))
    assert summary["state"] == RunState.SUCCEEDED
    assert summary["enterprises"] == 3
    assert summary["model"] == {"code": "test_model", "version": 1}
    assert len(summary["fingerprint"]) == 64
    assert Score.objects.filter(is_current=True).count() == 3


def test_score_command_seeds_when_nothing_published(park: Any) -> None:
    summary = json.loads(run("score", "--as-of", "2026-06-30", "--engine", "reference"))
    assert summary["model"]["version"] == 1
    assert ScoringModel.objects.get().state == ModelState.PUBLISHED
    assert ScoringRun.objects.get().counts["engine"] == "reference"


def test_score_command_with_an_older_version(published: ScoringModel, park: Any) -> None:
    published.state = ModelState.RETIRED
    published.save()
    publish(version=2)
    summary = json.loads(run("score", "--as-of", "2026-06-30", "--model", "1"))
    assert summary["model"]["version"] == 1
    # A retired version scores for the record but never replaces the current grades.
    assert not Score.objects.filter(is_current=True).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-13-01"], "2026-13-01"),
        (["--as-of", "2999-01-01"], "2999-01-01"),
        (["--model", "9"], "9"),
    ],
)
def test_score_command_errors(published: ScoringModel, args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as err:
        run("score", *args)
    assert message in str(err.value)


def test_score_command_refuses_unpublished_version(published: ScoringModel) -> None:
    ScoringModel.objects.create(code="test_model", version=2, name="草稿", spec_yaml=SMALL_YAML)
    with pytest.raises(CommandError) as err:
        run("score", "--model", "2")
    assert "尚未发布" in str(err.value)


def test_postgres_engine_needs_postgres(published: ScoringModel) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("runs in PostgreSQL here")
    with pytest.raises(CommandError) as err:
        run("score", "--engine", "postgres")
    assert "PostgreSQL" in str(err.value)


def test_model_seed_is_idempotent() -> None:
    first = json.loads(run("model", "seed"))
    second = json.loads(run("model", "seed"))
    assert first["created"] is True
    assert second["created"] is False
    assert first["model"] == second["model"]


@pytest.mark.parametrize("dialect", ["duckdb", "postgres"])
def test_model_sql(published: ScoringModel, dialect: str) -> None:
    sql = run("model", "sql", "--dialect", dialect, "--as-of", "2026-06-30")
    assert "ledger_records" in sql
    assert "penalties__points" in sql
    assert "2026-06-30" in sql


def test_model_sql_default_model_without_database_model() -> None:
    assert "ledger_enterprises" in run("model", "sql")


def test_validate_ok(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(SMALL_YAML, encoding="utf-8")
    out = run("model", "validate", str(path))
    assert "校验通过" in out
    assert "3 个指标" in out


def test_validate_reports_problems(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    bad = SMALL_YAML.replace("kinds: [penalty]", "kinds: [no-such-kind]").replace(
        "min_score: 650, max_score: 799", "min_score: 600, max_score: 799"
    )
    path.write_text(bad, encoding="utf-8")
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("model", "validate", str(path), stdout=out)
    assert exit_info.value.code == 1
    text = out.getvalue()
    assert "dimensions[0].indicators[0].kinds[0]" in text
    assert "bands" in text


def test_validate_missing_file() -> None:
    with pytest.raises(CommandError) as err:
        run("model", "validate", "/nonexistent/model.yaml")
    assert "/nonexistent/model.yaml" in str(err.value)


def test_model_needs_a_subcommand() -> None:
    with pytest.raises(CommandError):
        run("model")


def test_backtest_json_small_park(tmp_path: Path) -> None:
    report = json.loads(run("model", "backtest", "--json", "--enterprises", "120", "--seed", "7"))
    assert {"auc", "ks", "hit_rate_by_grade", "psi", "bad_rate"} <= set(report)
    assert set(report["hit_rate_by_grade"]) == {"A", "B", "C", "D"}
    assert report["enterprises"] > 90
    assert 0.0 <= report["auc"] <= 1.0
    assert report["psi"] >= 0.0


def test_backtest_text_and_spec_file(tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text(SMALL_YAML, encoding="utf-8")
    out = run("model", "backtest", "--enterprises", "60", "--seed", "3", "--spec", str(path))
    assert "AUC" in out
    assert "A 级" in out


def test_backtest_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        run("model", "backtest", "--enterprises", "0")
    path = tmp_path / "bad.yaml"
    path.write_text("code: x", encoding="utf-8")
    with pytest.raises(CommandError):
        run("model", "backtest", "--spec", str(path))
