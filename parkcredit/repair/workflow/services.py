"""Writes of the repair workflow: apply, route through the three steps, decide, remind.

Every write is one transaction with its audit entry and its notifications. Approval appends the
REPAIRED event through `record_event_append`, which ends the record's publicity and rescores the
enterprise after the commit; the codes app re-issues the enterprise code when the grade changes
(the `grades_changed` signal), so nothing here has to know about codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.deadlines import RepairStep as Step
from creditcore.deadlines import due_on, repair_limits
from creditcore.ledger import EventType
from parkcredit.accounts.models import Organisation, OrganisationKind
from parkcredit.audit.services import audit_log
from parkcredit.common import once
from parkcredit.objections import routing
from parkcredit.objections.files import checked_uploads, file_fields
from parkcredit.records.models import CreditRecord
from parkcredit.records.selectors import record_state
from parkcredit.records.services import record_event_append
from parkcredit.repair.workcalendar import park_calendar
from parkcredit.repair.workflow.models import (
    OPEN_STATES,
    ApplicationState,
    RepairApplication,
    RepairMaterial,
    RepairReminder,
    RepairStep,
    StepOutcome,
)

STATEMENT_MIN = 10
STATEMENT_MAX = 2000
NOTE_MAX = 500


def record_window(record: CreditRecord, *, rules: Any = None) -> Any:
    """The record's publicity and repair window under the rule set in force today (contract R);
    None for records that are not dishonesty information or have no rule."""
    from parkcredit.repair.selectors import record_window as window

    return window(record, rules=rules)


def _clean(text: str, *, field: str, label: str, minimum: int, maximum: int) -> str:
    value = (text or "").strip()
    if len(value) < minimum:
        raise ValidationError(
            {
                field: _("%(label)s至少 %(min)s 个字,收到 %(n)s 个字")
                % {"label": label, "min": minimum, "n": len(value)}
            }
        )
    if len(value) > maximum:
        raise ValidationError(
            {
                field: _("%(label)s不能超过 %(max)s 个字,收到 %(n)s 个字")
                % {"label": label, "max": maximum, "n": len(value)}
            }
        )
    return value


_UNSET: Any = object()


def repair_blocker(
    record: CreditRecord, window: Any = _UNSET, *, has_open_application: bool | None = None
) -> str | None:
    """Why the record cannot be repaired now, in Chinese; None when an application is possible.

    List pages pass `window` and `has_open_application` they already loaded for every record, so
    the check costs no query per record.
    """
    state = record_state(record)
    if not state.exists or state.status.value != "active":
        return _("该记录当前不在公示状态,无需修复")
    if state.disputed:
        return _("该记录正在异议处理中,异议办结后才能申请修复")
    if has_open_application is None:
        has_open_application = RepairApplication.objects.filter(record=record, state__in=OPEN_STATES).exists()
    if has_open_application:
        return _("该记录已有正在办理的修复申请")
    window = record_window(record) if window is _UNSET else window
    if window is None:
        return _("该记录不属于失信信息或没有适用的修复规则")
    today = routing.today()
    if window.repairable_on(today):
        return None
    if window.ended(today):
        return _("该记录公示期已满,将自动停止公示,无需申请修复")
    if window.repairable and window.earliest_repair is not None and window.earliest_repair > today:
        return _("最短公示期未满,%(date)s起可申请修复") % {"date": f"{window.earliest_repair:%Y年%m月%d日}"}
    return _("按现行规则该记录不能提前修复")


def _open_step(
    *, application: RepairApplication, step: Step, organisation: Organisation, start: date
) -> RepairStep:
    limit = repair_limits(application.deadlines, application.rule_set)[step]
    return RepairStep.objects.create(
        application=application,
        step=step.value,
        organisation=organisation,
        started_on=start,
        due_on=due_on(park_calendar(), start, limit),
        rule=limit.rule[:200],
    )


def _link(application: RepairApplication) -> str:
    return reverse("repair_workflow:detail", kwargs={"pk": application.pk})


def submit_token_issue() -> str:
    """A fresh one-time token for an application page (stored with the application it submits)."""
    return once.token_issue()


def page_expired_message() -> str:
    """An application page without a valid one-time token: nothing was submitted from it."""
    return _("申请页面已失效,本次没有提交。请重新选择证明材料后再提交")


def already_submitted_message(application: RepairApplication) -> str:
    return _("这份修复申请已经提交(修复申请 #%(pk)s),重复提交没有再提交一份。") % {"pk": application.pk}


class ApplicationAlreadySubmitted(once.Repeated):
    """The application page was submitted again; `existing` is the application its first
    submission created. Nothing new was written."""

    def __init__(self, existing: RepairApplication) -> None:
        super().__init__(
            existing,
            field="submit_token",
            message=already_submitted_message(existing),
            code="already_submitted",
        )


def open_application(record: CreditRecord) -> RepairApplication | None:
    """The record's application still in progress, if any (at most one: a database constraint)."""
    return RepairApplication.objects.filter(record=record, state__in=OPEN_STATES).first()


def _already_open(record: CreditRecord, application: RepairApplication | None) -> ValidationError:
    """The business rule, not a double submission: another application page (another token), or
    one submitted without a token, asks to repair a record whose application is in progress."""
    if application is None:  # closed again between the refused insert and this read
        return ValidationError(
            {"record": _("记录「%(ref)s」已有正在办理的修复申请") % {"ref": record.source_ref}}
        )
    return ValidationError(
        {
            "record": _("记录「%(ref)s」已有正在办理的修复申请(修复申请 #%(pk)s),办结后才能再次申请")
            % {"ref": record.source_ref, "pk": application.pk}
        }
    )


def application_submit(
    *,
    actor: Any,
    record: CreditRecord,
    statement: str,
    commitment_digest: str,
    files: list[tuple[str, bytes]],
    submit_token: str = "",
) -> RepairApplication:
    """An enterprise user applies to repair one of its records, with proof and a signed commitment.

    Refused unless the record is active, not disputed, past its minimum publicity period under
    the rules in force and without another open application. `commitment_digest` is the SM3
    digest of the repair commitment text the user read and confirmed (`commitment_draft`); the
    commitment is signed through the commitments app in the same transaction, and nothing is
    signed if the text changed meanwhile. The acceptance window gets the application with the
    time limit of the rule set in force.

    `submit_token` (from `submit_token_issue`, carried by the application page) makes submitting
    idempotent: when this user has already submitted with it, ApplicationAlreadySubmitted carries
    that application and nothing is written (no second application, commitment, audit entry or
    notification). Two requests at the same moment both pass the first look; the unique
    constraint on (submitter, token) lets one insert and sends the other to the same answer. The
    commitment is signed with the same token, so the commitments app refuses a second one too.
    """
    if getattr(actor, "enterprise_id", None) is None or actor.enterprise_id != record.enterprise_id:
        raise PermissionDenied(_("只有记录所属企业的用户可以申请修复该记录"))
    token = once.token_clean(submit_token, field="submit_token", expired=page_expired_message())
    existing = RepairApplication.objects.submitted_with(actor, token).first()
    if existing is not None:
        raise ApplicationAlreadySubmitted(existing)
    text = _clean(
        statement, field="statement", label=_("整改情况说明"), minimum=STATEMENT_MIN, maximum=STATEMENT_MAX
    )
    if not (commitment_digest or "").strip():
        raise ValidationError({"commitment": _("请阅读并签署信用承诺书")})
    if not files:
        raise ValidationError({"materials": _("请上传整改或履行义务的证明材料(至少 1 个文件)")})
    uploads = checked_uploads(list(files), field="materials")
    in_progress = open_application(record)
    if in_progress is not None:
        if token and in_progress.submitted_by_id == actor.pk and in_progress.submit_token == token:
            raise ApplicationAlreadySubmitted(in_progress)  # committed since the first look
        raise _already_open(record, in_progress)
    window = record_window(record)
    blocker = repair_blocker(record, window, has_open_application=False)
    if blocker is not None or window is None:
        raise ValidationError(
            {"record": _("记录「%(ref)s」:%(reason)s") % {"ref": record.source_ref, "reason": blocker}}
        )
    now = timezone.now()
    window_org = routing.lead_department()
    with transaction.atomic():
        try:
            # The same page sent twice at once: the database lets one insert, and the other
            # gets its application. Any other refusal is the one-open-application rule.
            application, created = once.create_once(
                lambda: RepairApplication.objects.create(
                    record=record,
                    enterprise_id=record.enterprise_id,
                    submitted_by=actor,
                    submitted_at=now,
                    statement=text,
                    commitment_text="",
                    commitment_digest="",
                    commitment_signed_at=now,
                    rule=window.rule[:300],
                    rule_set=window.rule_set[:200],
                    deadlines=dict(window.deadlines),
                    earliest_repair=window.earliest_repair,
                    submit_token=token,
                ),
                lambda: RepairApplication.objects.submitted_with(actor, token).first(),
            )
        except IntegrityError:
            raise _already_open(record, open_application(record)) from None
        if not created:
            raise ApplicationAlreadySubmitted(application)
        for checked, data in uploads:
            RepairMaterial.objects.create(application=application, **file_fields(checked, data))
        step = _open_step(
            application=application,
            step=Step.ACCEPTANCE,
            organisation=window_org,
            start=routing.local_date(now),
        )
        _sign_commitment(
            actor=actor, application=application, expected_digest=commitment_digest.strip(), sign_token=token
        )
        audit_log(
            actor=actor,
            action="repair.applied",
            obj=application,
            detail={
                "record": record.pk,
                "commitment_sm3": application.commitment_digest,
                "materials": [c.name for c, _d in uploads],
                "due_on": step.due_on.isoformat(),
            },
        )
        routing.notify_users(
            actor=actor,
            recipients=routing.department_staff(window_org),
            kind="repair.submitted",
            title=f"信用修复申请待受理:{record.enterprise.name}「{record.kind.name}」",
            body=f"请于 {step.due_on:%Y-%m-%d} 前受理并转送认定部门。",
            link=_link(application),
            enterprise=record.enterprise,
            severity="warning",
        )
    return application


def commitment_draft(*, actor: Any, record: CreditRecord) -> Any:
    """The repair commitment (信用承诺书) the user is about to sign: text and SM3 digest (contract C)."""
    from parkcredit.commitments.services import commitment_prepare

    return commitment_prepare(actor=actor, scenario="repair", enterprise=record.enterprise, record=record)


def _sign_commitment(
    *, actor: Any, application: RepairApplication, expected_digest: str, sign_token: str
) -> None:
    from parkcredit.commitments.services import commitment_sign

    try:
        commitment = commitment_sign(
            actor=actor,
            enterprise=application.enterprise,
            scenario="repair",
            record=application.record,
            reference=f"信用修复申请 #{application.pk}",
            expected_digest=expected_digest,
            sign_token=sign_token,
        )
    except ValidationError as exc:
        raise ValidationError({"commitment": exc.messages}) from None
    application.commitment = commitment
    application.commitment_text = commitment.text
    application.commitment_digest = commitment.digest
    application.commitment_signed_at = commitment.signed_at
    application.save(
        update_fields=["commitment", "commitment_text", "commitment_digest", "commitment_signed_at"]
    )


def current_step(application: RepairApplication) -> RepairStep | None:
    return application.steps.filter(finished_at__isnull=True).order_by("-id").first()


def can_act(actor: Any, application: RepairApplication) -> bool:
    """Whether `actor` may complete the application's current step."""
    step = current_step(application) if application.is_open else None
    return step is not None and routing.acts_for(actor, step.organisation)


def _close_step(step: RepairStep, *, actor: Any, passed: bool, note: str, now: Any) -> None:
    step.finished_at = now
    step.finished_by = actor
    step.outcome = StepOutcome.PASSED if passed else StepOutcome.REJECTED
    step.note = note
    step.save(update_fields=["finished_at", "finished_by", "outcome", "note"])


def step_decided_message(step: RepairStep) -> str:
    return _("「%(step)s」环节已经办理(%(outcome)s),重复提交没有再次办理。") % {
        "step": step.get_step_display(),
        "outcome": step.get_outcome_display(),
    }


class StepAlreadyDecided(ValidationError):
    """A step's decision page was submitted again (a double click, a re-sent form, two staff at
    once); `step` is the step as its first submission decided it. Nothing new was written."""

    def __init__(self, step: RepairStep) -> None:
        self.step = step
        super().__init__({"step": ValidationError(step_decided_message(step), code="already_decided")})


def application_advance(
    *,
    actor: Any,
    application: RepairApplication,
    approve: bool,
    note: str = "",
    review_org: Organisation | None = None,
    step_id: int | None = None,
) -> RepairApplication:
    """Complete the application's current step, as the department responsible for it.

    Acceptance (window): accept and forward to the record's department (or `review_org`), or
    refuse. Review (认定部门): pass to the credit office, or refuse. Decision (信用办): approve —
    the REPAIRED event ends the record's publicity, the enterprise is rescored, and the enterprise
    and everyone who used its credit file are told — or refuse. Refusals need reasons.

    `step_id` is the step the decision page showed (the detail page always sends it). When that
    step has been decided meanwhile — the same page sent twice, or two staff at once — nothing is
    written and StepAlreadyDecided carries the step: without it, a park administrator's repeated
    "pass" would decide the next step too, as the two requests are identical. The application row
    is locked first, so of two simultaneous requests the second reads the first one's outcome.
    """
    text = (note or "").strip()
    if len(text) > NOTE_MAX:
        raise ValidationError(
            {"note": _("办理意见不能超过 %(max)s 个字,收到 %(n)s 个字") % {"max": NOTE_MAX, "n": len(text)}}
        )
    if not approve and not text:
        raise ValidationError({"note": _("不予通过时必须填写理由")})
    if review_org is not None and review_org.kind != OrganisationKind.PARK_DEPARTMENT:
        raise ValidationError({"review_org": _("「%(org)s」不是园区部门") % {"org": review_org.name}})
    now = timezone.now()
    with transaction.atomic():
        locked = (
            RepairApplication.objects.select_for_update()
            .select_related("record", "record__kind", "record__enterprise", "enterprise")
            .get(pk=application.pk)
        )
        if step_id is not None:
            _check_step_still_open(locked, step_id)
        if not locked.is_open:
            raise ValidationError(
                {
                    "state": _("修复申请 #%(pk)s 已办结(%(state)s)")
                    % {"pk": locked.pk, "state": locked.get_state_display()}
                }
            )
        step = current_step(locked)
        if step is None:  # pragma: no cover - an open application always has an open step
            raise ValidationError({"state": _("修复申请 #%(pk)s 没有待办环节") % {"pk": locked.pk}})
        if not routing.acts_for(actor, step.organisation):
            raise PermissionDenied(
                _("当前环节「%(step)s」由「%(org)s」办理")
                % {"step": step.get_step_display(), "org": step.organisation.name}
            )
        _close_step(step, actor=actor, passed=approve, note=text, now=now)
        today = routing.local_date(now)
        kind = Step(step.step)
        if not approve:
            _finish(locked, actor=actor, state=ApplicationState.REJECTED, note=text, now=now)
        elif kind is Step.ACCEPTANCE:
            target = review_org or routing.source_department(locked.record)
            locked.review_org = target
            locked.state = ApplicationState.REVIEWING
            locked.save(update_fields=["review_org", "state"])
            _open_step(application=locked, step=Step.REVIEW, organisation=target, start=today)
        elif kind is Step.REVIEW:
            locked.state = ApplicationState.DECIDING
            locked.save(update_fields=["state"])
            _open_step(
                application=locked, step=Step.DECISION, organisation=routing.lead_department(), start=today
            )
        else:
            record_event_append(
                actor=actor,
                record=locked.record,
                event_type=EventType.REPAIRED,
                at=now,
                note=f"信用修复(申请 #{locked.pk}){':' + text if text else ''}",
                payload={"application": locked.pk},
            )
            _finish(locked, actor=actor, state=ApplicationState.APPROVED, note=text, now=now)
        late = step_late_workdays(step)
        audit_log(
            actor=actor,
            action=f"repair.{kind.value}.{'passed' if approve else 'rejected'}",
            obj=locked,
            detail={
                "step": kind.value,
                "organisation": step.organisation.code,
                "due_on": step.due_on.isoformat(),
                "late_workdays": late,
                "note": text,
                "state": locked.state,
            },
        )
        _tell(actor=actor, application=locked, step=kind, approve=approve, note=text)
    return locked


def _check_step_still_open(application: RepairApplication, step_id: int) -> None:
    """Refuse a decision for step `step_id` unless it is the application's open step."""
    step = application.steps.filter(pk=step_id).first()
    if step is None:
        raise ValidationError({"step": page_stale_message()})
    if step.finished_at is not None:
        raise StepAlreadyDecided(step)


def page_stale_message() -> str:
    """A decision page that names no step of this application (forged, or from another page)."""
    return _("办理页面已失效,请刷新页面后重新办理")


def _finish(
    application: RepairApplication, *, actor: Any, state: ApplicationState, note: str, now: Any
) -> None:
    application.state = state
    application.decided_at = now
    application.decided_by = actor
    application.decision_note = note
    application.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])


def _tell(*, actor: Any, application: RepairApplication, step: Step, approve: bool, note: str) -> None:
    record = application.record
    enterprise = application.enterprise
    link = _link(application)
    ent_users = routing.enterprise_recipients(enterprise)
    what = f"「{record.kind.name}」{record.source_ref}"
    if not approve:
        routing.notify_users(
            actor=actor,
            recipients=ent_users,
            kind="repair.rejected",
            title=_("信用修复申请未通过:%(what)s") % {"what": what},
            body=_("理由:%(note)s") % {"note": note},
            link=link,
            enterprise=enterprise,
            severity="warning",
        )
        return
    if step is Step.ACCEPTANCE:
        routing.notify_users(
            actor=actor,
            recipients=ent_users,
            kind="repair.accepted",
            title=_("信用修复申请已受理:%(what)s") % {"what": what},
            body=_("已转送%(org)s审核。")
            % {"org": application.review_org.name if application.review_org else ""},
            link=link,
            enterprise=enterprise,
        )
        _tell_next_step(
            actor=actor,
            application=application,
            kind="repair.review",
            title=_("信用修复申请待审核:%(enterprise)s%(what)s")
            % {"enterprise": enterprise.name, "what": what},
            body=_("请于 %(due)s 前作出审核意见。"),
        )
        return
    if step is Step.REVIEW:
        _tell_next_step(
            actor=actor,
            application=application,
            kind="repair.decision",
            title=_("信用修复申请待决定:%(enterprise)s%(what)s")
            % {"enterprise": enterprise.name, "what": what},
            body=_("认定部门已审核通过,请于 %(due)s 前办结。"),
        )
        return
    routing.notify_users(
        actor=actor,
        recipients=ent_users,
        kind="repair.approved",
        title=_("信用修复已完成:%(what)s停止公示") % {"what": what},
        body=_("该记录已停止公示,不再计入信用评价;信用等级和企业信用码随之更新。"),
        link=link,
        enterprise=enterprise,
    )
    routing.notify_users(
        actor=actor,
        recipients=routing.record_users(enterprise),
        kind="repair.record_repaired",
        title=_("%(enterprise)s的信用记录已修复") % {"enterprise": enterprise.name},
        body=_(
            "您曾查阅的%(enterprise)s信用信息发生变化:%(what)s已完成信用修复并停止公示,"
            "此前获取的信用报告中的该项信息不再有效,请以最新信用报告为准。"
        )
        % {"enterprise": enterprise.name, "what": what},
        link=reverse("enterprises:detail", kwargs={"pk": enterprise.pk}),
        enterprise=enterprise,
    )


def _tell_next_step(*, actor: Any, application: RepairApplication, kind: str, title: str, body: str) -> None:
    """Ask the department holding the application's open step to act; `body` gets its `%(due)s` day."""
    step = current_step(application)
    if step is None:
        return
    routing.notify_users(
        actor=actor,
        recipients=routing.department_staff(step.organisation),
        kind=kind,
        title=title,
        body=body % {"due": f"{step.due_on:%Y-%m-%d}"},
        link=_link(application),
        enterprise=application.enterprise,
        severity="warning",
    )


def step_late_workdays(step: RepairStep) -> int:
    from creditcore.deadlines import workdays_late

    finished = routing.local_date(step.finished_at) if step.finished_at else None
    return workdays_late(park_calendar(), step.due_on, finished, routing.today())


@dataclass(frozen=True, slots=True)
class RemindResult:
    checked: int
    reminded: int
    recipients: int


def repair_remind(*, actor: Any = None) -> RemindResult:
    """Remind enterprises of records that have become repairable (信用唤醒), once per record.

    A record qualifies when it is active, not disputed, repairable under the rules in force and
    has no open application. The reminder row (one per record, unique) makes reruns harmless.
    """
    from parkcredit.records.selectors import events_fold

    candidates = (
        CreditRecord.objects.filter(kind__polarity="negative", enterprise__in_park=True)
        .exclude(repair_reminder__isnull=False)
        .select_related("kind", "enterprise", "source")
        .prefetch_related("events")
    )
    from parkcredit.repair.rules import park_rulebook

    rules = park_rulebook()
    # Records with an application in progress: one read for the whole run, not one per candidate.
    in_progress = set(
        RepairApplication.objects.filter(state__in=OPEN_STATES).values_list("record_id", flat=True)
    )
    checked = reminded = recipients = 0
    for record in candidates.iterator(chunk_size=500):
        checked += 1
        state = events_fold(record.events.all())
        if not state.counts_for_scoring:
            continue
        window = record_window(record, rules=rules)
        if window is None or not window.repairable_on(routing.today()):
            continue
        if record.pk in in_progress:
            continue
        with transaction.atomic():
            reminder, created = RepairReminder.objects.get_or_create(
                record=record,
                defaults={
                    "enterprise_id": record.enterprise_id,
                    "earliest_repair": window.earliest_repair,
                    "sent_at": timezone.now(),
                },
            )
            if not created:
                continue
            sent = routing.notify_users(
                actor=actor,
                recipients=routing.enterprise_recipients(record.enterprise),
                kind="repair.reminder",
                title=_("信用修复提醒:「%(kind)s」%(ref)s已可申请修复")
                % {"kind": record.kind.name, "ref": record.source_ref},
                body=_(
                    "该记录(%(decided)s 决定)已满最短公示期,"
                    "纠正失信行为并履行义务后,可在线提交证明材料和信用承诺书申请信用修复。"
                )
                % {"decided": f"{record.decided_on:%Y-%m-%d}"},
                link=reverse("repair_workflow:apply", kwargs={"pk": record.pk}),
                enterprise=record.enterprise,
            )
            reminder.recipients = sent
            reminder.save(update_fields=["recipients"])
            audit_log(
                actor=actor,
                action="repair.reminded",
                obj=reminder,
                detail={"record": record.pk, "recipients": sent},
            )
        reminded += 1
        recipients += sent
    return RemindResult(checked=checked, reminded=reminded, recipients=recipients)
