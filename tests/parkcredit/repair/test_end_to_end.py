"""From a penalty to its repair, and an objection that freezes and unfreezes a record.

The penalty goes in through the real import service; the enterprise sees its repair date; the
date comes (time-machine); the reminder arrives in its inbox; the application passes the window,
the source department and the credit office, each within its working-day limit, through the web
pages; the record stops being public, the grade and the enterprise code change, and the bank that
downloaded the credit report is told.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from creditcore.ledger import Status
from parkcredit.accounts.models import User
from parkcredit.codes.selectors import code_current
from parkcredit.codes.services import code_issue
from parkcredit.notifications.models import Notification
from parkcredit.objections.services import objection_decide, objection_submit
from parkcredit.records.importing.services import import_run
from parkcredit.records.models import CreditRecord
from parkcredit.records.selectors import record_state
from parkcredit.repair.selectors import public_records
from parkcredit.repair.workflow.models import ApplicationState, RepairApplication
from parkcredit.repair.workflow.selectors import application_steps
from parkcredit.repair.workflow.services import repair_remind
from parkcredit.reports.services import report_generate
from parkcredit.scoring.models import Score
from parkcredit.scoring.services import model_seed, scoring_on_ledger_change
from tests.parkcredit.records.importing.helpers import penalty_csv, penalty_line

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\n"
REF = "豫市监罚〔2026〕1102号"


def _grade(enterprise: Any) -> str:
    return str(Score.objects.get(enterprise=enterprise, is_current=True).grade)


def _score(enterprise: Any) -> int:
    return int(Score.objects.get(enterprise=enterprise, is_current=True).score)


def _import_penalty(actor: User, enterprise: Any, capture: Any) -> CreditRecord:
    with capture(execute=True):
        report = import_run(
            actor=actor,
            profile="penalty",
            data=penalty_csv(penalty_line(enterprise.name, enterprise.uscc, REF, day="2026/11/2")),
            file_name="penalty.csv",
        )
    assert report.new == 1
    return CreditRecord.objects.get(enterprise=enterprise, source_ref=REF)


def _open_step(application: RepairApplication) -> int:
    """The step a decision page shows (and sends back, so that sending it twice decides once)."""
    return application.steps.get(finished_at__isnull=True).pk


def _post(client: Client, user: User, url: str, data: dict[str, Any]) -> Any:
    client.force_login(user)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_a_penalty_is_repaired_on_time_and_everyone_who_used_it_is_told(
    park_admin: User,
    dept_staff: User,
    ent_a: Any,
    ent_a_user: User,
    bank_user: User,
    bank_unauthorised_user: User,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    model_seed(actor=None)
    scoring_on_ledger_change([ent_a.pk])
    assert _grade(ent_a) == "B"
    first_code = code_issue(actor=park_admin, enterprise=ent_a)

    record = _import_penalty(park_admin, ent_a, django_capture_on_commit_callbacks)
    assert _grade(ent_a) == "C"
    penalised_code = code_current(ent_a)
    assert penalised_code is not None and penalised_code.grade == "C" and penalised_code.pk != first_code.pk
    # The bank reads the enterprise's credit report while the penalty is public.
    report_generate(actor=bank_user, enterprise=ent_a, downloaded=True)

    # The enterprise sees at once when it can repair (失信之时即知修复之时), but cannot apply yet.
    client.force_login(ent_a_user)
    page = client.get(reverse("repair_workflow:mine")).content.decode()
    assert "2027-02-02" in page and "2027年02月02日起可申请修复" in page
    assert 'data-testid="apply-button"' not in page
    assert repair_remind().reminded == 0

    with time_machine.travel("2027-02-02 09:30 +0800", tick=False):
        # 信用唤醒: the reminder arrives once.
        assert repair_remind().reminded == 1
        assert repair_remind().reminded == 0
        reminder = Notification.objects.get(recipient=ent_a_user, kind="repair.reminder")
        client.force_login(ent_a_user)
        assert reminder.title in client.get(reverse("notifications:inbox")).content.decode()
        assert 'data-testid="apply-button"' in client.get(reverse("repair_workflow:mine")).content.decode()

        apply_url = reverse("repair_workflow:apply", kwargs={"pk": record.pk})
        page = client.get(apply_url).context
        _post(
            client,
            ent_a_user,
            apply_url,
            {
                "statement": "罚款已于2026年11月20日缴清,年度报告已补报公示。",
                "materials": [SimpleUploadedFile("缴款凭证.pdf", PDF, content_type="application/pdf")],
                "commitment_digest": page["form"].initial["commitment_digest"],
                "commitment": "on",
                "token": page["token"],
            },
        )
        application = RepairApplication.objects.get(record=record)
        assert application.commitment is not None and application.commitment.scenario == "repair"
        assert Notification.objects.filter(recipient=park_admin, kind="repair.submitted").exists()

        action = reverse("repair_workflow:action", kwargs={"pk": application.pk})
        # 受理窗口 (the credit office) forwards to the department that must review it.
        forward = {"decision": "approve", "review_org": dept_staff.organisation_id}
        _post(client, park_admin, action, {**forward, "step": _open_step(application)})
        application.refresh_from_db()
        assert (
            application.state == ApplicationState.REVIEWING
            and application.review_org == dept_staff.organisation
        )
        # The reviewing department passes it on, but may not take the credit office's decision.
        _post(
            client,
            dept_staff,
            action,
            {"decision": "approve", "note": "经核查,已履行处罚义务", "step": _open_step(application)},
        )
        application.refresh_from_db()
        assert application.state == ApplicationState.DECIDING
        client.force_login(dept_staff)
        decide = {"decision": "approve", "step": _open_step(application)}
        assert client.post(action, decide).status_code == 403
        application.refresh_from_db()
        assert application.state == ApplicationState.DECIDING  # refused: not the credit office

        with django_capture_on_commit_callbacks(execute=True):
            _post(
                client,
                park_admin,
                action,
                {"decision": "approve", "note": "同意修复,停止公示", "step": _open_step(application)},
            )

        application.refresh_from_db()
        assert application.state == ApplicationState.APPROVED
        steps = application_steps(application)
        assert [row.step.step for row in steps] == ["acceptance", "review", "decision"]
        assert all(row.late == 0 and row.step.outcome == "passed" for row in steps)
        assert all(row.step.finished_at is not None for row in steps)

        assert record_state(record).status is Status.REPAIRED
        assert record not in public_records(ent_a)
        assert _grade(ent_a) == "B"
        repaired_code = code_current(ent_a)
        assert (
            repaired_code is not None and repaired_code.grade == "B" and repaired_code.pk != penalised_code.pk
        )

        assert Notification.objects.filter(recipient=ent_a_user, kind="repair.approved").exists()
        told = Notification.objects.get(recipient=bank_user, kind="repair.record_repaired")
        assert ent_a.name in told.title
        # A bank the enterprise never authorised hears nothing about it.
        assert not Notification.objects.filter(recipient=bank_unauthorised_user).exists()


def test_an_objection_freezes_and_unfreezes_a_record(
    park_admin: User, ent_a: Any, ent_a_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    model_seed(actor=None)
    scoring_on_ledger_change([ent_a.pk])
    clean = _score(ent_a)
    record = _import_penalty(park_admin, ent_a, django_capture_on_commit_callbacks)
    penalised = _score(ent_a)
    assert penalised < clean

    with django_capture_on_commit_callbacks(execute=True):
        objection = objection_submit(
            actor=ent_a_user, record=record, reasons="该处罚正在行政复议中,处罚事实有误。"
        )
    assert record_state(record).disputed
    assert _score(ent_a) == clean  # frozen: the disputed record does not count

    with django_capture_on_commit_callbacks(execute=True):
        objection_decide(actor=park_admin, objection=objection, upheld=False, note="经核实,处罚决定合法有效")
    assert not record_state(record).disputed
    assert _score(ent_a) == penalised  # unfrozen: it counts again
    assert Notification.objects.filter(recipient=ent_a_user, kind="objection.rejected").exists()


def test_the_repair_date_and_deadlines_survive_a_holiday_in_the_calendar(
    park_admin: User, ent_a: Any, ent_a_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    """An application made the working day before a staff-declared holiday gets its limits counted
    past that holiday."""
    from parkcredit.repair.models import CalendarDay, DayKind

    record = _import_penalty(park_admin, ent_a, django_capture_on_commit_callbacks)
    CalendarDay.objects.create(day=date(2027, 2, 3), kind=DayKind.HOLIDAY, name="园区停电检修")
    from parkcredit.repair.workflow.services import application_submit, commitment_draft

    with time_machine.travel("2027-02-02 09:30 +0800", tick=False):
        draft = commitment_draft(actor=ent_a_user, record=record)
        application = application_submit(
            actor=ent_a_user,
            record=record,
            statement="罚款已缴清,违法行为已整改。",
            commitment_digest=draft.rendered.digest,
            files=[("凭证.pdf", PDF)],
        )
    step = application.steps.get()
    from parkcredit.repair.workcalendar import park_calendar

    calendar = park_calendar()
    assert not calendar.is_workday(date(2027, 2, 3))
    assert calendar.workdays_between(date(2027, 2, 2), step.due_on) == 10
    assert step.due_on > calendar.add_workdays(date(2027, 2, 1), 10)
