"""The fulfilment check over literal ledgers: a breached commitment becomes a negative record.

Each test writes a small ledger by hand (commitment signed on a given day, then records and park
findings with their dates), runs the check and reads the outcome: the commitment's status, the
`commitment-breach` record in the ledger, the grade, the notification and the audit trail.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from parkcredit.audit.models import AuditEntry
from parkcredit.commitments.checking import commitments_check
from parkcredit.commitments.models import Commitment, CommitmentStatus, CommitmentTemplate
from parkcredit.commitments.services import (
    commitment_breach_declare,
    commitment_confirm_delivery,
    commitment_sign,
)
from parkcredit.notifications.models import Notification
from parkcredit.records.models import CreditRecord, RecordEvent
from parkcredit.records.services import observation_record, record_event_append, record_register
from parkcredit.scoring.models import Score
from parkcredit.scoring.services import model_seed
from tests import factories as f

pytestmark = pytest.mark.django_db

SIGNED = date(2026, 3, 2)
CHECK = date(2026, 9, 1)


def template(code: str) -> CommitmentTemplate:
    return CommitmentTemplate.objects.get(code=code, is_current=True)


def sign(actor: Any, enterprise: Any, code: str = "construction", on: date = SIGNED) -> Commitment:
    return commitment_sign(actor=actor, enterprise=enterprise, template=template(code), on=on)


def penalty(
    enterprise: Any, ref: str, decided: date, violation: str, severity: str = "general"
) -> CreditRecord:
    return record_register(
        actor=None,
        enterprise=enterprise,
        kind="penalty",
        source=f.data_source(),
        source_ref=ref,
        decided_on=decided,
        severity=severity,
        amount="20000",
        authority="测试县应急管理局",
        summary="未对安全设备进行经常性维护保养",
        payload={"违法行为类型": violation},
    )


def breach_records(enterprise: Any) -> list[CreditRecord]:
    return list(CreditRecord.objects.filter(enterprise=enterprise, kind__code="commitment-breach"))


def test_a_later_penalty_in_the_promised_area_is_a_breach_and_a_negative_record(
    ent_a_user: Any, ent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    model_seed(actor=None)
    commitment = sign(ent_a_user, ent_a)
    # Each ledger write rescores after its commit; run those callbacks as the test goes.
    with django_capture_on_commit_callbacks(execute=True):
        penalty(ent_a, "河应急罚〔2026〕17号", date(2026, 5, 12), "安全生产违法")
    before = Score.objects.get(enterprise=ent_a, is_current=True)

    with django_capture_on_commit_callbacks(execute=True):
        summary = commitments_check(on=CHECK)

    assert summary["breached"] == 1 and summary["breached_numbers"] == [commitment.number]
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.BREACHED and commitment.status_on == CHECK
    assert "2026-05-12 发生承诺范围内的失信记录" in commitment.breach_reason
    (record,) = breach_records(ent_a)
    assert commitment.breach_record == record
    assert record.kind.polarity == "negative" and record.severity == "general"
    assert record.source.code == "park-commitments" and record.source_ref == commitment.number
    assert record.decided_on == CHECK
    assert record.payload["承诺编号"] == commitment.number
    assert RecordEvent.objects.filter(record=record, event_type="created").exists()
    # The grade follows: the breach indicator loses its points in the rescore after commit.
    after = Score.objects.get(enterprise=ent_a, is_current=True)
    points = {i["code"]: i["points"] for i in after.indicators}
    assert (
        points["commitment_breach"] < {i["code"]: i["points"] for i in before.indicators}["commitment_breach"]
    )
    assert after.score < before.score
    # The enterprise is told, and the step is audited.
    notice = Notification.objects.get(recipient=ent_a_user, kind="commitment.breached")
    assert notice.severity == "critical" and commitment.number in notice.body
    assert AuditEntry.objects.filter(action="commitment.breached", object_id=str(commitment.pk)).exists()
    history = [e.kind for e in commitment.events.all()]
    assert history == ["signed", "breached"]


def test_a_penalty_elsewhere_or_before_signing_breaks_nothing(ent_a_user: Any, ent_a: Any) -> None:
    commitment = sign(ent_a_user, ent_a)
    penalty(ent_a, "河税罚〔2026〕3号", date(2026, 5, 12), "税收征管违法")  # another area
    penalty(ent_a, "河应急罚〔2026〕2号", date(2026, 2, 27), "安全生产违法")  # before signing
    summary = commitments_check(on=CHECK)
    assert summary == {
        "on": "2026-09-01",
        "checked": 1,
        "breached": 0,
        "fulfilled": 0,
        "expired": 0,
        "in_force": 1,
        "breached_numbers": [],
    }
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.IN_FORCE and commitment.last_checked_on == CHECK
    assert breach_records(ent_a) == []
    assert not Notification.objects.filter(kind="commitment.breached").exists()


def test_a_penalty_of_another_enterprise_breaks_nothing(ent_a_user: Any, ent_a: Any, ent_b: Any) -> None:
    sign(ent_a_user, ent_a)
    penalty(ent_b, "河应急罚〔2026〕5号", date(2026, 5, 12), "安全生产违法")
    assert commitments_check(on=CHECK)["breached"] == 0


def test_a_revoked_penalty_does_not_count(ent_a_user: Any, ent_a: Any, park_admin: Any) -> None:
    sign(ent_a_user, ent_a)
    record = penalty(ent_a, "河应急罚〔2026〕18号", date(2026, 5, 12), "消防违法")
    record_event_append(actor=park_admin, record=record, event_type="revoked", note="复议撤销")
    assert commitments_check(on=CHECK)["breached"] == 0


def test_a_missed_rectification_is_a_breach(ent_a_user: Any, ent_a: Any, ent_b_user: Any, ent_b: Any) -> None:
    late = sign(ent_a_user, ent_a)
    kept = sign(ent_b_user, ent_b)
    source = f.data_source("park-safety")
    # Enterprise A: two findings due 2026-06-30, never rectified.
    observation_record(
        actor=None,
        enterprise=ent_a,
        metric="safety_findings",
        period=date(2026, 6, 1),
        value="2",
        source=source,
        due_on=date(2026, 6, 30),
    )
    # Enterprise B: rectified on the due date.
    observation_record(
        actor=None,
        enterprise=ent_b,
        metric="safety_findings",
        period=date(2026, 6, 1),
        value="1",
        source=source,
        due_on=date(2026, 6, 30),
        settled_on=date(2026, 6, 30),
    )
    summary = commitments_check(on=CHECK)
    assert summary["breached_numbers"] == [late.number]
    late.refresh_from_db()
    kept.refresh_from_db()
    assert (
        late.status == CommitmentStatus.BREACHED and "整改期限 2026-06-30 前未整改到位" in late.breach_reason
    )
    assert kept.status == CommitmentStatus.IN_FORCE
    assert len(breach_records(ent_a)) == 1 and breach_records(ent_b) == []


def test_the_check_is_idempotent(ent_a_user: Any, ent_a: Any) -> None:
    sign(ent_a_user, ent_a)
    penalty(ent_a, "河应急罚〔2026〕19号", date(2026, 5, 12), "特种设备安全违法")
    assert commitments_check(on=CHECK)["breached"] == 1
    assert commitments_check(on=CHECK) == {
        "on": "2026-09-01",
        "checked": 0,
        "breached": 0,
        "fulfilled": 0,
        "expired": 0,
        "in_force": 0,
        "breached_numbers": [],
    }
    assert len(breach_records(ent_a)) == 1


def test_a_kept_commitment_is_fulfilled_with_a_positive_record(ent_a_user: Any, ent_a: Any) -> None:
    commitment = sign(ent_a_user, ent_a, code="policy", on=date(2025, 6, 2))
    assert commitment.valid_until == date(2026, 6, 1)
    summary = commitments_check(on=date(2026, 6, 2))
    assert summary["fulfilled"] == 1
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED
    assert commitment.kept_record is not None and commitment.kept_record.kind.code == "commitment-kept"
    assert Notification.objects.filter(recipient=ent_a_user, kind="commitment.fulfilled").exists()


def test_a_government_commitment_breached_by_a_missed_deadline(park_admin: Any, dept_staff: Any) -> None:
    commitment = commitment_sign(
        actor=park_admin, template=template("government-policy"), on=date(2026, 3, 2)
    )
    deadline = date.fromisoformat(commitment.deadlines["0"])
    assert commitments_check(on=deadline)["in_force"] == 1
    summary = commitments_check(on=date(2026, 9, 1))
    assert summary["breached"] == 1
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.BREACHED and commitment.breach_record is None
    assert not CreditRecord.objects.filter(kind__code="commitment-breach").exists()
    # The committing department's staff are told.
    assert Notification.objects.filter(recipient=park_admin, kind="commitment.breached").exists()


def test_a_confirmed_delivery_keeps_the_government_commitment(park_admin: Any, dept_staff: Any) -> None:
    commitment = commitment_sign(
        actor=park_admin, template=template("government-policy"), on=date(2026, 3, 2)
    )
    commitment_confirm_delivery(
        actor=dept_staff, commitment=commitment, condition=0, on=date(2026, 3, 20), note="已拨付"
    )
    assert commitments_check(on=date(2026, 9, 1))["in_force"] == 1
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.IN_FORCE
    assert [e.kind for e in commitment.events.all()] == ["signed", "delivered"]


def test_staff_declare_a_false_commitment(dept_staff: Any, ent_a_user: Any, ent_a: Any) -> None:
    commitment = sign(ent_a_user, ent_a, code="approval")
    declared = commitment_breach_declare(
        actor=dept_staff, commitment=commitment, reason="事后核查发现申报的场地证明材料不实(虚假承诺)"
    )
    assert declared.status == CommitmentStatus.BREACHED
    (record,) = breach_records(ent_a)
    assert record.severity == "serious"  # the approval template treats a false commitment as serious
    assert record.created_by == dept_staff
    with pytest.raises(Exception, match="不能认定违诺"):
        commitment_breach_declare(actor=dept_staff, commitment=declared, reason="再次认定")
    # A stale copy (the page was open in two tabs) is checked against the locked row, not memory.
    with pytest.raises(ValidationError, match="不能认定违诺"):
        commitment_breach_declare(actor=dept_staff, commitment=commitment, reason="再次认定")
    assert len(breach_records(ent_a)) == 1
    assert AuditEntry.objects.filter(action="commitment.breached").count() == 1


def test_declare_refuses_a_commitment_the_check_closed_meanwhile(
    dept_staff: Any, ent_a_user: Any, ent_a: Any
) -> None:
    commitment = sign(ent_a_user, ent_a, code="approval")
    Commitment.objects.filter(pk=commitment.pk).update(status=CommitmentStatus.FULFILLED)
    with pytest.raises(ValidationError, match="不能认定违诺"):
        commitment_breach_declare(actor=dept_staff, commitment=commitment, reason="核查发现材料不实")
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED
    assert breach_records(ent_a) == []


def test_the_command_prints_a_json_summary(ent_a_user: Any, ent_a: Any) -> None:
    sign(ent_a_user, ent_a)
    penalty(ent_a, "河应急罚〔2026〕20号", date(2026, 5, 12), "消防违法")
    dry = StringIO()
    call_command("commitments", "check", "--on", "2026-09-01", "--dry-run", stdout=dry)
    assert json.loads(dry.getvalue())["breached"] == 1 and json.loads(dry.getvalue())["dry_run"] is True
    assert breach_records(ent_a) == [] and Commitment.objects.get().status == CommitmentStatus.IN_FORCE
    out = StringIO()
    call_command("commitments", "check", "--on", "2026-09-01", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["breached"] == 1 and summary["checked"] == 1
    with pytest.raises(CommandError, match="不是有效日期"):
        call_command("commitments", "check", "--on", "2026-13-01")
    with pytest.raises(CommandError, match="晚于今天"):
        call_command("commitments", "check", "--on", "2099-01-01")


def test_a_zero_amount_bill_is_not_a_finding(ent_a_user: Any, ent_a: Any) -> None:
    sign(ent_a_user, ent_a)
    observation_record(
        actor=None,
        enterprise=ent_a,
        metric="safety_findings",
        period=date(2026, 6, 1),
        value=Decimal("0"),
        source=f.data_source("park-safety"),
        due_on=date(2026, 6, 30),
    )
    assert commitments_check(on=CHECK)["breached"] == 0


def test_a_penalty_repaired_since_still_shows_the_breach(
    ent_a_user: Any, ent_a: Any, park_admin: Any
) -> None:
    sign(ent_a_user, ent_a)
    record = penalty(ent_a, "河应急罚〔2026〕21号", date(2026, 5, 12), "安全生产违法")
    record_event_append(actor=park_admin, record=record, event_type="repaired", note="已修复")
    assert commitments_check(on=CHECK)["breached"] == 1


def test_a_penalty_under_objection_waits(ent_a_user: Any, ent_a: Any) -> None:
    sign(ent_a_user, ent_a)
    record = penalty(ent_a, "河应急罚〔2026〕22号", date(2026, 5, 12), "安全生产违法")
    record_event_append(actor=ent_a_user, record=record, event_type="disputed", note="处罚对象有误")
    assert commitments_check(on=CHECK)["breached"] == 0
