"""The report's later sections: public records with their repair position, commitments and
published inspections (contracts R, C and I), each read through its owner's selector."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from parkcredit.commitments.models import CommitmentTemplate
from parkcredit.commitments.services import commitment_sign
from parkcredit.reports.content import ReportContent, repair_status, report_content
from parkcredit.reports.services import report_generate
from parkcredit.supervision.models import (
    Finding,
    Inspection,
    InspectionItem,
    InspectionMethod,
    InspectionState,
    Outcome,
    Plan,
    PlanState,
    Stratum,
)
from tests import factories as f
from tests.parkcredit.reports.support import pdf_text

pytestmark = pytest.mark.django_db


def _compact(text: str) -> str:
    return "".join(text.split())


def _content(actor: Any, enterprise: Any) -> ReportContent:
    return report_content(
        actor=actor,
        enterprise=enterprise,
        report_no="PCR-2026-000001",
        generated_at=timezone.now(),
        verify_url="/r/x/",
    )


def _inspection(enterprise: Any, *, problem: bool, rectified: bool) -> Inspection:
    item = InspectionItem.objects.create(
        code="fire-safety-test",
        name="消防安全检查",
        basis="《中华人民共和国消防法》",
        department=f.department("ghjsb"),
        method=InspectionMethod.choices[0][0],
    )
    plan = Plan.objects.create(
        code="plan-2026-test",
        title="2026年第一批双随机抽查",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 6, 30),
        ratios_bp={"A": 500, "B": 1000, "C": 2000, "D": 5000},
        state=PlanState.PUBLISHED,
    )
    inspection = Inspection.objects.create(
        plan=plan,
        enterprise=enterprise,
        stratum=Stratum.RISK,
        state=InspectionState.PUBLISHED,
        inspected_on=date(2026, 4, 8),
        published_at=timezone.now(),
    )
    inspection.items.add(item)
    Finding.objects.create(
        inspection=inspection,
        item=item,
        outcome=Outcome.PROBLEM if problem else Outcome.CLEAN,
        details="疏散通道堆放杂物" if problem else "",
        rectify_by=date(2026, 4, 30) if problem else None,
        rectified_on=date(2026, 4, 20) if rectified else None,
    )
    return inspection


def test_records_commitments_and_inspections_are_printed(
    park_admin: Any, ent_a: Any, ent_a_user: Any
) -> None:
    today = timezone.localdate()
    f.make_record(ent_a, decided_on=today - timedelta(days=30), summary="未按规定公示年度报告")
    template = CommitmentTemplate.objects.filter(is_current=True, scenario="construction").first()
    assert template is not None
    commitment = commitment_sign(actor=ent_a_user, enterprise=ent_a, template=template, on=today)
    _inspection(ent_a, problem=True, rectified=True)

    text = _compact(pdf_text(bytes(report_generate(actor=park_admin, enterprise=ent_a).pdf)))
    assert "公示期内的信用记录" in text and "未按规定公示年度报告" in text and "测试市市场监督管理局" in text
    assert "信用承诺" in text and _compact(commitment.title) in text and commitment.number in text
    assert "监管检查结果" in text and "2026年第一批双随机抽查" in text and "消防安全检查" in text
    assert "发现问题1项,已整改1项" in text


def test_empty_sections_say_none_on_file(park_admin: Any, ent_b: Any) -> None:
    content = _content(park_admin, ent_b)
    assert content.records == [] and content.commitments == [] and content.inspections == []
    text = _compact(pdf_text(bytes(report_generate(actor=park_admin, enterprise=ent_b).pdf)))
    assert "没有处于公示期内的信用记录" in text
    assert "没有公开的信用承诺" in text
    assert "没有已公示的检查结果" in text


def test_clean_inspection_reads_no_problem(park_admin: Any, ent_a: Any) -> None:
    _inspection(ent_a, problem=False, rectified=False)
    content = _content(park_admin, ent_a)
    assert content.inspections is not None
    assert [row.result for row in content.inspections] == ["未发现问题"]


def test_public_record_carries_its_window(park_admin: Any, ent_a: Any) -> None:
    from parkcredit.repair.selectors import record_window

    today = timezone.localdate()
    record = f.make_record(ent_a, decided_on=today - timedelta(days=30))
    content = _content(park_admin, ent_a)
    window = record_window(record)
    assert window is not None
    assert content.records is not None and len(content.records) == 1
    row = content.records[0]
    assert row.publicity_end == window.publicity_end
    assert row.repair_status == repair_status(window, today)


def _window(repairable: bool, earliest: date | None) -> SimpleNamespace:
    return SimpleNamespace(repairable=repairable, earliest_repair=earliest, publicity_end=date(2027, 1, 1))


def test_repair_status_wording() -> None:
    today = date(2026, 11, 29)
    assert repair_status(None, today) == "—"
    assert repair_status(_window(False, None), today) == "不可修复"
    assert repair_status(_window(True, date(2026, 11, 29)), today) == "可申请信用修复"
    assert repair_status(_window(True, None), today) == "可申请信用修复"
    assert repair_status(_window(True, date(2027, 2, 1)), today) == "2027-02-01 起可申请信用修复"
    assert (
        repair_status(_window(True, date(2027, 2, 1)), today, "认定部门审核中")
        == "信用修复申请办理中(认定部门审核中)"
    )


def test_open_repair_application_is_shown(park_admin: Any, ent_a: Any, ent_a_user: Any) -> None:
    from parkcredit.repair.workflow.models import ApplicationState, RepairApplication

    today = timezone.localdate()
    record = f.make_record(ent_a, decided_on=today - timedelta(days=30))
    f.make_record(ent_a, decided_on=today - timedelta(days=20))
    RepairApplication.objects.create(
        record=record,
        enterprise=ent_a,
        submitted_by=ent_a_user,
        submitted_at=timezone.now(),
        statement="已整改",
        commitment_text="承诺书",
        commitment_digest="0" * 64,
        commitment_signed_at=timezone.now(),
        state=ApplicationState.REVIEWING,
    )
    content = _content(park_admin, ent_a)
    assert content.records is not None
    statuses = {row.source_ref: row.repair_status for row in content.records}
    assert statuses[record.source_ref] == "信用修复申请办理中(认定部门审核中)"
    assert len([s for s in statuses.values() if "办理中" in s]) == 1
