"""Repair applications: who may apply and when, the three steps with their working-day limits,
refusals with reasons, lateness, the reminder run and the staff queue."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from creditcore.ledger import Status
from parkcredit.accounts.models import User
from parkcredit.audit.models import AuditEntry
from parkcredit.notifications.models import Notification
from parkcredit.objections.services import objection_submit
from parkcredit.records.selectors import record_state
from parkcredit.repair.workflow.models import ApplicationState, RepairApplication, RepairReminder
from parkcredit.repair.workflow.selectors import park_figures, staff_queue
from parkcredit.repair.workflow.services import (
    application_advance,
    application_submit,
    commitment_draft,
    repair_blocker,
    repair_remind,
    step_late_workdays,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n"
DAY = "2026-12-01 10:00 +0800"  # a Tuesday


def _apply(user: User, record: Any) -> RepairApplication:
    draft = commitment_draft(actor=user, record=record)
    return application_submit(
        actor=user,
        record=record,
        statement="罚款已缴清,已整改到位。",
        commitment_digest=draft.rendered.digest,
        files=[("缴款凭证.pdf", PDF)],
    )


@pytest.fixture
def travel() -> Any:
    with time_machine.travel(DAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def record(travel: Any, ent_a: Any) -> Any:
    # General penalty under the 2026-04-01 rules: repairable from 2026-11-01, public until 2027-08-01.
    return f.make_record(ent_a, decided_on=date(2026, 8, 1))


def test_an_application_opens_the_acceptance_step_with_its_limit(
    record: Any, ent_a_user: User, park_admin: User
) -> None:
    application = _apply(ent_a_user, record)
    step = application.steps.get()
    assert (step.step, step.started_on, step.due_on) == ("acceptance", date(2026, 12, 1), date(2026, 12, 15))
    assert step.organisation.is_lead and "22号" in step.rule
    assert (
        application.commitment is not None and application.commitment_digest == application.commitment.digest
    )
    assert application.materials.get().sha256
    assert Notification.objects.filter(recipient=park_admin, kind="repair.submitted").exists()
    assert AuditEntry.objects.filter(action="repair.applied", object_id=str(application.pk)).exists()


def test_who_may_apply_and_with_what(
    record: Any, ent_a_user: User, ent_b_user: User, park_admin: User
) -> None:
    digest = commitment_draft(actor=ent_a_user, record=record).rendered.digest
    ok = {"statement": "罚款已缴清,已整改到位。", "commitment_digest": digest, "files": [("a.pdf", PDF)]}
    for actor in (ent_b_user, park_admin):
        with pytest.raises(PermissionDenied):
            application_submit(actor=actor, record=record, **ok)
    with pytest.raises(ValidationError, match="证明材料"):
        application_submit(actor=ent_a_user, record=record, **{**ok, "files": []})
    with pytest.raises(ValidationError, match="不是允许的格式"):
        application_submit(actor=ent_a_user, record=record, **{**ok, "files": [("a.pdf", b"MZ\x90")]})
    with pytest.raises(ValidationError, match="承诺书内容已变化"):
        application_submit(actor=ent_a_user, record=record, **{**ok, "commitment_digest": "0" * 64})
    with pytest.raises(ValidationError, match="整改情况说明至少"):
        application_submit(actor=ent_a_user, record=record, **{**ok, "statement": "已改"})
    assert not RepairApplication.objects.exists()  # nothing half-written
    application_submit(actor=ent_a_user, record=record, **ok)
    with pytest.raises(ValidationError, match="已有正在办理的修复申请"):
        application_submit(actor=ent_a_user, record=record, **ok)


def test_too_early_and_disputed_records_cannot_be_repaired(travel: Any, ent_a: Any, ent_a_user: User) -> None:
    early = f.make_record(ent_a, decided_on=date(2026, 11, 2))
    assert repair_blocker(early) == "最短公示期未满,2027年02月02日起可申请修复"
    disputed = f.make_record(ent_a, decided_on=date(2026, 8, 1))
    objection_submit(actor=ent_a_user, record=disputed, reasons="处罚对象登记错误,并非本企业。")
    assert "异议" in (repair_blocker(disputed) or "")
    with pytest.raises(ValidationError, match="异议办结后"):
        _apply(ent_a_user, disputed)


def test_a_refusal_needs_reasons_and_closes_the_application(
    record: Any, ent_a_user: User, park_admin: User
) -> None:
    application = _apply(ent_a_user, record)
    with pytest.raises(ValidationError, match="必须填写理由"):
        application_advance(actor=park_admin, application=application, approve=False)
    refused = application_advance(
        actor=park_admin, application=application, approve=False, note="缺少缴款凭证原件"
    )
    assert refused.state == ApplicationState.REJECTED and refused.decision_note == "缺少缴款凭证原件"
    assert record_state(record).status is Status.ACTIVE
    assert (
        Notification.objects.get(recipient=ent_a_user, kind="repair.rejected").body == "理由:缺少缴款凭证原件"
    )
    with pytest.raises(ValidationError, match="已办结"):
        application_advance(actor=park_admin, application=refused, approve=True)
    # A refused application does not block a new one.
    assert repair_blocker(record) is None


def test_each_step_belongs_to_its_department(
    record: Any, ent_a_user: User, park_admin: User, dept_staff: User
) -> None:
    application = _apply(ent_a_user, record)
    with pytest.raises(PermissionDenied, match="受理窗口受理"):
        application_advance(actor=dept_staff, application=application, approve=True)
    application_advance(actor=park_admin, application=application, approve=True)  # to the source department
    review = application.steps.get(step="review")
    assert review.organisation.is_lead  # the test source belongs to no park department
    assert review.due_on == date(2026, 12, 4)  # 3 working days
    bodies = set(Notification.objects.filter(kind="repair.review").values_list("body", flat=True))
    assert bodies == {"请于 2026-12-04 前作出审核意见。"}  # the department is told its own due day


def test_a_late_step_counts_working_days_and_shows_in_the_queue(
    record: Any, travel: Any, ent_a_user: User, park_admin: User, dept_staff: User
) -> None:
    application = _apply(ent_a_user, record)
    travel.move_to("2026-12-17 10:00 +0800")  # due 15 December: 16 and 17 are late
    step = application.steps.get()
    assert step_late_workdays(step) == 2
    overdue = staff_queue(actor=park_admin, status="overdue")
    assert [(i.kind, i.pk, i.late) for i in overdue] == [("repair", application.pk, 2)]
    assert staff_queue(actor=dept_staff, status="open", mine=True) == []  # not its department's task
    application_advance(actor=park_admin, application=application, approve=True)
    step.refresh_from_db()
    assert step_late_workdays(step) == 2  # finished late stays late
    assert AuditEntry.objects.filter(action="repair.acceptance.passed", detail__late_workdays=2).exists()


def test_the_reminder_run_tells_each_enterprise_once(
    record: Any, travel: Any, ent_a: Any, ent_a_user: User
) -> None:
    early = f.make_record(ent_a, decided_on=date(2026, 11, 2))
    out = StringIO()
    call_command("repair", "remind", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "checked": 2,
        "reminded": 1,
        "recipients": 1,
    }
    assert RepairReminder.objects.get().record == record
    assert repair_remind().reminded == 0
    travel.move_to("2027-02-02 09:00 +0800")
    result = repair_remind()
    assert (result.reminded, RepairReminder.objects.filter(record=early).exists()) == (1, True)
    assert Notification.objects.filter(recipient=ent_a_user, kind="repair.reminder").count() == 2


def test_the_reminder_run_skips_a_record_with_an_application_in_progress(
    record: Any, ent_a: Any, ent_a_user: User
) -> None:
    """A record the enterprise has already applied to repair gets no reminder; another one does."""
    _apply(ent_a_user, record)
    other = f.make_record(ent_a, decided_on=date(2026, 8, 1))
    result = repair_remind()
    assert (result.checked, result.reminded) == (2, 1)
    assert RepairReminder.objects.get().record == other


def test_park_figures_count_by_month(record: Any, ent_a_user: User, park_admin: User) -> None:
    _apply(ent_a_user, record)
    other = f.make_record(record.enterprise, decided_on=date(2026, 8, 1))
    objection_submit(actor=ent_a_user, record=other, reasons="处罚对象登记错误,并非本企业。")
    figures = park_figures()
    chart = figures["chart"]
    assert chart["categories"][-1] == "2026-12" and len(chart["categories"]) == 12
    series = {s["name"]: s["data"] for s in chart["series"]}
    assert series["修复申请"][-1] == 1 and series["异议申请"][-1] == 1 and series["修复完成"][-1] == 0
    assert "信用承诺" in series  # the commitments app is installed: the repair commitment counts
    assert series["信用承诺"][-1] >= 1
