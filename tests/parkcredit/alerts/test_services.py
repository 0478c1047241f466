"""Alert runs over the database: open, group, never duplicate; lifecycle; delivery; digest; downgrades."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from creditcore.alerts import Hit
from parkcredit.alerts.models import Alert, AlertAction, AlertEvent, AlertRule, AlertState
from parkcredit.alerts.services import (
    alert_acknowledge,
    alert_assign,
    alert_close,
    alert_snooze,
    alert_start_handling,
    alerts_digest,
    alerts_run,
    downgrades_apply,
    hits_apply,
    rule_update,
    rules_ensure_defaults,
)
from parkcredit.audit.models import AuditEntry
from parkcredit.notifications.models import Channel, Delivery, DeliveryState, Notification
from parkcredit.notifications.services import subscription_create
from tests import factories as f
from tests.parkcredit.alerts.support import relation, serious_penalty, today, unpaid_rent
from tests.parkcredit.notifications.servers import smtp_sink, webhook_receiver


def test_run_opens_one_alert_per_rule_and_enterprise_and_repeats_do_not_duplicate(
    ent_a: Any, ent_b: Any, park_admin: Any
) -> None:
    serious_penalty(ent_a)
    unpaid_rent(ent_a, months=4)
    first = alerts_run()
    assert first.opened == 2
    assert set(Alert.objects.values_list("rule__code", "enterprise_id")) == {
        ("serious_record", ent_a.pk),
        ("arrears", ent_a.pk),
    }
    second = alerts_run()
    third = alerts_run()
    assert second.opened == third.opened == 0
    assert Alert.objects.count() == 2
    assert AuditEntry.objects.filter(action="alerts.run").count() == 3


def test_the_database_refuses_a_second_open_alert(ent_a: Any) -> None:
    serious_penalty(ent_a)
    alerts_run()
    alert = Alert.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(rule=alert.rule, enterprise=ent_a, severity="critical", summary="重复")


def test_related_events_are_grouped_into_the_open_alert(ent_a: Any, park_admin: Any) -> None:
    serious_penalty(ent_a, days_ago=20)
    alerts_run()
    record = serious_penalty(ent_a, days_ago=2)
    run = alerts_run()
    assert run.grouped == 1  # the second penalty also opens "repeated penalties", a different rule
    alert = Alert.objects.get(rule__code="serious_record")
    assert alert.hit_count == 2 and record.pk in alert.evidence
    assert list(alert.events.values_list("action", flat=True)) == ["opened", "notified", "hit"]


def test_closed_alert_reopens_as_a_new_one_when_the_rule_fires_again(ent_a: Any, park_admin: Any) -> None:
    serious_penalty(ent_a)
    alerts_run()
    alert_close(actor=park_admin, alert=Alert.objects.get(), resolution="已约谈企业")
    run = alerts_run()
    assert run.opened == 1
    assert Alert.objects.filter(state=AlertState.CLOSED).count() == 1
    assert Alert.objects.exclude(state=AlertState.CLOSED).count() == 1


def test_chain_alert_carries_the_path(ent_a: Any, ent_b: Any) -> None:
    f.make_record(ent_a, "court-defaulter", severity="serious", decided_on=today() - timedelta(days=3))
    relation(ent_b, ent_a, "supplier", "0.9")
    alerts_run()
    chain = Alert.objects.get(rule__code="chain")
    assert chain.enterprise == ent_b
    assert chain.path[0]["to"] == ent_a.pk and chain.path[0]["relation_type"] == "supplier"
    assert chain.facts["source"] == ent_a.pk


def test_lifecycle_open_acknowledged_handling_closed(ent_a: Any, dept_staff: Any) -> None:
    serious_penalty(ent_a)
    alerts_run()
    alert = Alert.objects.get()
    assert alert.due_on is not None and alert.due_on > today()
    alert = alert_acknowledge(actor=dept_staff, alert=alert)
    with pytest.raises(ValidationError, match="不能执行"):
        alert_acknowledge(actor=dept_staff, alert=alert)
    alert = alert_start_handling(actor=dept_staff, alert=alert, note="电话联系")
    assert alert.state == AlertState.HANDLING and alert.assignee == dept_staff
    with pytest.raises(ValidationError, match="处置结果"):
        alert_close(actor=dept_staff, alert=alert, resolution="  ")
    alert = alert_close(actor=dept_staff, alert=alert, resolution="企业已缴纳罚款")
    assert alert.state == AlertState.CLOSED and alert.closed_at is not None
    actions = list(alert.events.values_list("action", flat=True))
    assert actions[-3:] == [AlertAction.ACKNOWLEDGED, AlertAction.HANDLING, AlertAction.CLOSED]
    assert AuditEntry.objects.filter(action="alerts.closed").exists()


def test_assign_snooze_and_overdue(ent_a: Any, park_admin: Any, dept_staff: Any) -> None:
    serious_penalty(ent_a)
    alerts_run()
    alert = Alert.objects.get()
    alert = alert_assign(
        actor=park_admin, alert=alert, department=dept_staff.organisation, assignee=dept_staff, due_on=today()
    )
    assert alert.assignee == dept_staff and alert.due_on == today() and not alert.is_overdue()
    assert alert.is_overdue(today() + timedelta(days=1))
    with pytest.raises(ValidationError, match="原因"):
        alert_snooze(actor=park_admin, alert=alert, until=today() + timedelta(days=7), reason="")
    with pytest.raises(ValidationError, match="暂缓日期"):
        alert_snooze(actor=park_admin, alert=alert, until=today(), reason="等待法院结果")
    alert = alert_snooze(
        actor=park_admin, alert=alert, until=today() + timedelta(days=7), reason="等待法院结果"
    )
    assert alert.is_snoozed() and alert.state == AlertState.OPEN


def test_rule_update_validates_and_audits(park_admin: Any) -> None:
    rules_ensure_defaults()
    rule = AlertRule.objects.get(code="arrears")
    with pytest.raises(ValidationError) as bad:
        rule_update(
            actor=park_admin,
            rule=rule,
            params={"min_days": "x"},
            severity="warning",
            enabled=True,
            notify_enterprise=False,
            department=None,
            due_workdays=5,
        )
    assert "逾期天数" in str(bad.value.message_dict["params"])
    rule_update(
        actor=park_admin,
        rule=rule,
        params={"min_days": "30", "min_bills": 2, "window_months": 6, "metrics": "rent_bill"},
        severity="critical",
        enabled=True,
        notify_enterprise=True,
        department=None,
        due_workdays=3,
    )
    rule.refresh_from_db()
    assert rule.params == {"min_days": 30, "min_bills": 2, "window_months": 6, "metrics": ["rent_bill"]}
    assert rule.severity == "critical"
    assert AuditEntry.objects.filter(action="alerts.rule_update").exists()


def test_new_alerts_are_delivered_to_inbox_smtp_and_webhook_and_to_the_enterprise(
    ent_a: Any, ent_a_user: Any, park_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    unpaid_rent(ent_a, months=4)
    rules_ensure_defaults()
    AlertRule.objects.filter(code="arrears").update(notify_enterprise=True)
    with smtp_sink() as sink, webhook_receiver() as robot:
        mailers = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": sink.host, "port": sink.port},
            }
        }
        with override_settings(MAILERS=mailers, NOTIFY_WEBHOOK_HOSTS=["127.0.0.1"]):
            subscription_create(actor=park_admin, channel=Channel.EMAIL, address="wang@park.example.cn")
            subscription_create(actor=park_admin, channel=Channel.WECOM, address=robot.url)
            with django_capture_on_commit_callbacks(execute=True):
                run = alerts_run()
    assert run.opened == 1 and run.notified == 2
    staff_note = Notification.objects.get(recipient=park_admin)
    assert staff_note.kind == "alerts.alert" and ent_a.name in staff_note.title
    assert Notification.objects.get(recipient=ent_a_user).link == "/enterprises/mine/"
    assert "房租物业费" in str(sink.messages[0]["Subject"]) or ent_a.name in str(sink.messages[0]["Subject"])
    assert robot.requests[0]["json"]["msgtype"] == "markdown"
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_info_alerts_wait_for_the_weekly_digest(ent_a: Any, park_admin: Any, dept_staff: Any) -> None:
    unpaid_rent(ent_a, months=4)
    rules_ensure_defaults()
    AlertRule.objects.filter(code="arrears").update(severity="info")
    run = alerts_run()
    assert run.opened == 1 and run.notified == 0
    assert not Notification.objects.exists()
    assert alerts_digest() == {"alerts": 1, "recipients": 2}
    digest = Notification.objects.get(recipient=dept_staff)
    assert digest.kind == "alerts.digest" and ent_a.name in digest.body
    assert alerts_digest() == {"alerts": 0, "recipients": 0}  # each alert goes into one digest only
    assert mail.outbox == []


def test_snoozed_alerts_stay_out_of_the_digest(ent_a: Any, park_admin: Any) -> None:
    unpaid_rent(ent_a, months=4)
    rules_ensure_defaults()
    AlertRule.objects.filter(code="arrears").update(severity="info")
    alerts_run()
    alert_snooze(
        actor=park_admin,
        alert=Alert.objects.get(),
        until=today() + timedelta(days=3),
        reason="已约定还款计划",
    )
    assert alerts_digest()["alerts"] == 0


def test_grade_downgrades_from_the_scoring_signal(ent_a: Any, ent_b: Any, park_admin: Any) -> None:
    from parkcredit.scoring.models import ScoringRun
    from parkcredit.scoring.signals import grades_changed

    rules_ensure_defaults()
    grades_changed.send(sender=ScoringRun, run=None, changes=[(ent_a.pk, "B", "C"), (ent_b.pk, None, "D")])
    alert = Alert.objects.get()
    assert alert.enterprise == ent_a and alert.rule.family == "grade_downgrade"
    assert "B 级下调为 C 级" in alert.summary
    assert downgrades_apply([(ent_a.pk, "B", "C")]) is None or Alert.objects.count() == 1


def _hit(enterprise_id: int, summary: str = "命中", facts: dict[str, Any] | None = None) -> Hit:
    return Hit("serious_record", "serious_record", enterprise_id, "info", summary, facts or {"n": 1})


def test_hits_are_written_in_bulk_not_per_hit(db: None, django_assert_max_num_queries: Any) -> None:
    rules = rules_ensure_defaults()
    rule = next(r for r in rules if r.code == "serious_record")
    AlertRule.objects.filter(pk=rule.pk).update(severity="info")  # info: no notification queries
    rule.refresh_from_db()
    ids = [f.make_enterprise().pk for _ in range(40)]
    with django_assert_max_num_queries(20):
        run = hits_apply(actor=None, hits=[_hit(i) for i in ids], rules=[rule], as_of=today())
    assert run.opened == 40 and Alert.objects.filter(rule=rule).count() == 40
    assert AlertEvent.objects.filter(action=AlertAction.OPENED).count() == 40
    # Same hits again: all grouped, nothing new; half with new facts get a history row each.
    again = [_hit(i, facts={"n": 2} if k % 2 else {"n": 1}) for k, i in enumerate(ids)]
    with django_assert_max_num_queries(20 + 20):  # one UPDATE per changed alert, the rest batched
        run = hits_apply(actor=None, hits=again, rules=[rule], as_of=today())
    assert run.opened == 0 and run.grouped == 20
    assert sorted(Alert.objects.values_list("hit_count", flat=True)) == [1] * 20 + [2] * 20
    assert AlertEvent.objects.filter(action=AlertAction.HIT).count() == 20


def test_bulk_insert_collision_falls_back_and_groups_into_the_open_alert(ent_a: Any, ent_b: Any) -> None:
    rule = next(r for r in rules_ensure_defaults() if r.code == "serious_record")
    # An alert opened outside a run (admin) that the run's snapshot cannot see yet.
    run_hits = [_hit(ent_a.pk, facts={"n": 5}), _hit(ent_b.pk)]
    snapshot = Alert.objects.still_open

    def stale(*args: Any, **kwargs: Any) -> Any:
        # Create the colliding alert just after the run took its snapshot of open alerts.
        rows = snapshot(*args, **kwargs)
        if Alert.objects.filter(enterprise=ent_a).exists():
            return rows  # the fallback's own look-up sees the database as it is
        Alert.objects.create(rule=rule, enterprise=ent_a, severity="info", summary="手工", facts={"n": 1})
        return rows.none()

    with mock.patch.object(Alert.objects, "still_open", stale):
        run = hits_apply(actor=None, hits=run_hits, rules=[rule], as_of=today())
    assert run.opened == 1 and run.grouped == 1
    assert Alert.objects.filter(rule=rule).count() == 2
    manual = Alert.objects.get(enterprise=ent_a)
    assert manual.hit_count == 2 and manual.facts == {"n": 5}
    assert Alert.objects.get(enterprise=ent_b).events.filter(action=AlertAction.OPENED).count() == 1
