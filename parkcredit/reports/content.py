"""What a credit report says, gathered from the platform into plain values.

`report_content` reads everything once (the archive entry, the current score explained by
`parkcredit.scoring.presentation`, the public records, commitments and inspections) so the PDF
builder in `parkcredit.reports.pdf` only lays out values and never touches the database.
Sections of features that are not installed (commitments, inspections, repair rules) are None
and left out of the report, which is not the same as an empty list ("none on file").
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from parkcredit.enterprises.models import Enterprise
from parkcredit.scoring.presentation import DimensionRow, ImprovementRow, ReasonRow, enterprise_score_panel


@dataclass(frozen=True, slots=True)
class Fact:
    """One labelled line of a key-value table."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class ScoreSection:
    pk: int
    score: int
    grade: str
    colour: str
    grade_label: str
    as_of: date
    percentile: float
    data_depth: float
    model_label: str
    overrides: list[str] = field(default_factory=list)
    dimensions: list[DimensionRow] = field(default_factory=list)
    reasons: list[ReasonRow] = field(default_factory=list)
    improvements: list[ImprovementRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RecordRow:
    """A record within its publicity period, as the public may see it (no payload data)."""

    kind: str
    decided_on: date
    authority: str
    source_ref: str
    summary: str
    amount: Decimal | None
    publicity_end: date | None
    repair_status: str


@dataclass(frozen=True, slots=True)
class CommitmentRow:
    """A signed public credit commitment (contract C)."""

    number: str
    title: str
    scenario: str
    signed_on: date | None
    valid_until: date | None
    status: str


@dataclass(frozen=True, slots=True)
class InspectionRow:
    """A published inspection result (contract I)."""

    plan: str
    inspected_on: date | None
    items: str
    result: str


@dataclass(frozen=True, slots=True)
class ReportContent:
    """Everything printed in one report."""

    report_no: str
    park_name: str
    generated_at: datetime  # local time
    as_of: date
    verify_url: str
    enterprise_name: str
    uscc: str
    facts: list[Fact]
    score: ScoreSection | None
    records: list[RecordRow] | None
    commitments: list[CommitmentRow] | None
    inspections: list[InspectionRow] | None


def optional_callable(module: str, name: str) -> Callable[..., Any] | None:
    """`module.name` if that feature is installed, else None.

    Only the absence of the module itself counts as "not installed": an import error inside an
    installed module is a bug and must surface.
    """
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and (module == error.name or module.startswith(f"{error.name}.")):
            return None
        raise
    found = getattr(loaded, name, None)
    return found if callable(found) else None


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, date) else None


def enterprise_facts(enterprise: Enterprise) -> list[Fact]:
    """The archive entry's public business facts. The legal representative's name is public
    business registration data; ID number and phone never go into a report."""
    dash = "—"
    capital = enterprise.registered_capital
    return [
        Fact(_("企业名称"), enterprise.name),
        Fact(_("统一社会信用代码"), enterprise.uscc),
        Fact(_("法定代表人"), enterprise.legal_representative or dash),
        Fact(_("经营状态"), enterprise.get_status_display()),
        Fact(_("成立日期"), enterprise.founded_on.isoformat() if enterprise.founded_on else dash),
        Fact(_("入园日期"), enterprise.park_entry_on.isoformat() if enterprise.park_entry_on else dash),
        Fact(
            _("注册资本"),
            _("%(amount)s 元") % {"amount": f"{capital:,.2f}"} if capital is not None else dash,
        ),
        Fact(
            _("行业"), " ".join(p for p in (enterprise.industry_code, enterprise.industry_name) if p) or dash
        ),
        Fact(_("产业集群"), enterprise.cluster or dash),
        Fact(_("企业规模"), enterprise.get_size_display() or dash),
        Fact(_("楼宇地块"), str(enterprise.building) if enterprise.building_id else dash),
        Fact(_("经营地址"), enterprise.address or dash),
    ]


def score_section(*, actor: Any, enterprise: Enterprise) -> ScoreSection | None:
    """The current score explained the way the enterprise page explains it."""
    panel = enterprise_score_panel(actor=actor, enterprise=enterprise)
    score = panel.score
    if score is None:
        return None
    return ScoreSection(
        pk=score.pk,
        score=score.score,
        grade=score.grade,
        colour=panel.colour,
        grade_label=str(panel.grade_label),
        as_of=score.as_of,
        percentile=score.percentile,
        data_depth=score.data_depth,
        model_label=f"{score.model.name} v{score.model.version}",
        overrides=[str(name) for name in panel.overrides],
        dimensions=panel.dimensions,
        reasons=panel.reasons,
        improvements=panel.improvements,
    )


def repair_status(window: Any, today: date, application_state: str = "") -> str:
    """The repair position of a public record: an application in progress, or what its rule
    explanation (contract R) allows."""
    if application_state:
        return _("信用修复申请办理中(%(state)s)") % {"state": application_state}
    if window is None:
        return "—"
    if not getattr(window, "repairable", False):
        return _("不可修复")
    earliest = getattr(window, "earliest_repair", None)
    if earliest is None or earliest <= today:
        return _("可申请信用修复")
    return _("%(day)s 起可申请信用修复") % {"day": earliest.isoformat()}


def open_repair_applications(enterprise: Enterprise) -> dict[int, str]:
    """Record id -> state label of the enterprise's repair applications still being handled."""
    application = optional_callable("parkcredit.repair.workflow.models", "RepairApplication")
    if application is None:
        return {}
    from parkcredit.repair.workflow.models import OPEN_STATES, ApplicationState

    labels = dict(ApplicationState.choices)
    rows = application.objects.filter(  # type: ignore[attr-defined]
        enterprise=enterprise, state__in=OPEN_STATES
    ).values_list("record_id", "state")
    return {record_id: str(labels.get(state, state)) for record_id, state in rows}


def record_rows(enterprise: Enterprise, today: date) -> list[RecordRow] | None:
    public_records = optional_callable("parkcredit.repair.selectors", "public_records")
    if public_records is None:
        return None
    applications = open_repair_applications(enterprise)
    rows = []
    for record in public_records(enterprise, on=today):
        window = getattr(record, "window", None)
        rows.append(
            RecordRow(
                kind=record.kind.name,
                decided_on=record.decided_on,
                authority=record.authority,
                source_ref=record.source_ref,
                summary=record.summary,
                amount=record.amount,
                publicity_end=getattr(window, "publicity_end", None),
                repair_status=repair_status(window, today, applications.get(record.pk, "")),
            )
        )
    return rows


def commitment_rows(enterprise: Enterprise) -> list[CommitmentRow] | None:
    public_commitments = optional_callable("parkcredit.commitments.selectors", "public_commitments")
    if public_commitments is None:
        return None
    return [
        CommitmentRow(
            number=item.number,
            title=item.title,
            scenario=item.get_scenario_display(),
            signed_on=_as_date(item.signed_at),
            valid_until=item.valid_until,
            status=item.get_status_display(),
        )
        for item in public_commitments(enterprise)
    ]


def inspection_result(inspection: Any) -> str:
    """ "未发现问题", or how many problems were found and how many are rectified."""
    problems = [finding for finding in inspection.findings.all() if finding.outcome == "problem"]
    if not problems:
        return _("未发现问题")
    rectified = sum(1 for finding in problems if finding.rectified_on is not None)
    return _("发现问题 %(found)s 项,已整改 %(rectified)s 项") % {
        "found": len(problems),
        "rectified": rectified,
    }


def inspection_rows(enterprise: Enterprise) -> list[InspectionRow] | None:
    published_inspections = optional_callable("parkcredit.supervision.selectors", "published_inspections")
    if published_inspections is None:
        return None
    return [
        InspectionRow(
            plan=inspection.plan.title,
            inspected_on=inspection.inspected_on,
            items="、".join(item.name for item in inspection.items.all()),
            result=inspection_result(inspection),
        )
        for inspection in published_inspections(enterprise)
    ]


def report_content(
    *,
    actor: Any,
    enterprise: Enterprise,
    report_no: str,
    generated_at: datetime,
    verify_url: str,
) -> ReportContent:
    """Everything report `report_no` of `enterprise` prints, read as `actor` (who may see it)."""
    local = timezone.localtime(generated_at)
    today = local.date()
    return ReportContent(
        report_no=report_no,
        park_name=settings.PARK_NAME,
        generated_at=local,
        as_of=today,
        verify_url=verify_url,
        enterprise_name=enterprise.name,
        uscc=enterprise.uscc,
        facts=enterprise_facts(enterprise),
        score=score_section(actor=actor, enterprise=enterprise),
        records=record_rows(enterprise, today),
        commitments=commitment_rows(enterprise),
        inspections=inspection_rows(enterprise),
    )
