"""Writes of the objection procedure: submit, extend for verification, decide.

Each write is one transaction with its ledger event (through `record_event_append`, which also
rescores the enterprise after the commit), its audit entry and its notifications.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.deadlines import OBJECTION_LIMITS, ObjectionTrack, due_on
from creditcore.ledger import EventType
from parkcredit.audit.services import audit_log
from parkcredit.objections import routing
from parkcredit.objections.files import checked_uploads, file_fields
from parkcredit.objections.models import Objection, ObjectionEvidence, ObjectionState
from parkcredit.records.models import CreditRecord
from parkcredit.records.services import record_event_append

REASONS_MIN = 10
REASONS_MAX = 2000
NOTE_MAX = 500


def _clean_reasons(reasons: str) -> str:
    text = (reasons or "").strip()
    if len(text) < REASONS_MIN:
        raise ValidationError(
            {"reasons": _("异议理由至少 %(min)s 个字,收到 %(n)s 个字") % {"min": REASONS_MIN, "n": len(text)}}
        )
    if len(text) > REASONS_MAX:
        raise ValidationError(
            {
                "reasons": _("异议理由不能超过 %(max)s 个字,收到 %(n)s 个字")
                % {"max": REASONS_MAX, "n": len(text)}
            }
        )
    return text


def _clean_note(note: str, *, required: bool) -> str:
    text = (note or "").strip()
    if required and not text:
        raise ValidationError({"note": _("请填写处理意见(理由)")})
    if len(text) > NOTE_MAX:
        raise ValidationError(
            {"note": _("处理意见不能超过 %(max)s 个字,收到 %(n)s 个字") % {"max": NOTE_MAX, "n": len(text)}}
        )
    return text


def objection_submit(
    *, actor: Any, record: CreditRecord, reasons: str, files: list[tuple[str, bytes]] | None = None
) -> Objection:
    """An enterprise user contests one of its own records: the record is disputed at once.

    The DISPUTED event freezes the record from scoring and rescoring follows the commit; the
    source department is told and must answer within 3 working days (7 once it asks the
    information provider to verify).
    """
    if getattr(actor, "enterprise_id", None) is None or actor.enterprise_id != record.enterprise_id:
        raise PermissionDenied(_("只有记录所属企业的用户可以对该记录提出异议"))
    text = _clean_reasons(reasons)
    uploads = checked_uploads(list(files or []), field="evidence")
    calendar = routing.work_calendar()
    now = timezone.now()
    responsible = routing.source_department(record)
    with transaction.atomic():
        # The ledger refuses a second dispute or a dispute of a closed record, with its own message.
        record_event_append(
            actor=actor, record=record, event_type=EventType.DISPUTED, note=f"企业提出异议:{text[:200]}"
        )
        try:
            with transaction.atomic():
                objection = Objection.objects.create(
                    record=record,
                    enterprise_id=record.enterprise_id,
                    submitted_by=actor,
                    submitted_at=now,
                    reasons=text,
                    track=ObjectionTrack.ORDINARY.value,
                    due_on=due_on(
                        calendar, routing.local_date(now), OBJECTION_LIMITS[ObjectionTrack.ORDINARY]
                    ),
                    responsible=responsible,
                )
        except IntegrityError:
            raise ValidationError(
                {"record": _("记录「%(ref)s」已有正在处理的异议") % {"ref": record.source_ref}}
            ) from None
        for checked, data in uploads:
            ObjectionEvidence.objects.create(objection=objection, **file_fields(checked, data))
        audit_log(
            actor=actor,
            action="objection.submitted",
            obj=objection,
            detail={
                "record": record.pk,
                "due_on": objection.due_on.isoformat(),
                "responsible": responsible.code,
                "files": [c.name for c, _d in uploads],
            },
        )
        link = reverse("objections:detail", kwargs={"pk": objection.pk})
        routing.notify_users(
            actor=actor,
            recipients=routing.department_staff(responsible),
            kind="objection.submitted",
            title=_("异议待处理:%(enterprise)s「%(kind)s」%(ref)s")
            % {"enterprise": record.enterprise.name, "kind": record.kind.name, "ref": record.source_ref},
            body=_("请于 %(due)s 前处理。异议理由:%(reasons)s")
            % {"due": f"{objection.due_on:%Y-%m-%d}", "reasons": text[:200]},
            link=link,
            enterprise=record.enterprise,
            severity="warning",
        )
    return objection


def _require_open(objection: Objection) -> None:
    if objection.state != ObjectionState.OPEN:
        raise ValidationError(
            {
                "state": _("异议 #%(pk)s 已办结(%(state)s),不能再处理")
                % {"pk": objection.pk, "state": objection.get_state_display()}
            }
        )


def _require_responsible(actor: Any, objection: Objection) -> None:
    if not routing.acts_for(actor, objection.responsible):
        raise PermissionDenied(_("该异议由「%(org)s」处理") % {"org": objection.responsible.name})


def objection_extend(*, actor: Any, objection: Objection, note: str = "") -> Objection:
    """The department asks the information provider to verify: the limit becomes 7 working days
    counted from the day the objection was made (Henan credit regulation Art. 41)."""
    _require_responsible(actor, objection)
    text = _clean_note(note, required=False)
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        _require_open(locked)
        if locked.track == ObjectionTrack.VERIFY:
            raise ValidationError({"track": _("异议 #%(pk)s 已转信息提供单位核实") % {"pk": locked.pk}})
        before = locked.due_on
        locked.track = ObjectionTrack.VERIFY.value
        locked.due_on = due_on(
            routing.work_calendar(),
            routing.local_date(locked.submitted_at),
            OBJECTION_LIMITS[ObjectionTrack.VERIFY],
        )
        locked.save(update_fields=["track", "due_on"])
        audit_log(
            actor=actor,
            action="objection.extended",
            obj=locked,
            detail={"due_before": before.isoformat(), "due_on": locked.due_on.isoformat(), "note": text},
        )
        routing.notify_users(
            actor=actor,
            recipients=routing.enterprise_recipients(locked.enterprise),
            kind="objection.extended",
            title=_("异议需信息提供单位核实,办理期限延至 %(due)s") % {"due": f"{locked.due_on:%Y-%m-%d}"},
            body=text,
            link=reverse("objections:detail", kwargs={"pk": locked.pk}),
            enterprise=locked.enterprise,
        )
    return locked


def objection_decide(*, actor: Any, objection: Objection, upheld: bool, note: str) -> Objection:
    """The department answers: upheld withdraws the record (DISPUTE_UPHELD), rejected reinstates
    it (DISPUTE_REJECTED); either way the record is unfrozen and the enterprise rescored."""
    _require_responsible(actor, objection)
    text = _clean_note(note, required=True)
    with transaction.atomic():
        locked = (
            Objection.objects.select_for_update().select_related("record", "enterprise").get(pk=objection.pk)
        )
        _require_open(locked)
        event = EventType.DISPUTE_UPHELD if upheld else EventType.DISPUTE_REJECTED
        record_event_append(actor=actor, record=locked.record, event_type=event, note=f"异议处理意见:{text}")
        locked.state = ObjectionState.UPHELD if upheld else ObjectionState.REJECTED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.outcome_note = text
        locked.save(update_fields=["state", "decided_at", "decided_by", "outcome_note"])
        late = objection_late_workdays(locked)
        audit_log(
            actor=actor,
            action=f"objection.{locked.state}",
            obj=locked,
            detail={
                "record": locked.record_id,
                "note": text,
                "due_on": locked.due_on.isoformat(),
                "late": late,
            },
        )
        outcome = _("异议成立,该记录已撤销") if upheld else _("异议不成立,该记录恢复有效")
        routing.notify_users(
            actor=actor,
            recipients=routing.enterprise_recipients(locked.enterprise),
            kind=f"objection.{locked.state}",
            title=_("异议处理结果:%(outcome)s") % {"outcome": outcome},
            body=text,
            link=reverse("objections:detail", kwargs={"pk": locked.pk}),
            enterprise=locked.enterprise,
            severity="info" if upheld else "warning",
        )
    return locked


def objection_late_workdays(objection: Objection) -> int:
    from creditcore.deadlines import workdays_late

    finished = routing.local_date(objection.decided_at) if objection.decided_at else None
    return workdays_late(routing.work_calendar(), objection.due_on, finished, routing.today())


def objection_close_corrected(*, actor: Any, objection: Objection, note: str = "") -> Objection:
    """Close an objection whose record the source has corrected meanwhile (the import wrote a
    CORRECTED event and a new version); the corrected version is the one that counts now."""
    from creditcore.ledger import Status
    from parkcredit.records.selectors import record_state

    _require_responsible(actor, objection)
    text = _clean_note(note, required=False)
    with transaction.atomic():
        locked = (
            Objection.objects.select_for_update().select_related("record", "enterprise").get(pk=objection.pk)
        )
        _require_open(locked)
        if record_state(locked.record).status is not Status.SUPERSEDED:
            raise ValidationError(
                {
                    "state": _("记录「%(ref)s」尚未更正:请由信息提供单位报送更正后的数据,或直接作出处理")
                    % {"ref": locked.record.source_ref}
                }
            )
        successor = getattr(locked.record, "superseded_by", None)
        locked.state = ObjectionState.CORRECTED
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.outcome_note = text or "信息提供单位已更正该记录"
        locked.save(update_fields=["state", "decided_at", "decided_by", "outcome_note"])
        audit_log(
            actor=actor,
            action="objection.corrected",
            obj=locked,
            detail={"record": locked.record_id, "successor": getattr(successor, "pk", None), "note": text},
        )
        routing.notify_users(
            actor=actor,
            recipients=routing.enterprise_recipients(locked.enterprise),
            kind="objection.corrected",
            title=_("异议处理结果:信息提供单位已更正该记录"),
            body=locked.outcome_note,
            link=reverse("objections:detail", kwargs={"pk": locked.pk}),
            enterprise=locked.enterprise,
        )
    return locked
