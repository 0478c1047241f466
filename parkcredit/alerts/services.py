"""Writes for risk early warning: rules, runs that turn hits into alerts, the alert lifecycle, digests.

Quiet by design: one open alert per rule and enterprise (a database constraint); a rule firing
again for an open alert is grouped into it; snoozed alerts stay silent; low-severity (info)
alerts are not pushed one by one but go out in the weekly digest.
"""

from __future__ import annotations

import logging
import time as clock
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.alerts import Hit, RuleError, RuleSpec, default_rules, evaluate, validate_params
from creditcore.alerts.rules import FAMILIES
from creditcore.workdays import WorkCalendar, default_calendar
from parkcredit.accounts.models import Organisation, Role, User
from parkcredit.alerts.extract import alert_inputs
from parkcredit.alerts.models import (
    Alert,
    AlertAction,
    AlertEvent,
    AlertRule,
    AlertRun,
    AlertSeverity,
    AlertState,
)
from parkcredit.audit.services import audit_log
from parkcredit.notifications.selectors import enterprise_users
from parkcredit.notifications.services import notify

logger = logging.getLogger(__name__)

NOTIFY_KIND = "alerts.alert"
DIGEST_KIND = "alerts.digest"
STAFF_ROLES = (Role.PARK_ADMIN, Role.DEPT_STAFF)
# Rows per INSERT/UPDATE statement: well under SQLite's bound-parameter limit for these wide rows.
BULK_BATCH = 500


def work_calendar() -> WorkCalendar:
    """The park's working-day calendar (staff-maintained days) when the repair app provides it."""
    try:
        from parkcredit.repair.workcalendar import park_calendar
    except ImportError:
        return default_calendar()
    return park_calendar()


def rules_ensure_defaults() -> list[AlertRule]:
    """Create the default rule of every family that has no rule yet (new parks, demo)."""
    have = set(AlertRule.objects.values_list("family", flat=True))
    missing = [spec for spec in default_rules() if spec.family not in have]
    if not missing:
        return []
    created = []
    with transaction.atomic():
        for spec in missing:
            created.append(
                AlertRule.objects.create(
                    code=spec.code,
                    name=spec.name,
                    family=spec.family,
                    params=dict(spec.params),
                    severity=spec.severity,
                    notify_enterprise=spec.family
                    in {"arrears", "overdue_rectification", "commitment_breach"},
                )
            )
        audit_log(actor=None, action="alerts.rules_created", detail={"codes": [r.code for r in created]})
    return created


def rule_spec(rule: AlertRule) -> RuleSpec:
    return RuleSpec(
        code=rule.code, family=rule.family, params=dict(rule.params), severity=rule.severity, name=rule.name
    )


def rule_update(
    *,
    actor: Any,
    rule: AlertRule,
    params: dict[str, Any],
    severity: str,
    enabled: bool,
    notify_enterprise: bool,
    department: Organisation | None,
    due_workdays: int,
) -> AlertRule:
    """Change a rule's thresholds and handling; bad values are refused naming the parameter."""
    try:
        clean = validate_params(rule.family, params)
    except RuleError as exc:
        raise ValidationError({"params": str(exc)}) from None
    if severity not in AlertSeverity.values:
        raise ValidationError({"severity": _("级别 %(value)s 无效") % {"value": severity}})
    if not 1 <= due_workdays <= 120:
        raise ValidationError(
            {"due_workdays": _("处置期限 %(value)s 应在 1–120 个工作日之间") % {"value": due_workdays}}
        )
    before = {"params": rule.params, "severity": rule.severity, "enabled": rule.enabled}
    with transaction.atomic():
        rule.params = clean
        rule.severity = severity
        rule.enabled = enabled
        rule.notify_enterprise = notify_enterprise
        rule.department = department
        rule.due_workdays = due_workdays
        rule.save()
        audit_log(
            actor=actor,
            action="alerts.rule_update",
            obj=rule,
            detail={"before": before, "after": {"params": clean, "severity": severity, "enabled": enabled}},
        )
    return rule


# --- runs -------------------------------------------------------------------------------------------


def alerts_run(
    *, actor: Any = None, as_of: date | None = None, rules: Sequence[AlertRule] | None = None
) -> AlertRun:
    """Evaluate the enabled rules over the whole park and apply the hits (set-based extraction)."""
    as_of = as_of or timezone.localdate()
    rules_ensure_defaults()
    active = list(
        rules if rules is not None else AlertRule.objects.filter(enabled=True).select_related("department")
    )
    started = clock.perf_counter()
    hits = evaluate(
        alert_inputs(as_of, [rule_spec(r) for r in active]), [rule_spec(r) for r in active], as_of
    )
    run = hits_apply(actor=actor, hits=hits, rules=active, as_of=as_of)
    run.seconds = round(clock.perf_counter() - started, 3)
    run.save(update_fields=["seconds"])
    return run


def hits_apply(*, actor: Any, hits: Iterable[Hit], rules: Sequence[AlertRule], as_of: date) -> AlertRun:
    """Open an alert per new (rule, enterprise) hit, group hits into open alerts, notify, record a run.

    Set-based: new alerts, their history rows and the refreshed open alerts are written in a few bulk
    statements rather than several per hit (a park-wide run can have tens of thousands of hits).
    """
    by_code = {r.code: r for r in rules}
    hits = [h for h in hits if h.rule_code in by_code]
    calendar = work_calendar()
    now = timezone.now()
    run = AlertRun(as_of=as_of, started_at=now, hits=len(hits))
    by_rule: dict[str, int] = {}
    with transaction.atomic():
        # Lock the rules being applied so two runs (the nightly job and a scoring signal) take turns:
        # the snapshot of open alerts below then stays true while the new ones are bulk-inserted.
        list(
            AlertRule.objects.select_for_update()
            .filter(pk__in=[r.pk for r in by_code.values()])
            .values_list("pk", flat=True)
        )
        open_alerts = {
            (a.rule_id, a.enterprise_id): a
            for a in Alert.objects.still_open().filter(rule__in=list(by_code.values()))
        }
        pending: dict[tuple[int, int], tuple[Alert, Hit]] = {}
        regroup: list[tuple[tuple[int, int], Hit]] = []
        due: dict[int, date] = {}
        for hit in hits:
            rule = by_code[hit.rule_code]
            by_rule[rule.code] = by_rule.get(rule.code, 0) + 1
            key = (rule.pk, hit.enterprise_id)
            if key in open_alerts or key in pending:
                regroup.append((key, hit))
                continue
            if rule.pk not in due:  # same rule, same base day: one working-day sum per rule, not per hit
                due[rule.pk] = calendar.add_workdays(as_of, rule.due_workdays)
            pending[key] = (_new_alert(rule, hit, now, due[rule.pk]), hit)
        fresh = _insert_alerts(pending, open_alerts, regroup, now)
        run.grouped = _group_hits(regroup, open_alerts, now)
        run.opened = len(fresh)
        run.by_rule = by_rule
        run.save()
        run.notified = _notify_new(fresh, actor=actor)
        run.save(update_fields=["notified"])
        audit_log(
            actor=actor,
            action="alerts.run",
            obj=run,
            detail={
                "as_of": as_of.isoformat(),
                "hits": run.hits,
                "opened": run.opened,
                "grouped": run.grouped,
            },
        )
    return run


def _new_alert(rule: AlertRule, hit: Hit, now: Any, due_on: date) -> Alert:
    return Alert(
        rule=rule,
        enterprise_id=hit.enterprise_id,
        severity=rule.severity,
        summary=hit.summary[:500],
        facts=hit.facts,
        evidence=list(hit.evidence),
        path=list(hit.path),
        opened_at=now,
        last_seen_at=now,
        due_on=due_on,
        assignee_department=rule.department,
    )


def _insert_alerts(
    pending: dict[tuple[int, int], tuple[Alert, Hit]],
    open_alerts: dict[tuple[int, int], Alert],
    regroup: list[tuple[tuple[int, int], Hit]],
    now: Any,
) -> list[Alert]:
    """Insert the new alerts in bulk (with their "opened" rows); returns those actually opened.

    The rule lock keeps other runs out, but an alert opened by another path (admin, a test) can still
    collide with the one-open-alert constraint: then fall back to row by row and group the colliding
    hit into the alert that is already open, as if it had been there when the run started.
    """
    alerts = [alert for alert, _hit in pending.values()]
    try:
        with transaction.atomic():
            Alert.objects.bulk_create(alerts, batch_size=BULK_BATCH)
        fresh = alerts
    except IntegrityError:
        fresh = []
        for key, (alert, hit) in pending.items():
            alert.pk = None
            try:
                with transaction.atomic():
                    alert.save(force_insert=True)
            except IntegrityError:
                alert.pk = None
                existing = Alert.objects.still_open().filter(rule_id=key[0], enterprise_id=key[1]).first()
                if existing is not None:
                    open_alerts[key] = existing
                    # Grouped ahead of the run's later hits for the same pair, as the old order did.
                    regroup.insert(0, (key, hit))
                continue
            fresh.append(alert)
    for alert in fresh:
        open_alerts[(alert.rule_id, alert.enterprise_id)] = alert
    by_alert = {id(alert): hit for alert, hit in pending.values()}
    AlertEvent.objects.bulk_create(
        [
            AlertEvent(
                alert=alert,
                at=now,
                action=AlertAction.OPENED,
                note=by_alert[id(alert)].summary,
                detail=by_alert[id(alert)].facts,
            )
            for alert in fresh
        ],
        batch_size=BULK_BATCH,
    )
    return fresh


def _group_hits(
    regroup: list[tuple[tuple[int, int], Hit]], open_alerts: dict[tuple[int, int], Alert], now: Any
) -> int:
    """Group hits into their open alerts: a changed hit refreshes the facts and adds a history row;
    an unchanged one only moves `last_seen_at`. Returns how many hits were grouped."""
    changed: dict[int, Alert] = {}
    seen: set[int] = set()
    events: list[AlertEvent] = []
    for key, hit in regroup:
        alert = open_alerts.get(key)
        # None: its insert collided with an alert that was closed meanwhile, so nothing to group into.
        if alert is None:
            continue
        seen.add(alert.pk)
        if alert.facts == hit.facts and alert.evidence == list(hit.evidence):
            continue
        alert.summary = hit.summary[:500]
        alert.facts = hit.facts
        alert.evidence = list(hit.evidence)
        alert.path = list(hit.path)
        alert.last_seen_at = now
        alert.hit_count += 1
        changed[alert.pk] = alert
        events.append(
            AlertEvent(alert=alert, at=now, action=AlertAction.HIT, note=hit.summary, detail=hit.facts)
        )
    unchanged = sorted(seen - changed.keys())
    for start in range(0, len(unchanged), BULK_BATCH):
        Alert.objects.filter(pk__in=unchanged[start : start + BULK_BATCH]).update(last_seen_at=now)
    # Each changed alert carries its own facts, so one UPDATE each: measured faster than bulk_update's
    # CASE-per-column statements on SQLite, and no model save() or savepoint per row.
    for alert in changed.values():
        Alert.objects.filter(pk=alert.pk).update(
            summary=alert.summary,
            facts=alert.facts,
            evidence=alert.evidence,
            path=alert.path,
            last_seen_at=now,
            hit_count=alert.hit_count,
        )
    AlertEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
    return len(events)


def staff_recipients(department: Organisation | None) -> list[User]:
    """Who handles an alert: the rule's department staff, else the park administrators."""
    users = User.objects.filter(is_active=True, role__in=STAFF_ROLES)
    if department is not None:
        chosen = list(users.filter(organisation=department))
        if chosen:
            return chosen
    return list(users.filter(role=Role.PARK_ADMIN))


def _notify_new(alerts: Sequence[Alert], *, actor: Any) -> int:
    """Push warning and critical alerts now (info waits for the digest); tell enterprises if the rule says."""
    from django.urls import reverse

    sent = 0
    staff_cache: dict[int | None, list[User]] = {}
    now = timezone.now()
    for alert in alerts:
        if alert.severity == AlertSeverity.INFO:
            continue
        rule = alert.rule
        key = rule.department_id
        if key not in staff_cache:
            staff_cache[key] = staff_recipients(rule.department)
        enterprise = alert.enterprise
        title = _("%(severity)s预警:%(enterprise)s · %(rule)s") % {
            "severity": alert.get_severity_display(),
            "enterprise": enterprise.name,
            "rule": rule.name,
        }
        rows = notify(
            recipients=staff_cache[key],
            kind=NOTIFY_KIND,
            title=title,
            body=alert.summary,
            link=reverse("alerts:detail", args=[alert.pk]),
            enterprise=enterprise,
            severity=alert.severity,
            actor=actor,
        )
        if rule.notify_enterprise:
            rows += notify(
                recipients=enterprise_users(enterprise),
                kind=NOTIFY_KIND,
                title=_("园区信用提醒:%(rule)s") % {"rule": rule.name},
                body=alert.summary + "\n" + _("请尽快处理;如有异议,可通过园区信用平台提出。"),
                link=reverse("enterprises:mine"),
                enterprise=enterprise,
                severity=alert.severity,
                actor=actor,
            )
        if rows:
            sent += len(rows)
            Alert.objects.filter(pk=alert.pk).update(notified_at=now)
            AlertEvent.objects.create(
                alert=alert, at=now, action=AlertAction.NOTIFIED, detail={"recipients": len(rows)}
            )
    return sent


# --- lifecycle --------------------------------------------------------------------------------------

# Which states each action may start from.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    AlertAction.ACKNOWLEDGED: (AlertState.OPEN,),
    AlertAction.HANDLING: (AlertState.OPEN, AlertState.ACKNOWLEDGED),
    AlertAction.CLOSED: (AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.HANDLING),
    AlertAction.ASSIGNED: (AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.HANDLING),
    AlertAction.SNOOZED: (AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.HANDLING),
}
NEXT_STATE: dict[str, str] = {
    AlertAction.ACKNOWLEDGED: AlertState.ACKNOWLEDGED,
    AlertAction.HANDLING: AlertState.HANDLING,
    AlertAction.CLOSED: AlertState.CLOSED,
}


def _step(
    actor: Any, alert: Alert, action: str, note: str, detail: dict[str, Any], fields: dict[str, Any]
) -> Alert:
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.state not in TRANSITIONS[action]:
            raise ValidationError(
                _("预警当前状态为“%(state)s”,不能执行“%(action)s”")
                % {"state": locked.get_state_display(), "action": AlertAction(action).label}
            )
        for name, value in fields.items():
            setattr(locked, name, value)
        if action in NEXT_STATE:
            locked.state = NEXT_STATE[action]
        locked.save()
        AlertEvent.objects.create(alert=locked, actor=actor, action=action, note=note, detail=detail)
        audit_log(actor=actor, action=f"alerts.{action}", obj=locked, detail={"note": note, **detail})
    return locked


def alert_acknowledge(*, actor: Any, alert: Alert, note: str = "") -> Alert:
    """Confirm the alert has been seen (open -> acknowledged)."""
    return _step(actor, alert, AlertAction.ACKNOWLEDGED, note, {}, {})


def alert_start_handling(*, actor: Any, alert: Alert, note: str = "") -> Alert:
    """Start working on it (open/acknowledged -> handling); the actor becomes the assignee if none."""
    fields: dict[str, Any] = {}
    if alert.assignee_id is None:
        fields["assignee"] = actor
    return _step(actor, alert, AlertAction.HANDLING, note, {}, fields)


def alert_assign(
    *, actor: Any, alert: Alert, department: Organisation | None, assignee: User | None, due_on: date | None
) -> Alert:
    """Assign to a department and person, optionally with a new deadline."""
    if assignee is not None and (assignee.role not in STAFF_ROLES and assignee.role != Role.INSPECTOR):
        raise ValidationError({"assignee": _("负责人 %(name)s 不是园区工作人员") % {"name": assignee}})
    if department is not None and department.kind != "park_department":
        raise ValidationError({"department": _("%(name)s 不是园区部门") % {"name": department}})
    if due_on is not None and due_on < timezone.localdate():
        raise ValidationError({"due_on": _("处置期限 %(value)s 早于今天") % {"value": due_on}})
    fields: dict[str, Any] = {"assignee_department": department, "assignee": assignee}
    if due_on is not None:
        fields["due_on"] = due_on
    deadline = due_on or alert.due_on
    detail = {
        "department": department.name if department else "",
        "assignee": str(assignee) if assignee else "",
        "due_on": deadline.isoformat() if deadline else "",
    }
    return _step(actor, alert, AlertAction.ASSIGNED, "", detail, fields)


def alert_snooze(*, actor: Any, alert: Alert, until: date, reason: str) -> Alert:
    """Silence an alert until a date, with a reason; it stays open and keeps grouping hits."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("暂缓必须填写原因")})
    today = timezone.localdate()
    if until <= today or until > today + timedelta(days=180):
        raise ValidationError({"until": _("暂缓日期 %(value)s 应在明天到 180 天之内") % {"value": until}})
    return _step(
        actor,
        alert,
        AlertAction.SNOOZED,
        reason,
        {"until": until.isoformat()},
        {"snoozed_until": until, "snooze_reason": reason[:300]},
    )


def alert_close(*, actor: Any, alert: Alert, resolution: str) -> Alert:
    """Close with a resolution; if the rule still fires later, a new alert opens."""
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": _("关闭预警必须填写处置结果")})
    return _step(
        actor,
        alert,
        AlertAction.CLOSED,
        resolution,
        {},
        {"resolution": resolution, "closed_at": timezone.now()},
    )


# --- weekly digest ----------------------------------------------------------------------------------


def alerts_digest(*, actor: Any = None, now: Any = None) -> dict[str, int]:
    """Send each park recipient one summary of the open info alerts not yet in a digest."""
    from django.urls import reverse

    now = now or timezone.now()
    recipients = list(User.objects.filter(is_active=True, role__in=STAFF_ROLES))
    with transaction.atomic():
        # Lock the pending alerts: a second digest started meanwhile waits, then finds them digested
        # instead of sending the same summary twice.
        pending = list(
            Alert.objects.still_open()
            .filter(severity=AlertSeverity.INFO, digested_at__isnull=True)
            .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lt=timezone.localdate()))
            .select_related("rule", "enterprise")
            .select_for_update(of=("self",))
            .order_by("rule__name", "enterprise__name")
        )
        if not pending:
            return {"alerts": 0, "recipients": 0}
        lines: list[str] = []
        for alert in pending[:50]:
            lines.append(f"· {alert.enterprise.name}:{alert.rule.name}({alert.summary})")
        if len(pending) > 50:
            lines.append(_("……另有 %(count)d 条") % {"count": len(pending) - 50})
        rows = notify(
            recipients=recipients,
            kind=DIGEST_KIND,
            title=_("预警周报:%(count)d 条提示级预警") % {"count": len(pending)},
            body="\n".join(lines),
            link=reverse("alerts:list") + "?severity=info",
            severity="info",
            actor=actor,
        )
        Alert.objects.filter(pk__in=[a.pk for a in pending]).update(digested_at=now)
        audit_log(
            actor=actor, action="alerts.digest", detail={"alerts": len(pending), "recipients": len(rows)}
        )
    return {"alerts": len(pending), "recipients": len(rows)}


def downgrades_apply(changes: Sequence[tuple[int, str | None, str]]) -> AlertRun | None:
    """Raise downgrade alerts right after a scoring run (the `grades_changed` signal)."""
    import numpy as np

    from creditcore.alerts.inputs import AlertInputs

    rules = list(AlertRule.objects.filter(enabled=True, family="grade_downgrade"))
    relevant = [c for c in changes if c[1] is not None]
    if not rules or not relevant:
        return None
    grades = {
        "enterprise_id": np.array([c[0] for c in relevant], dtype=np.int64),
        "grade": np.array([c[2] for c in relevant], dtype=object),
        "previous_grade": np.array([c[1] for c in relevant], dtype=object),
    }
    today = timezone.localdate()
    inputs = AlertInputs(enterprise_ids=grades["enterprise_id"], grades=grades)
    hits = evaluate(inputs, [rule_spec(r) for r in rules], today)
    if not hits:
        return None
    return hits_apply(actor=None, hits=hits, rules=rules, as_of=today)


__all__ = [
    "FAMILIES",
    "alert_acknowledge",
    "alert_assign",
    "alert_close",
    "alert_snooze",
    "alert_start_handling",
    "alerts_digest",
    "alerts_run",
    "downgrades_apply",
    "hits_apply",
    "rule_update",
    "rules_ensure_defaults",
]
