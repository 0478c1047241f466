"""Writes for credit repair rules: rule set versions, calendar days and the publicity sweep.

Every write is audited in the same transaction. A rule set is never changed in place: staff
submit a new version (draft) and a second archive editor approves or rejects it. The sweep ends
the publicity of records past their maximum period with a PUBLICITY_ENDED ledger event.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.ledger import EventType, Status
from creditcore.repair import RuleError, add_months, rule_set_from_data
from creditcore.workdays import default_calendar
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES
from parkcredit.audit.services import audit_log
from parkcredit.records.models import CreditRecord, RecordEvent
from parkcredit.records.selectors import events_fold
from parkcredit.repair.models import CalendarDay, DayKind, RepairRuleSet, RuleSetState
from parkcredit.repair.rules import negative_kind_codes, park_rulebook
from parkcredit.repair.selectors import record_window, today_local


def can_edit_rules(actor: Any) -> bool:
    """Archive editors (park administrators and department staff) maintain rules and calendar."""
    return getattr(actor, "is_authenticated", False) and getattr(actor, "role", None) in ARCHIVE_EDITOR_ROLES


def can_decide_rule_set(actor: Any, rule_set: RepairRuleSet) -> bool:
    """A second archive editor, never the author, approves or rejects a version."""
    return can_edit_rules(actor) and rule_set.created_by_id != getattr(actor, "pk", None)


def _require_editor(actor: Any) -> None:
    if not can_edit_rules(actor):
        raise PermissionDenied(_("只有园区管理员和部门工作人员可以维护修复规则与工作日历"))


# --- rule sets ------------------------------------------------------------------------------------


def parse_rules_text(text: str) -> dict[str, Any]:
    """The rule set JSON a person typed, or ValidationError naming the line and problem."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            {
                "rules": _("规则不是有效的 JSON:第 %(line)d 行第 %(column)d 列,%(error)s")
                % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
            }
        ) from None
    if not isinstance(data, dict):
        raise ValidationError({"rules": _("规则必须是一个 JSON 对象(规则集)")})
    return data


def rule_set_submit(
    *, actor: Any, rules: dict[str, Any], note: str, base: RepairRuleSet | None = None
) -> RepairRuleSet:
    """Save a new version of a rule set as a draft, after full validation.

    The version number counts per effective date; `base` is the stored version it was edited
    from (None when edited from a built-in set). Nothing is written when the data is invalid.
    """
    _require_editor(actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写修订说明")})
    if len(note) > 500:
        raise ValidationError({"note": _("修订说明不能超过 500 字,现有 %(n)d 字") % {"n": len(note)}})
    try:
        parsed = rule_set_from_data(rules, known_kinds=negative_kind_codes())
    except RuleError as exc:
        raise ValidationError({"rules": str(exc)}) from None
    with transaction.atomic():
        latest = (
            RepairRuleSet.objects.select_for_update()
            .filter(effective_from=parsed.effective_from)
            .aggregate(Max("version"))["version__max"]
        )
        try:
            # The first version of a date has no row to lock: two at once both count 1, and
            # the unique (effective_from, version) turns the second into a clear refusal.
            with transaction.atomic():
                row = RepairRuleSet.objects.create(
                    effective_from=parsed.effective_from,
                    version=(latest or 0) + 1,
                    name=parsed.name,
                    rules=rules,
                    note=note,
                    supersedes=base,
                    created_by=actor,
                )
        except IntegrityError:
            raise ValidationError({"rules": _("同一生效日期的另一个版本刚刚提交,请刷新后重新提交")}) from None
        audit_log(
            actor=actor,
            action="repair.ruleset_submitted",
            obj=row,
            detail={
                "effective_from": parsed.effective_from.isoformat(),
                "version": row.version,
                "base": base.pk if base else None,
                "rules": len(parsed.rules),
                "note": note,
            },
        )
    return row


def _refuse_stale_base(draft: RepairRuleSet) -> None:
    """Refuse a draft not based on the version now in force for its date.

    The newest approved version is the one in force, so approving a draft edited from an older
    base would silently drop the changes approved since (or change nothing at all, for a draft
    numbered below the version in force).
    """
    in_force = (
        RepairRuleSet.objects.filter(effective_from=draft.effective_from, state=RuleSetState.APPROVED)
        .order_by("-version")
        .first()
    )
    if in_force is None or draft.supersedes_id == in_force.pk:
        return
    base = (
        _("园区版本 v%(version)d") % {"version": draft.supersedes.version}
        if draft.supersedes is not None
        else _("内置规则集")
    )
    raise ValidationError(
        {
            "state": _(
                "该版本基于%(base)s修订,但同一生效日期现行的已是园区版本 v%(current)d;"
                "请基于现行版本重新提交,以免覆盖其中的修改"
            )
            % {"base": base, "current": in_force.version}
        }
    )


def _decide(actor: Any, rule_set: RepairRuleSet, state: str, action: str, reason: str) -> RepairRuleSet:
    _require_editor(actor)
    with transaction.atomic():
        locked = RepairRuleSet.objects.select_for_update().get(pk=rule_set.pk)
        if locked.state != RuleSetState.DRAFT:
            raise ValidationError(
                {
                    "state": _("该版本状态为「%(state)s」,只能审核待审核的版本")
                    % {"state": locked.get_state_display()}
                }
            )
        if not can_decide_rule_set(actor, locked):
            raise PermissionDenied(_("规则集版本须由提交人以外的园区工作人员审核"))
        if state == RuleSetState.APPROVED:
            _refuse_stale_base(locked)
            # Validated again: the catalogue may have changed since the draft was saved.
            try:
                rule_set_from_data(locked.rules, known_kinds=negative_kind_codes())
            except RuleError as exc:
                raise ValidationError({"rules": str(exc)}) from None
        locked.state = state
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "decided_by", "decided_at"])
        audit_log(
            actor=actor,
            action=action,
            obj=locked,
            detail={
                "effective_from": locked.effective_from.isoformat(),
                "version": locked.version,
                "created_by": locked.created_by_id,
                "reason": reason,
            },
        )
    return locked


def rule_set_approve(*, actor: Any, rule_set: RepairRuleSet) -> RepairRuleSet:
    """Approve a draft: from now on it is the version in force for its effective date."""
    return _decide(actor, rule_set, RuleSetState.APPROVED, "repair.ruleset_approved", "")


def rule_set_reject(*, actor: Any, rule_set: RepairRuleSet, reason: str) -> RepairRuleSet:
    """Reject a draft with a reason; it stays on record, never in force."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写驳回理由")})
    return _decide(actor, rule_set, RuleSetState.REJECTED, "repair.ruleset_rejected", reason[:500])


# --- calendar -------------------------------------------------------------------------------------


def calendar_day_add(*, actor: Any, day: date, kind: str, name: str = "", basis: str = "") -> CalendarDay:
    """Add a staff-maintained holiday or working day; refused when it would change nothing."""
    _require_editor(actor)
    if kind not in DayKind.values:
        raise ValidationError(
            {"kind": _("类型「%(kind)s」无效,可选:holiday(休息日)、workday(工作日)") % {"kind": kind}}
        )
    if len(name) > 100:
        raise ValidationError({"name": _("名称不能超过 100 字")})
    if len(basis) > 200:
        raise ValidationError({"basis": _("依据不能超过 200 字")})
    package_workday = default_calendar().is_workday(day)
    if kind == DayKind.WORKDAY and package_workday:
        raise ValidationError({"day": _("%(day)s 本来就是工作日,无需补充") % {"day": day.isoformat()}})
    if kind == DayKind.HOLIDAY and not package_workday:
        raise ValidationError({"day": _("%(day)s 本来就是休息日,无需补充") % {"day": day.isoformat()}})
    taken = ValidationError(
        {"day": _("%(day)s 已在园区工作日历中,请先删除原条目") % {"day": day.isoformat()}}
    )
    with transaction.atomic():
        if CalendarDay.objects.filter(day=day).exists():
            raise taken
        try:
            # Two people adding the same day at once: the unique date decides, the loser is told.
            with transaction.atomic():
                row = CalendarDay.objects.create(
                    day=day, kind=kind, name=name.strip(), basis=basis.strip(), created_by=actor
                )
        except IntegrityError:
            raise taken from None
        audit_log(
            actor=actor,
            action="repair.calendar_day_added",
            obj=row,
            detail={"day": day.isoformat(), "kind": kind, "name": row.name, "basis": row.basis},
        )
    return row


def calendar_day_remove(*, actor: Any, calendar_day: CalendarDay) -> None:
    """Remove a staff-maintained day; the audit entry keeps what it was."""
    _require_editor(actor)
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="repair.calendar_day_removed",
            obj=calendar_day,
            detail={
                "day": calendar_day.day.isoformat(),
                "kind": calendar_day.kind,
                "name": calendar_day.name,
                "basis": calendar_day.basis,
            },
        )
        calendar_day.delete()


# --- automatic end of publicity -----------------------------------------------------------------


@dataclass
class SweepResult:
    """What a sweep did: records looked at, records ended (ids) and the enterprises rescored.

    `skipped_conflicts` are records whose history changed under the sweep (another writer
    appended an event first); the next run looks at them again.
    """

    on: date
    checked: int = 0
    ended: list[int] = field(default_factory=list)
    skipped_disputed: list[int] = field(default_factory=list)
    skipped_conflicts: list[int] = field(default_factory=list)
    enterprises: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "checked": self.checked,
            "ended": len(self.ended),
            "ended_ids": self.ended[:1000],
            "skipped_disputed": len(self.skipped_disputed),
            "skipped_conflicts": len(self.skipped_conflicts),
            "enterprises": len(self.enterprises),
        }


SWEEP_CHUNK = 500


def _shortest_maximum() -> int:
    """The shortest maximum period of any rule in force: no record decided later can be over."""
    maxima = [
        rule.max_months for s in park_rulebook().sets for rule in s.rules if rule.max_months is not None
    ]
    return min(maxima) if maxima else 0


def _end_moment(end: date, events: list[RecordEvent]) -> datetime:
    """When publicity ended: the start of the end day in park time.

    Never before the record's last event (history only grows at its end) nor in the future.
    """
    moment = timezone.make_aware(datetime.combine(end, time.min))
    if events and events[-1].at > moment:
        moment = events[-1].at
    return min(moment, timezone.now())


def publicity_sweep(
    *, actor: Any = None, on: date | None = None, progress: Callable[[int, int, str], Any] | None = None
) -> SweepResult:
    """End the publicity of every record past its maximum period (自动停止公示). Idempotent.

    Active and repaired records whose window has ended on `on` (default today, never later)
    get a PUBLICITY_ENDED event through `record_event_append` (audited; it also queues the
    enterprise's rescore for when the chunk commits). Disputed records wait until the objection
    is settled. A record another writer changed meanwhile (a second sweep, an objection) is
    skipped, not allowed to abort the chunk. Records are read in chunks with their events and
    kinds, so the sweep costs a few queries per chunk. A summary audit entry records the run.
    """
    from parkcredit.records.services import record_event_append

    if actor is not None:
        _require_editor(actor)
    today = today_local()
    day = on or today
    if day > today:
        raise ValidationError(
            {"on": _("截止日期 %(day)s 晚于今天,不能预先结束公示") % {"day": day.isoformat()}}
        )
    result = SweepResult(on=day)
    shortest = _shortest_maximum()
    if not shortest:
        return result
    # publicity_end = decided + max months >= decided + shortest months; a few days of slack
    # cover month-end clamping.
    latest_decided = add_months(day, -shortest) + timedelta(days=3)
    # Records closed for good (ended, revoked, superseded) never come back: leave them out, so a
    # daily run reads only the records still open.
    closing = [e.value for e in (EventType.PUBLICITY_ENDED, EventType.REVOKED, EventType.CORRECTED)]
    closing.append(EventType.DISPUTE_UPHELD.value)
    candidates = (
        CreditRecord.objects.filter(kind__polarity="negative", decided_on__lte=latest_decided)
        .exclude(pk__in=RecordEvent.objects.filter(event_type__in=closing).values("record_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    ids = list(candidates)
    total = len(ids)
    rules = park_rulebook()
    events = Prefetch("events", queryset=RecordEvent.objects.order_by("at", "id"), to_attr="ordered_events")
    for start in range(0, total, SWEEP_CHUNK):
        chunk = ids[start : start + SWEEP_CHUNK]
        with transaction.atomic():
            records = (
                CreditRecord.objects.filter(pk__in=chunk).select_related("kind").prefetch_related(events)
            )
            for record in records.order_by("pk"):
                result.checked += 1
                history: list[RecordEvent] = record.ordered_events
                state = events_fold(history)
                if not state.exists or state.status not in (Status.ACTIVE, Status.REPAIRED):
                    continue
                window = record_window(record, on=day, rules=rules)
                if window is None or window.publicity_end is None or not window.ended(day):
                    continue
                if state.disputed:
                    result.skipped_disputed.append(record.pk)
                    continue
                try:
                    # A savepoint: a refused append leaves the rest of the chunk intact.
                    with transaction.atomic():
                        record_event_append(
                            actor=actor,
                            record=record,
                            event_type=EventType.PUBLICITY_ENDED,
                            at=_end_moment(window.publicity_end, history),
                            # Ledger data, kept in the source language (not a UI string).
                            note=f"公示期满自动停止公示(最长公示期至 {window.publicity_end.isoformat()})",
                            payload={
                                "publicity_end": window.publicity_end.isoformat(),
                                "rule_set": window.rule_set,
                                "rule": window.rule[:400],
                            },
                        )
                except ValidationError:
                    # The history read above is stale: another writer got there first.
                    result.skipped_conflicts.append(record.pk)
                    continue
                result.ended.append(record.pk)
                result.enterprises.add(record.enterprise_id)
        if progress is not None:
            done = min(start + SWEEP_CHUNK, total)
            progress(done, total, _("已检查 %(n)d 条") % {"n": done})
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="repair.publicity_sweep",
            object_type="repair.sweep",
            object_id=day.isoformat(),
            detail={
                **result.as_dict(),
                "ended_ids": result.ended[:200],
                "skipped_conflict_ids": result.skipped_conflicts[:200],
            },
        )
    return result


def sweep_start(*, actor: Any) -> Any:
    """Start the sweep as a background job (the rules page's button); returns the Job."""
    from parkcredit.jobs.services import job_start
    from parkcredit.repair.tasks import publicity_sweep_task

    _require_editor(actor)
    return job_start(
        actor=actor,
        kind="repair.publicity_sweep",
        title=_("公示期满自动停止公示"),
        task=publicity_sweep_task,
        actor_id=actor.pk,
    )
