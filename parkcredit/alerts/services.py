"""Writes for risk early warning: rules, runs that turn hits into alerts, the alert lifecycle, digests.

Quiet by design: one open alert per rule and enterprise (or region) — database constraints; a rule
firing again for an open alert is grouped into it; snoozed alerts stay silent; low-severity (info)
alerts are not pushed one by one but go out in the weekly digest.

A run evaluates the subject and chain rules over the ledger, writes their alerts, then evaluates the
region rules over the park's roll-ups, which by then count the alerts just opened.
"""

from __future__ import annotations

import time as clock
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.alerts import Hit, RegionHit, RuleError, RuleSpec, default_rules, evaluate, validate_params
from creditcore.alerts.regions import FINDING_KEYS, ParkFigures, RegionRow, region_hits
from creditcore.alerts.rules import FAMILIES
from creditcore.workdays import WorkCalendar
from parkcredit.accounts.models import PARK_ROLES, Organisation, Role, User
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
from parkcredit.alerts.selectors import region_labels, region_rollups
from parkcredit.audit.services import audit_log
from parkcredit.notifications.selectors import enterprise_users
from parkcredit.notifications.services import notify
from parkcredit.repair.workcalendar import park_calendar

NOTIFY_KIND = "alerts.alert"
DIGEST_KIND = "alerts.digest"
STAFF_ROLES = (Role.PARK_ADMIN, Role.DEPT_STAFF)
# Rows per INSERT/UPDATE statement: well under SQLite's bound-parameter limit for these wide rows.
BULK_BATCH = 500
# Families whose alerts go to the enterprise too when the rule says so (new parks' defaults).
NOTIFY_ENTERPRISE_FAMILIES = frozenset({"arrears", "overdue_rectification", "commitment_breach"})

AnyHit = Hit | RegionHit
# Who an alert is about under which rule: (rule pk, enterprise id or None, region level, region key).
SubjectKey = tuple[int, int | None, str, str]


def rules_ensure_defaults() -> list[AlertRule]:
    """Create the default rules of every family that has no rule yet (new parks, demo): one rule per
    subject family, the chain rule, and one region rule per region level."""
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
                    notify_enterprise=spec.family in NOTIFY_ENTERPRISE_FAMILIES,
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
    recipients: Sequence[User] | None = None,
) -> AlertRule:
    """Change a rule's thresholds and handling; bad values are refused naming the parameter.

    `recipients` (park staff told of every new alert besides the department's staff) is left as it
    is when None. Region rules never tell enterprises: a region alert is about many at once.
    """
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
    if notify_enterprise and rule.is_region:
        raise ValidationError(
            {
                "notify_enterprise": _("区域预警规则“%(name)s”不能通知企业:区域预警只发给园区工作人员")
                % {"name": rule.name}
            }
        )
    for user in recipients or ():
        if not user.is_active or user.role not in PARK_ROLES:
            raise ValidationError(
                {
                    "recipients": _("接收人 %(name)s(%(username)s)不是在岗的园区工作人员")
                    % {"name": user, "username": user.username}
                }
            )
    before = {
        "params": rule.params,
        "severity": rule.severity,
        "enabled": rule.enabled,
        "recipients": sorted(rule.recipients.values_list("username", flat=True)),
    }
    after: dict[str, Any] = {"params": clean, "severity": severity, "enabled": enabled}
    with transaction.atomic():
        rule.params = clean
        rule.severity = severity
        rule.enabled = enabled
        rule.notify_enterprise = notify_enterprise
        rule.department = department
        rule.due_workdays = due_workdays
        rule.save()
        if recipients is not None:
            rule.recipients.set(recipients)
        after["recipients"] = sorted(rule.recipients.values_list("username", flat=True))
        audit_log(
            actor=actor, action="alerts.rule_update", obj=rule, detail={"before": before, "after": after}
        )
    return rule


# --- runs -------------------------------------------------------------------------------------------


def alerts_run(
    *, actor: Any = None, as_of: date | None = None, rules: Sequence[AlertRule] | None = None
) -> AlertRun:
    """Evaluate the enabled rules over the whole park and apply the hits (set-based extraction).

    Region rules read the park as it is at the run (current scores, open alerts), whatever `as_of`.
    """
    as_of = as_of or timezone.localdate()
    rules_ensure_defaults()
    active = list(
        rules if rules is not None else AlertRule.objects.filter(enabled=True).select_related("department")
    )
    regional = [r for r in active if r.is_region]
    others = [r for r in active if not r.is_region]
    started = clock.perf_counter()
    hits: list[Hit] = []
    if others:
        specs = [rule_spec(r) for r in others]
        hits = evaluate(alert_inputs(as_of, specs), specs, as_of)
    run = hits_apply(actor=actor, hits=hits, rules=others, as_of=as_of, region_rules=regional)
    run.seconds = round(clock.perf_counter() - started, 3)
    run.save(update_fields=["seconds"])
    return run


def hits_apply(
    *,
    actor: Any,
    hits: Iterable[AnyHit],
    rules: Sequence[AlertRule],
    as_of: date,
    region_rules: Sequence[AlertRule] = (),
) -> AlertRun:
    """Open an alert per new (rule, subject) hit, group hits into open alerts, notify, record a run.

    Set-based: new alerts, their history rows and the refreshed open alerts are written in a few bulk
    statements rather than several per hit (a park-wide run can have tens of thousands of hits).
    `region_rules` are evaluated here, after `hits` are written, over the park's roll-ups (their
    alert densities then include this run's new alerts); their open alerts whose region no longer
    reaches a threshold are marked "condition cleared".
    """
    calendar = park_calendar()
    now = timezone.now()
    run = AlertRun(as_of=as_of, started_at=now)
    by_rule: dict[str, int] = {}
    with transaction.atomic():
        # Lock the rules being applied so two runs (the nightly job and a scoring signal) take turns:
        # the snapshot of open alerts below then stays true while the new ones are bulk-inserted.
        list(
            AlertRule.objects.select_for_update()
            .filter(pk__in=[r.pk for r in (*rules, *region_rules)])
            .values_list("pk", flat=True)
        )
        fresh, grouped, count = _apply(hits, rules, as_of, now, calendar, by_rule)
        if region_rules:
            found, open_regions, park = _region_hits(region_rules)
            more, more_grouped, more_count = _apply(found, region_rules, as_of, now, calendar, by_rule)
            fresh += more
            grouped += more_grouped
            count += more_count
            run.cleared = _clear_regions(region_rules, found, open_regions, park, now)
        run.hits = count
        run.opened = len(fresh)
        run.grouped = grouped
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
                "cleared": run.cleared,
            },
        )
    return run


def _hit_key(rule: AlertRule, hit: AnyHit) -> SubjectKey:
    if isinstance(hit, RegionHit):
        return (rule.pk, None, hit.level, hit.key)
    return (rule.pk, hit.enterprise_id, "", "")


def _alert_key(alert: Alert) -> SubjectKey:
    return (alert.rule_id, alert.enterprise_id, alert.region_level, alert.region_key)


def _apply(
    hits: Iterable[AnyHit],
    rules: Sequence[AlertRule],
    as_of: date,
    now: Any,
    calendar: WorkCalendar,
    by_rule: dict[str, int],
) -> tuple[list[Alert], int, int]:
    """Write one batch of hits of `rules`: returns the alerts opened, the hits grouped, the hits seen."""
    by_code = {r.code: r for r in rules}
    hits = [h for h in hits if h.rule_code in by_code]
    if not hits:
        return [], 0, 0
    open_alerts = {
        _alert_key(a): a for a in Alert.objects.still_open().filter(rule__in=list(by_code.values()))
    }
    pending: dict[SubjectKey, tuple[Alert, AnyHit]] = {}
    regroup: list[tuple[SubjectKey, AnyHit]] = []
    due: dict[int, date] = {}
    for hit in hits:
        rule = by_code[hit.rule_code]
        by_rule[rule.code] = by_rule.get(rule.code, 0) + 1
        key = _hit_key(rule, hit)
        if key in open_alerts or key in pending:
            regroup.append((key, hit))
            continue
        if rule.pk not in due:  # same rule, same base day: one working-day sum per rule, not per hit
            due[rule.pk] = calendar.add_workdays(as_of, rule.due_workdays)
        pending[key] = (_new_alert(rule, hit, now, due[rule.pk]), hit)
    fresh = _insert_alerts(pending, open_alerts, regroup, now)
    return fresh, _group_hits(regroup, open_alerts, now), len(hits)


def _new_alert(rule: AlertRule, hit: AnyHit, now: Any, due_on: date) -> Alert:
    alert = Alert(
        rule=rule,
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
    if isinstance(hit, RegionHit):
        alert.region_level = hit.level
        alert.region_key = hit.key[:100]
        alert.region_label = hit.label[:200]
    else:
        alert.enterprise_id = hit.enterprise_id
    return alert


def _insert_alerts(
    pending: dict[SubjectKey, tuple[Alert, AnyHit]],
    open_alerts: dict[SubjectKey, Alert],
    regroup: list[tuple[SubjectKey, AnyHit]],
    now: Any,
) -> list[Alert]:
    """Insert the new alerts in bulk (with their "opened" rows); returns those actually opened.

    The rule lock keeps other runs out, but an alert opened by another path (admin, a test) can still
    collide with the one-open-alert constraints: then fall back to row by row and group the colliding
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
                rule_id, enterprise_id, level, region = key
                same = Alert.objects.still_open().filter(
                    rule_id=rule_id, region_level=level, region_key=region
                )
                existing = (
                    same.filter(enterprise__isnull=True)
                    if enterprise_id is None
                    else same.filter(enterprise_id=enterprise_id)
                ).first()
                if existing is not None:
                    open_alerts[key] = existing
                    # Grouped ahead of the run's later hits for the same pair, as the old order did.
                    regroup.insert(0, (key, hit))
                continue
            fresh.append(alert)
    for alert in fresh:
        open_alerts[_alert_key(alert)] = alert
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


def _same_finding(alert: Alert, hit: AnyHit) -> bool:
    """Whether a hit says nothing new about its open alert. A region's figures drift every run (mean
    score, open alerts), so only the thresholds reached count, plus coming back after "cleared"."""
    if isinstance(hit, RegionHit):
        return alert.cleared_at is None and all(alert.facts.get(k) == hit.facts.get(k) for k in FINDING_KEYS)
    return alert.facts == hit.facts and alert.evidence == list(hit.evidence)


def _group_hits(
    regroup: list[tuple[SubjectKey, AnyHit]], open_alerts: dict[SubjectKey, Alert], now: Any
) -> int:
    """Group hits into their open alerts: a changed hit refreshes the facts and adds a history row;
    an unchanged one only moves `last_seen_at` (and refreshes a region's figures). Returns how many
    hits changed their alert (each with a "hit" row), the run's `grouped`; unchanged ones are not counted."""
    changed: dict[int, Alert] = {}
    refreshed: dict[int, Alert] = {}
    seen: set[int] = set()
    events: list[AlertEvent] = []
    for key, hit in regroup:
        alert = open_alerts.get(key)
        # None: its insert collided with an alert that was closed meanwhile, so nothing to group into.
        if alert is None:
            continue
        seen.add(alert.pk)
        if _same_finding(alert, hit):
            if alert.facts != hit.facts:
                alert.summary = hit.summary[:500]
                alert.facts = hit.facts
                refreshed[alert.pk] = alert
            continue
        alert.summary = hit.summary[:500]
        alert.facts = hit.facts
        alert.evidence = list(hit.evidence)
        alert.path = list(hit.path)
        alert.last_seen_at = now
        alert.hit_count += 1
        alert.cleared_at = None
        changed[alert.pk] = alert
        refreshed.pop(alert.pk, None)
        events.append(
            AlertEvent(alert=alert, at=now, action=AlertAction.HIT, note=hit.summary, detail=hit.facts)
        )
    unchanged = sorted(seen - changed.keys() - refreshed.keys())
    for start in range(0, len(unchanged), BULK_BATCH):
        Alert.objects.filter(pk__in=unchanged[start : start + BULK_BATCH]).update(last_seen_at=now)
    # Each changed alert carries its own facts, so one UPDATE each: measured faster than bulk_update's
    # CASE-per-column statements on SQLite, and no model save() or savepoint per row. Refreshed
    # alerts are regions only: at most one per region and rule.
    for alert in refreshed.values():
        Alert.objects.filter(pk=alert.pk).update(summary=alert.summary, facts=alert.facts, last_seen_at=now)
    for alert in changed.values():
        Alert.objects.filter(pk=alert.pk).update(
            summary=alert.summary,
            facts=alert.facts,
            evidence=alert.evidence,
            path=alert.path,
            last_seen_at=now,
            hit_count=alert.hit_count,
            cleared_at=None,
        )
    AlertEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
    return len(events)


def _region_hits(
    rules: Sequence[AlertRule],
) -> tuple[list[RegionHit], dict[tuple[str, str], RegionRow], ParkFigures]:
    """Evaluate region rules over the park's roll-ups: one read of the enterprise table for every
    level the rules cover, the park-wide figures (what `vs_park` compares with) from the same read.
    Also returns every region's row by (level, key) and the park's figures, for cleared alerts."""
    levels = {level for rule in rules for level in rule_spec(rule).param("levels")}
    rollups = region_rollups(levels)
    labels = region_labels(levels)
    found: list[RegionHit] = []
    for rule in rules:
        found.extend(region_hits(rollups.levels, rule_spec(rule), labels, rollups.park))
    rows = {(level, row.key): row for level, level_rows in rollups.levels.items() for row in level_rows}
    return found, rows, rollups.park


def _clear_regions(
    rules: Sequence[AlertRule],
    found: Sequence[RegionHit],
    rows: dict[tuple[str, str], RegionRow],
    park: ParkFigures,
    now: Any,
) -> int:
    """Mark "condition cleared" the open alerts of these region rules whose region reached no
    threshold this run. They stay open: staff close them with a resolution, as every alert; a later
    crossing clears the mark again (and is recorded as a new hit). The note gives the park's figures
    too: a region can fall under its rule's bar because the park rose to it, not only by improving."""
    by_code = {r.code: r for r in rules}
    hit_keys = {_hit_key(by_code[h.rule_code], h) for h in found}
    stale = [
        alert
        for alert in Alert.objects.still_open().filter(rule__in=list(rules), cleared_at__isnull=True)
        if _alert_key(alert) not in hit_keys
    ]
    if not stale:
        return 0
    Alert.objects.filter(pk__in=[a.pk for a in stale]).update(cleared_at=now)
    events = []
    for alert in stale:
        row = rows.get((alert.region_level, alert.region_key))
        detail: dict[str, Any] = (
            {
                "enterprises": row.enterprises,
                "graded": row.graded,
                "cd_share": row.cd_share,
                "open_alerts": row.open_alerts,
                "alerts_per_100": row.alerts_per_100,
                "park": park.as_facts(),
            }
            if row is not None
            else {}
        )
        note = (
            _(
                "区域已回落到阈值以下:C/D 级占比 %(cd)s%%(全园 %(park_cd)s%%),"
                "每百家企业未关闭预警 %(per100)s 条(全园 %(park_per100)s 条)"
            )
            % {
                "cd": f"{100 * row.cd_share:.0f}",
                "per100": f"{row.alerts_per_100:g}",
                "park_cd": f"{100 * park.cd_share:.0f}",
                "park_per100": f"{park.alerts_per_100:g}",
            }
            if row is not None
            else _("区域已没有园区企业")
        )
        events.append(AlertEvent(alert=alert, at=now, action=AlertAction.CLEARED, note=note, detail=detail))
    AlertEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
    return len(stale)


def staff_recipients(department: Organisation | None) -> list[User]:
    """Who handles an alert: the rule's department staff, else the park administrators."""
    users = User.objects.filter(is_active=True, role__in=STAFF_ROLES)
    if department is not None:
        chosen = list(users.filter(organisation=department))
        if chosen:
            return chosen
    return list(users.filter(role=Role.PARK_ADMIN))


def rule_recipients(rule: AlertRule) -> list[User]:
    """Everyone told of a rule's new alerts: its department's staff (else the park administrators)
    and the park staff named on the rule."""
    named = [u for u in rule.recipients.all() if u.is_active and u.role in PARK_ROLES]
    return staff_recipients(rule.department) + named


def _notify_new(alerts: Sequence[Alert], *, actor: Any) -> int:
    """Push warning and critical alerts now (info waits for the digest); tell enterprises if the rule says."""
    from django.urls import reverse

    pushed = [alert for alert in alerts if alert.severity != AlertSeverity.INFO]
    if not pushed:
        return 0
    # The enterprises named in the titles, in one read (batched) rather than one per alert.
    with_subject = Alert.objects.select_related("enterprise").in_bulk([alert.pk for alert in pushed])
    sent = 0
    staff_cache: dict[int, list[User]] = {}
    now = timezone.now()
    notified: list[int] = []
    events: list[AlertEvent] = []
    for alert in pushed:
        rule = alert.rule
        if rule.pk not in staff_cache:
            staff_cache[rule.pk] = rule_recipients(rule)
        enterprise = with_subject[alert.pk].enterprise
        alert.enterprise = enterprise
        title = _("%(severity)s预警:%(enterprise)s · %(rule)s") % {
            "severity": alert.get_severity_display(),
            "enterprise": alert.subject_name,
            "rule": rule.name,
        }
        rows = notify(
            recipients=staff_cache[rule.pk],
            kind=NOTIFY_KIND,
            title=title,
            body=alert.summary,
            link=reverse("alerts:detail", args=[alert.pk]),
            enterprise=enterprise,
            severity=alert.severity,
            actor=actor,
        )
        if rule.notify_enterprise and enterprise is not None:
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
            notified.append(alert.pk)
            events.append(
                AlertEvent(alert=alert, at=now, action=AlertAction.NOTIFIED, detail={"recipients": len(rows)})
            )
    for start in range(0, len(notified), BULK_BATCH):
        Alert.objects.filter(pk__in=notified[start : start + BULK_BATCH]).update(notified_at=now)
    AlertEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
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
    if assignee is not None and assignee.role not in PARK_ROLES:
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
            .order_by("rule__name", "enterprise__name", "region_key")
        )
        if not pending:
            return {"alerts": 0, "recipients": 0}
        lines: list[str] = []
        for alert in pending[:50]:
            lines.append(f"· {alert.subject_name}:{alert.rule.name}({alert.summary})")
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
    "rule_recipients",
    "rule_update",
    "rules_ensure_defaults",
]
