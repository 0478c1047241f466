"""Objections: the record is disputed at once, the department answers in working days, the
outcome is a ledger event, and only the right people may do each part."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from creditcore.ledger import Status
from parkcredit.accounts.models import User
from parkcredit.audit.models import AuditEntry
from parkcredit.notifications.models import Notification
from parkcredit.objections.models import ObjectionState
from parkcredit.objections.services import objection_decide, objection_extend, objection_submit
from parkcredit.records.selectors import record_state
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n"
REASONS = "该处罚决定已于复议中被撤销,附复议决定书。"


@pytest.fixture
def record(ent_a: Any) -> Any:
    return f.make_record(ent_a, decided_on=date(2026, 6, 1))


@time_machine.travel("2026-09-29 10:00 +0800", tick=False)
def test_an_objection_disputes_the_record_at_once_and_routes_to_the_department(
    ent_a: Any, ent_a_user: User, park_admin: User
) -> None:
    record = f.make_record(ent_a, decided_on=date(2026, 6, 1))
    objection = objection_submit(
        actor=ent_a_user, record=record, reasons=REASONS, files=[("复议决定书.pdf", PDF)]
    )
    state = record_state(record)
    assert state.disputed and not state.counts_for_scoring
    # Tuesday before National Day: three working days end on Friday 9 October.
    assert objection.due_on == date(2026, 10, 9)
    assert objection.responsible.is_lead  # the test source belongs to no park department
    assert objection.evidence.get().content_type == "application/pdf"
    assert Notification.objects.filter(recipient=park_admin, kind="objection.submitted").exists()
    assert AuditEntry.objects.filter(action="objection.submitted", object_id=str(objection.pk)).exists()


@time_machine.travel("2026-09-29 10:00 +0800", tick=False)
def test_verification_extends_the_limit_to_seven_working_days(
    ent_a: Any, ent_a_user: User, park_admin: User
) -> None:
    record = f.make_record(ent_a, decided_on=date(2026, 6, 1))
    objection = objection_submit(actor=ent_a_user, record=record, reasons=REASONS)
    extended = objection_extend(actor=park_admin, objection=objection, note="转市场监管局核实")
    assert extended.track == "verify"
    assert extended.due_on == date(2026, 10, 14)
    assert Notification.objects.filter(recipient=ent_a_user, kind="objection.extended").exists()
    with pytest.raises(ValidationError, match="已转信息提供单位核实"):
        objection_extend(actor=park_admin, objection=extended)


def test_a_rejected_objection_reinstates_the_record(record: Any, ent_a_user: User, park_admin: User) -> None:
    objection = objection_submit(actor=ent_a_user, record=record, reasons=REASONS)
    done = objection_decide(actor=park_admin, objection=objection, upheld=False, note="经核实,处罚决定有效")
    state = record_state(record)
    assert done.state == ObjectionState.REJECTED
    assert state.status is Status.ACTIVE and not state.disputed and state.counts_for_scoring
    assert Notification.objects.filter(recipient=ent_a_user, kind="objection.rejected").exists()
    with pytest.raises(ValidationError, match="已办结"):
        objection_decide(actor=park_admin, objection=done, upheld=True, note="再次处理")


def test_an_upheld_objection_withdraws_the_record(record: Any, ent_a_user: User, park_admin: User) -> None:
    objection = objection_submit(actor=ent_a_user, record=record, reasons=REASONS)
    objection_decide(actor=park_admin, objection=objection, upheld=True, note="复议已撤销原处罚")
    assert record_state(record).status is Status.REVOKED
    assert AuditEntry.objects.filter(action="objection.upheld").exists()


def test_a_decision_needs_reasons(record: Any, ent_a_user: User, park_admin: User) -> None:
    objection = objection_submit(actor=ent_a_user, record=record, reasons=REASONS)
    with pytest.raises(ValidationError, match="处理意见"):
        objection_decide(actor=park_admin, objection=objection, upheld=False, note=" ")


def test_only_the_enterprise_itself_may_object(record: Any, ent_b_user: User, dept_staff: User) -> None:
    for actor in (ent_b_user, dept_staff):
        with pytest.raises(PermissionDenied):
            objection_submit(actor=actor, record=record, reasons=REASONS)
    assert not record_state(record).disputed


def test_only_the_responsible_department_answers(record: Any, ent_a_user: User, dept_staff: User) -> None:
    objection = objection_submit(actor=ent_a_user, record=record, reasons=REASONS)
    with pytest.raises(PermissionDenied, match="经济发展部"):
        objection_decide(actor=dept_staff, objection=objection, upheld=True, note="越权处理")


def test_a_record_source_department_answers_its_own_records(
    ent_a: Any, ent_a_user: User, dept_staff: User
) -> None:
    source = f.data_source("czj-source")
    source.organisation = dept_staff.organisation
    source.save()
    record = f.make_record(ent_a, source=source)
    objection = objection_submit(actor=ent_a_user, record=record, reasons=REASONS)
    assert objection.responsible == dept_staff.organisation
    objection_decide(actor=dept_staff, objection=objection, upheld=False, note="经核实,记录无误")


def test_a_second_objection_and_bad_input_are_refused(record: Any, ent_a_user: User) -> None:
    with pytest.raises(ValidationError, match="至少 10 个字"):
        objection_submit(actor=ent_a_user, record=record, reasons="有误")
    with pytest.raises(ValidationError, match="不是允许的格式"):
        objection_submit(actor=ent_a_user, record=record, reasons=REASONS, files=[("a.pdf", b"<html>")])
    assert not record_state(record).disputed  # nothing half-written
    objection_submit(actor=ent_a_user, record=record, reasons=REASONS)
    with pytest.raises(ValidationError, match="异议"):
        objection_submit(actor=ent_a_user, record=record, reasons=REASONS)


def test_a_record_corrected_by_its_source_closes_the_objection(
    ent_a: Any, ent_a_user: User, park_admin: User
) -> None:
    from parkcredit.objections.services import objection_close_corrected
    from parkcredit.records.importing.services import import_run
    from parkcredit.records.models import CreditRecord
    from tests.parkcredit.records.importing.helpers import penalty_csv, penalty_line

    def send(amount: str) -> None:
        line = penalty_line(ent_a.name, ent_a.uscc, "豫罚〔2026〕77号", amount=amount, day="2026/6/1")
        import_run(actor=park_admin, profile="penalty", data=penalty_csv(line), file_name="p.csv")

    send("5")
    record = CreditRecord.objects.get(source_ref="豫罚〔2026〕77号")
    objection = objection_submit(
        actor=ent_a_user, record=record, reasons="罚款金额登记错误,实际为 0.5 万元。"
    )
    with pytest.raises(ValidationError, match="尚未更正"):
        objection_close_corrected(actor=park_admin, objection=objection)
    send("0.5")  # the source re-sends the decision with the right amount
    assert record_state(record).status is Status.SUPERSEDED
    closed = objection_close_corrected(actor=park_admin, objection=objection, note="已按复核结果更正金额")
    assert closed.state == ObjectionState.CORRECTED
    successor = CreditRecord.objects.get(supersedes=record)
    assert successor.amount is not None and str(successor.amount) == "5000.00"
    assert Notification.objects.filter(recipient=ent_a_user, kind="objection.corrected").exists()
