"""Every sample file under docs/samples/ imports, and importing it again adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from creditcore.collection.profiles import PROFILES
from creditcore.collection.readers import open_table
from creditcore.collection.rows import ParsedRow, bind_headers, parse_row
from parkcredit.enterprises.models import Enterprise
from parkcredit.records.importing.services import import_run
from parkcredit.records.models import CreditRecord, ImportBatch, Observation, Relation
from tests.factories import make_enterprise

pytestmark = pytest.mark.django_db
SAMPLES = Path(settings.BASE_DIR) / "docs" / "samples"
FILES = {
    "enterprise.csv": "enterprise",
    "penalty.csv": "penalty",
    "penalty-gbk.csv": "penalty",
    "penalty-v1.csv": "penalty",
    "penalty.xlsx": "penalty",
    "penalty.jsonl": "penalty",
    "licence.csv": "licence",
    "licence-codes.csv": "licence",
    "court-defaulter.csv": "court-defaulter",
    "abnormal-operation.csv": "abnormal-operation",
    "serious-dishonesty.csv": "serious-dishonesty",
    "tax-grade.csv": "tax-grade",
    "honour.csv": "honour",
    "rent.csv": "rent",
    "utility.csv": "utility",
    "safety-inspection.csv": "safety-inspection",
    "statistics.csv": "statistics",
    "relation.csv": "relation",
}


def _parsed(profile: str, data: bytes, name: str) -> list[ParsedRow]:
    spec = PROFILES[profile]
    table = open_table(data, filename=name)
    binding = bind_headers(spec, table.headers)
    return [p for p in (parse_row(spec, binding, row) for row in table.rows()) if isinstance(p, ParsedRow)]


def _register_subjects(parsed: list[ParsedRow]) -> None:
    """Put every subject the sample names into the archive, so nothing waits in the queue."""
    for row in parsed:
        for uscc_field, name_field in (("uscc", "subject_name"), ("counterparty_uscc", "counterparty_name")):
            uscc = row.fields.get(uscc_field) or ""
            if uscc and not Enterprise.objects.filter(uscc=uscc).exists():
                make_enterprise(name=row.fields.get(name_field) or f"样本企业{uscc[-6:]}", uscc=uscc)


def test_every_profile_has_a_sample() -> None:
    assert set(FILES.values()) == set(PROFILES)
    for name in FILES:
        assert (SAMPLES / name).is_file(), name


@pytest.mark.parametrize(("file_name", "profile"), sorted(FILES.items()))
def test_sample_imports_and_reimport_adds_nothing(park_admin: Any, file_name: str, profile: str) -> None:
    data = (SAMPLES / file_name).read_bytes()
    parsed = _parsed(profile, data, file_name)
    assert parsed, f"{file_name} has no valid row"
    if profile != "enterprise":
        _register_subjects(parsed)
    before = (CreditRecord.objects.count(), Observation.objects.count(), Relation.objects.count())
    first = import_run(actor=park_admin, profile=profile, data=data, file_name=file_name)
    assert first.status == "done"
    assert first.new + first.revoked + first.corrected >= 1, first.as_dict()
    assert first.unmatched == 0, first.errors
    assert first.rows == len(list(open_table(data, filename=file_name).rows()))
    after = (CreditRecord.objects.count(), Observation.objects.count(), Relation.objects.count())
    assert after != before or profile == "enterprise"
    second = import_run(actor=park_admin, profile=profile, data=data, file_name=file_name)
    assert (second.new, second.corrected, second.revoked, second.unmatched) == (0, 0, 0, 0), second.as_dict()
    assert second.error == first.error
    assert second.duplicate == first.rows - first.error
    assert (CreditRecord.objects.count(), Observation.objects.count(), Relation.objects.count()) == after
    assert ImportBatch.objects.filter(profile=profile).count() == 2


def test_enterprise_sample_creates_then_change_is_kept_as_history(park_admin: Any) -> None:
    data = (SAMPLES / "enterprise.csv").read_bytes()
    first = import_run(actor=park_admin, profile="enterprise", data=data, file_name="enterprise.csv")
    assert first.new >= 1 and Enterprise.objects.count() == first.new
    table = open_table(data, filename="enterprise.csv")
    row = next(iter(table.rows()))
    name_header = next(h for h in table.headers if h in ("企业名称", "名称", "主体名称"))
    changed_row = {**row.values, name_header: row.values[name_header] + "(更名)"}
    lines = [",".join(table.headers), ",".join(changed_row.get(h, "") for h in table.headers)]
    report = import_run(
        actor=park_admin,
        profile="enterprise",
        data=("\n".join(lines) + "\n").encode("utf-8"),
        file_name="更名.csv",
    )
    assert report.corrected == 1, report.as_dict()
    uscc = _parsed("enterprise", data, "enterprise.csv")[0].fields["uscc"]
    enterprise = Enterprise.objects.get(uscc=uscc)
    assert enterprise.name.endswith("(更名)")
    change = CreditRecord.objects.get(enterprise=enterprise, kind__code="registration-change")
    assert change.payload["变更事项"] == "企业名称" and change.payload["变更后"].endswith("(更名)")
    assert not change.payload["变更前"].endswith("(更名)")


def test_the_same_penalties_in_every_format_and_encoding_are_duplicates(park_admin: Any) -> None:
    variants = ["penalty-gbk.csv", "penalty.csv", "penalty.jsonl", "penalty.xlsx"]
    first_data = (SAMPLES / variants[0]).read_bytes()
    _register_subjects(_parsed("penalty", first_data, variants[0]))
    first = import_run(actor=park_admin, profile="penalty", data=first_data, file_name=variants[0])
    written = first.new + first.revoked
    assert written >= 2 and first.error == 0
    for name in variants[1:]:
        report = import_run(
            actor=park_admin, profile="penalty", data=(SAMPLES / name).read_bytes(), file_name=name
        )
        assert report.duplicate == written and report.new == report.corrected == 0, (name, report.as_dict())
