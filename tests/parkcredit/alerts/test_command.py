"""`parkcredit alerts run|digest` print one JSON line each."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from parkcredit.alerts.models import AlertRule
from tests.parkcredit.alerts.support import serious_penalty, unpaid_rent


def test_run_and_digest(ent_a: Any, ent_b: Any, park_admin: Any) -> None:
    serious_penalty(ent_a)
    unpaid_rent(ent_b, months=4)
    out = io.StringIO()
    call_command("alerts", "run", stdout=out)
    result = json.loads(out.getvalue())
    assert result["opened"] == 2 and result["by_rule"] == {"arrears": 1, "serious_record": 1}
    AlertRule.objects.filter(code="arrears").update(severity="info")
    out = io.StringIO()
    call_command("alerts", "digest", stdout=out)
    assert json.loads(out.getvalue()) == {"alerts": 0, "recipients": 0}  # the alert was opened as a warning


def test_bad_arguments_are_explained(db: Any) -> None:
    with pytest.raises(CommandError, match="2026-13-01"):
        call_command("alerts", "run", "--as-of", "2026-13-01")
    with pytest.raises(CommandError, match="子命令"):
        call_command("alerts")
