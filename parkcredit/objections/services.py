"""Writes of the objection procedure: submit, extend for verification, decide.

Each write is one transaction with its ledger event (through `record_event_append`, which also
rescores the enterprise after the commit), its audit entry and its notifications.

Every page that writes here writes once. The enterprise's objection page carries a one-time token
(`parkcredit.common.once`): sent again, it lands on the objection it made. A staff action page
carries the track it showed; under the objection's row lock a repeat is recognised by what has
changed since (closed, or already routed to the information provider) and writes nothing.
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
from parkcredit.common import once
from parkcredit.objections import routing
from parkcredit.objections.files import checked_uploads, file_fields
from parkcredit.objections.models import Objection, ObjectionEvidence, ObjectionState
from parkcredit.objections.selectors import open_objection_for
from parkcredit.records.models import CreditRecord
from parkcredit.records.services import record_event_append
from parkcredit.repair.workcalendar import park_calendar

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


def submit_token_issue() -> str:
    """A fresh one-time token for an objection page (stored with the objection it submits)."""
    return once.token_issue()


def page_expired_message() -> str:
    """An objection page without a valid one-time token: nothing was submitted from it."""
    return _("异议页面已失效,本次没有提交。请重新填写异议理由、选择证明材料后再提交")


def already_submitted_message(objection: Objection) -> str:
    return _("这份异议已经提交(异议 #%(pk)s),重复提交没有再提交一份。") % {"pk": objection.pk}


class ObjectionAlreadySubmitted(once.Repeated):
    """The objection page was submitted again; `existing` is the objection its first submission
    created. Nothing new was written."""

    def __init__(self, existing: Objection) -> None:
        super().__init__(
            existing,
            field="submit_token",
            message=already_submitted_message(existing),
            code="already_submitted",
        )


def _already_open(record: CreditRecord, objection: Objection | None) -> ValidationError:
    """The business rule, not a double submission: another objection page (another token), or a
    caller without a page, contests a record whose objection is still being handled."""
    if objection is None:  # closed again between the refused insert and this read
        return ValidationError(
            {"record": _("记录「%(ref)s」已有正在处理的异议") % {"ref": record.source_ref}}
        )
    return ValidationError(
        {
            "record": _("记录「%(ref)s」已有正在处理的异议(异议 #%(pk)s),办结后才能再次提出异议")
            % {"ref": record.source_ref, "pk": objection.pk}
        }
    )


def objection_submit(
    *,
    actor: Any,
    record: CreditRecord,
    reasons: str,
    files: list[tuple[str, bytes]] | None = None,
    submit_token: str = "",
) -> Objection:
    """An enterprise user contests one of its own records: the record is disputed at once.

    The DISPUTED event freezes the record from scoring and rescoring follows the commit; the
    source department is told and must answer within 3 working days (7 once it asks the
    information provider to verify).

    `submit_token` (from `submit_token_issue`, carried by the objection page) makes submitting
    idempotent: when this user has already submitted with it, ObjectionAlreadySubmitted carries
    that objection and nothing is written (no second objection, ledger event, audit entry or
    notification), even if that objection has been decided since. Two requests at the same moment
    both pass the first look; the unique constraint on (submitter, token) lets one insert and
    sends the other to the same answer. Another page for a record whose objection is open meets
    the business rule (one open objection per record) with its own message.
    """
    if getattr(actor, "enterprise_id", None) is None or actor.enterprise_id != record.enterprise_id:
        raise PermissionDenied(_("只有记录所属企业的用户可以对该记录提出异议"))
    token = once.token_clean(submit_token, field="submit_token", expired=page_expired_message())
    existing = Objection.objects.submitted_with(actor, token).first()
    if existing is not None:
        raise ObjectionAlreadySubmitted(existing)
    text = _clean_reasons(reasons)
    uploads = checked_uploads(list(files or []), field="evidence")
    in_progress = open_objection_for(record)
    if in_progress is not None:
        if token and in_progress.submitted_by_id == actor.pk and in_progress.submit_token == token:
            raise ObjectionAlreadySubmitted(in_progress)  # committed since the first look
        raise _already_open(record, in_progress)
    calendar = park_calendar()
    now = timezone.now()
    responsible = routing.source_department(record)
    with transaction.atomic():
        # The objection row first: of two requests at once the database lets one insert (the
        # other waits for it), so the same page sent twice gets its objection and another page
        # the one-open-objection rule, before either touches the ledger.
        try:
            objection, created = once.create_once(
                lambda: Objection.objects.create(
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
                    submit_token=token,
                ),
                lambda: Objection.objects.submitted_with(actor, token).first(),
            )
        except IntegrityError:
            raise _already_open(record, open_objection_for(record)) from None
        if not created:
            raise ObjectionAlreadySubmitted(objection)
        # The ledger refuses a dispute of a record that is not in force, with its own message.
        record_event_append(
            actor=actor, record=record, event_type=EventType.DISPUTED, note=f"企业提出异议:{text[:200]}"
        )
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
    """The refusal for a caller without an action page (the demo): the objection is closed."""
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


def already_handled_message(objection: Objection) -> str:
    """What the first submission of an action page did (or another member of staff meanwhile)."""
    if objection.is_open:  # still open, so the change since the page is the routing to verify
        return _("异议 #%(pk)s 已经转信息提供单位核实(办理期限 %(due)s),重复提交没有再次办理。") % {
            "pk": objection.pk,
            "due": f"{objection.due_on:%Y-%m-%d}",
        }
    return _("异议 #%(pk)s 已经办理(%(state)s),重复提交没有再次办理。") % {
        "pk": objection.pk,
        "state": objection.get_state_display(),
    }


class ObjectionAlreadyHandled(ValidationError):
    """A staff action page was submitted again (a double click, a re-sent form, two staff at
    once) and what it acts on has been handled; `objection` is as the first submission (or the
    other member of staff) left it. Nothing new was written."""

    def __init__(self, objection: Objection) -> None:
        self.objection = objection
        super().__init__(
            {"state": ValidationError(already_handled_message(objection), code="already_handled")}
        )


def page_stale_message() -> str:
    """An action page that does not say what it acts on (forged, or from an older version)."""
    return _("处理页面已失效,请刷新页面后重新处理")


def _require_as_seen(locked: Objection, *, seen_track: str | None, extend: bool = False) -> None:
    """Refuse, under the row lock, an action whose page has been overtaken: `seen_track` is the
    track the action page showed (None for callers without a page, who get the plain refusals).

    A closed objection is a repeat of any action. An extension is a repeat once the track has
    moved on from what the page showed; a decision is not, since deciding after the routing is
    what the routing is for. A page that showed the verify track never asks to extend (the choice
    is not offered), so an extension from it meets the rule that it happens once.
    """
    if seen_track is None:
        _require_open(locked)
        return
    tracks = {track.value for track in ObjectionTrack}
    if seen_track not in tracks or (seen_track == ObjectionTrack.VERIFY and locked.track != seen_track):
        raise ValidationError({"track": page_stale_message()})  # the track never moves back
    if not locked.is_open or (extend and locked.track != seen_track):
        raise ObjectionAlreadyHandled(locked)


def objection_extend(
    *, actor: Any, objection: Objection, note: str = "", seen_track: str | None = None
) -> Objection:
    """The department asks the information provider to verify: the limit becomes 7 working days
    counted from the day the objection was made (Henan credit regulation Art. 41).

    `seen_track` is the track the action page showed (the detail page always sends it): sent
    again once the objection is routed or closed, it writes nothing and ObjectionAlreadyHandled
    carries the objection. The row is locked first, so of two simultaneous requests the second
    reads the first one's outcome.
    """
    _require_responsible(actor, objection)
    text = _clean_note(note, required=False)
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        _require_as_seen(locked, seen_track=seen_track, extend=True)
        if locked.track == ObjectionTrack.VERIFY:
            raise ValidationError({"track": _("异议 #%(pk)s 已转信息提供单位核实") % {"pk": locked.pk}})
        before = locked.due_on
        locked.track = ObjectionTrack.VERIFY.value
        locked.due_on = due_on(
            park_calendar(),
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


def objection_decide(
    *, actor: Any, objection: Objection, upheld: bool, note: str, seen_track: str | None = None
) -> Objection:
    """The department answers: upheld withdraws the record (DISPUTE_UPHELD), rejected reinstates
    it (DISPUTE_REJECTED); either way the record is unfrozen and the enterprise rescored.

    With `seen_track` (from the action page), a decision sent again once the objection is closed
    writes nothing — no second ledger event, audit entry or notification — and
    ObjectionAlreadyHandled carries the objection as it was decided.
    """
    _require_responsible(actor, objection)
    text = _clean_note(note, required=True)
    with transaction.atomic():
        locked = (
            Objection.objects.select_for_update().select_related("record", "enterprise").get(pk=objection.pk)
        )
        _require_as_seen(locked, seen_track=seen_track)
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
    return workdays_late(park_calendar(), objection.due_on, finished, routing.today())


def objection_close_corrected(
    *, actor: Any, objection: Objection, note: str = "", seen_track: str | None = None
) -> Objection:
    """Close an objection whose record the source has corrected meanwhile (the import wrote a
    CORRECTED event and a new version); the corrected version is the one that counts now.

    With `seen_track` (from the action page), sent again once the objection is closed it writes
    nothing and ObjectionAlreadyHandled carries the objection.
    """
    from creditcore.ledger import Status
    from parkcredit.records.selectors import record_state

    _require_responsible(actor, objection)
    text = _clean_note(note, required=False)
    with transaction.atomic():
        locked = (
            Objection.objects.select_for_update().select_related("record", "enterprise").get(pk=objection.pk)
        )
        _require_as_seen(locked, seen_track=seen_track)
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
