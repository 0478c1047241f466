"""Region rules over the database: stored and validated like the other rules, evaluated in the same run
on a hand-built park, one open alert per rule and region, "condition cleared", delivery and visibility."""

from __future__ import annotations

import importlib
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from creditcore.alerts import Hit, default_rules
from parkcredit.alerts.models import Alert, AlertAction, AlertRule, AlertState
from parkcredit.alerts.selectors import region_open_alerts
from parkcredit.alerts.services import (
    alert_close,
    alerts_digest,
    alerts_run,
    hits_apply,
    rule_spec,
    rule_update,
    rules_ensure_defaults,
)
from parkcredit.audit.models import AuditEntry
from parkcredit.notifications.models import Notification
from tests import factories as f
from tests.parkcredit.alerts.support import REGION_PARK_ALERTS, region_park, set_grade, today


def _region_alerts() -> set[tuple[str, str, str]]:
    return set(
        Alert.objects.filter(enterprise__isnull=True)
        .exclude(state=AlertState.CLOSED)
        .values_list("rule__code", "region_level", "region_key")
    )


def _update(rule: AlertRule, actor: Any, **changes: Any) -> AlertRule:
    values: dict[str, Any] = {
        "params": dict(rule.params),
        "severity": rule.severity,
        "enabled": rule.enabled,
        "notify_enterprise": False,
        "department": rule.department,
        "due_workdays": rule.due_workdays,
    }
    values.update(changes)
    return rule_update(actor=actor, rule=rule, **values)


def _migration(name: str) -> Any:
    return importlib.import_module(f"parkcredit.alerts.migrations.{name}")


def test_default_region_rules_one_per_level_match_the_seed_migrations(db: Any) -> None:
    AlertRule.objects.filter(family="region").delete()
    seed = _migration("0003_region_rules_seed").seed
    seed(apps, None)
    _migration("0004_region_rules_vs_park").seed(apps, None)
    seeded = {
        r.code: (r.name, r.params, r.severity, r.notify_enterprise)
        for r in AlertRule.objects.filter(family="region")
    }
    defaults = {
        s.code: (s.name, dict(s.params), s.severity, False) for s in default_rules() if s.family == "region"
    }
    assert seeded == defaults
    assert seeded["region_building"][1] == {
        "levels": ["building"],
        "cd_share": 0.2,
        "alerts_per_100": 30.0,
        "min_enterprises": 10,
        "vs_park": 1.5,
    }
    seed(apps, None)  # a second run leaves staff's region rules alone
    assert AlertRule.objects.filter(family="region").count() == 5
    assert not [r for r in rules_ensure_defaults() if r.family == "region"]


def test_vs_park_migration_seeds_the_default_rules_and_leaves_other_rules_meaning_what_they_meant(
    db: Any,
) -> None:
    migration = _migration("0004_region_rules_vs_park")
    AlertRule.objects.filter(family="region").delete()
    _migration("0003_region_rules_seed").seed(apps, None)  # an install from before vs_park existed
    AlertRule.objects.filter(code="region_plot").update(
        params={"levels": ["plot"], "cd_share": 0.25, "alerts_per_100": 30.0, "min_enterprises": 8}
    )
    AlertRule.objects.filter(code="region_zone").update(
        params={
            "levels": ["zone"],
            "cd_share": 0.2,
            "alerts_per_100": 30.0,
            "min_enterprises": 10,
            "vs_park": 2,
        }
    )
    custom = AlertRule.objects.create(
        code="region_north",
        name="北区楼宇",
        family="region",
        params={"levels": ["building"], "cd_share": 0.3, "alerts_per_100": 40.0, "min_enterprises": 5},
    )
    assert {r.code for r in AlertRule.objects.filter(family="region") if "vs_park" not in r.params} == {
        "region_plot",
        "region_building",
        "region_industry",
        "region_cluster",
        "region_north",
    }
    migration.seed(apps, None)
    vs_park = {r.code: r.params.get("vs_park") for r in AlertRule.objects.filter(family="region")}
    assert vs_park == {
        "region_zone": 2,  # set already: kept
        "region_plot": 1.5,  # staff's other thresholds stay, the parameter is added
        "region_building": 1.5,
        "region_industry": 1.5,
        "region_cluster": 1.5,
        "region_north": None,  # not a default rule: left alone, and it means 1 (thresholds only)
    }
    assert AlertRule.objects.get(code="region_plot").params["cd_share"] == 0.25
    custom.refresh_from_db()
    assert rule_spec(custom).param("vs_park") == 1.0
    migration.seed(apps, None)  # re-running changes nothing
    assert {r.code: r.params.get("vs_park") for r in AlertRule.objects.filter(family="region")} == vs_park
    # Backwards: the code before the migration does not know the parameter, so it goes everywhere.
    migration.unseed(apps, None)
    assert not [r for r in AlertRule.objects.filter(family="region") if "vs_park" in r.params]
    assert AlertRule.objects.get(code="region_plot").params["min_enterprises"] == 8


def test_region_rule_update_validates_naming_parameter_and_value_and_audits(
    db: Any, park_admin: Any, inspector: Any, ent_a_user: Any
) -> None:
    rules_ensure_defaults()
    rule = AlertRule.objects.get(code="region_building")
    for params, words in (
        ({"cd_share": "1.5"}, ("C/D 级占比阈值", "cd_share", "1.5", "超出范围")),
        ({"alerts_per_100": "很多"}, ("每百家企业预警数阈值", "很多", "不是数字")),
        ({"min_enterprises": "2.5"}, ("最少企业数", "2.5", "不是整数")),
        ({"min_enterprises": 0}, ("最少企业数", "超出范围")),
        ({"levels": "building,planet"}, ("区域层级", "planet", "无效")),
        ({"levels": ""}, ("区域层级", "不能为空")),
        ({"vs_park": "0.5"}, ("高于全园倍数", "vs_park", "0.5", "超出范围")),
        ({"vs_park": "11"}, ("高于全园倍数", "vs_park", "11", "超出范围")),
        ({"vs_park": "一倍半"}, ("高于全园倍数", "一倍半", "不是数字")),
    ):
        with pytest.raises(ValidationError) as bad:
            _update(rule, park_admin, params=params)
        message = str(bad.value.message_dict["params"])
        assert all(word in message for word in words), (params, message)
    with pytest.raises(ValidationError) as bad:
        _update(rule, park_admin, notify_enterprise=True)
    assert "不能通知企业" in str(bad.value.message_dict["notify_enterprise"])
    with pytest.raises(ValidationError) as bad:
        _update(rule, park_admin, recipients=[ent_a_user])
    assert "ent_a_user" in str(bad.value.message_dict["recipients"])
    inspector.is_active = False
    inspector.save(update_fields=["is_active"])
    with pytest.raises(ValidationError, match="不是在岗的园区工作人员"):
        _update(rule, park_admin, recipients=[inspector])
    inspector.is_active = True
    inspector.save(update_fields=["is_active"])
    assert not AuditEntry.objects.filter(action="alerts.rule_update").exists()

    _update(
        rule,
        park_admin,
        params={
            "levels": ["building", "plot"],
            "cd_share": "0.3",
            "alerts_per_100": 40,
            "min_enterprises": "5",
            "vs_park": "2",
        },
        severity="critical",
        recipients=[inspector],
    )
    rule.refresh_from_db()
    assert rule.params == {
        "levels": ["building", "plot"],
        "cd_share": 0.3,
        "alerts_per_100": 40.0,
        "min_enterprises": 5,
        "vs_park": 2.0,
    }
    assert list(rule.recipients.all()) == [inspector]
    entry = AuditEntry.objects.get(action="alerts.rule_update")
    assert entry.detail["before"]["params"]["cd_share"] == 0.2
    assert entry.detail["after"]["params"]["cd_share"] == 0.3
    assert (
        entry.detail["before"]["params"]["vs_park"] == 1.5
        and entry.detail["after"]["params"]["vs_park"] == 2.0
    )
    assert entry.detail["before"]["recipients"] == [] and entry.detail["after"]["recipients"] == ["inspector"]


def test_run_opens_exactly_the_expected_region_alerts_and_reruns_add_nothing(db: Any) -> None:
    region_park()
    first = alerts_run()
    assert _region_alerts() == REGION_PARK_ALERTS
    assert first.opened == 5 and first.by_rule == {code: 1 for code, _level, _key in REGION_PARK_ALERTS}
    building = Alert.objects.get(rule__code="region_building")
    assert building.enterprise is None and building.region_label == "北1栋"
    assert building.subject_name == "楼宇 北1栋" and building.subject_type == "region"
    assert building.facts["enterprises"] == 10 and building.facts["graded"] == 10
    assert building.facts["cd_share"] == 0.3 and building.facts["crossed"] == ["cd_share"]
    assert building.facts["thresholds"] == {
        "cd_share": 0.2,
        "alerts_per_100": 30.0,
        "min_enterprises": 10,
        "vs_park": 1.0,
    }
    # The park's own figures are recorded next to the region's: 5 of 22 C/D, no open alerts.
    assert building.facts["park"] == {
        "enterprises": 22,
        "graded": 22,
        "cd_share": round(5 / 22, 4),
        "open_alerts": 0,
        "alerts_per_100": 0.0,
    }
    assert "C/D 级企业占比 30%" in building.summary and "北1栋" in building.summary
    # 南1栋 has half C/D, but only 2 enterprises: below the minimum size, so no alert.
    assert not Alert.objects.filter(region_key__in=["S1", "南区", "南区1号地块"]).exists()

    events = Alert.objects.get(rule__code="region_zone").events.count()
    second = alerts_run()
    third = alerts_run()
    assert second.opened == third.opened == 0 and second.grouped == third.grouped == 0
    assert second.hits == 5 and second.cleared == 0
    assert Alert.objects.filter(enterprise__isnull=True).count() == 5
    assert Alert.objects.get(rule__code="region_zone").events.count() == events


def test_the_database_keeps_one_open_alert_per_rule_and_region_and_exactly_one_subject(
    db: Any, ent_a: Any
) -> None:
    rules_ensure_defaults()
    rule = AlertRule.objects.get(code="region_building")
    region = {"region_level": "building", "region_key": "N1", "region_label": "北1栋"}
    Alert.objects.create(rule=rule, severity="warning", summary="区域", **region)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(rule=rule, severity="warning", summary="重复", **region)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(rule=rule, enterprise=ent_a, severity="warning", summary="两个对象", **region)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(rule=rule, severity="warning", summary="没有对象")
    # A closed one does not count: the region may be alerted again.
    Alert.objects.filter(region_key="N1").update(state=AlertState.CLOSED)
    Alert.objects.create(rule=rule, severity="warning", summary="再次", **region)
    assert Alert.objects.filter(region_key="N1").count() == 2


def test_alert_density_crosses_then_clears_then_crosses_again(db: Any, park_admin: Any) -> None:
    park = region_park()
    serious = AlertRule.objects.get(code="serious_record")
    AlertRule.objects.filter(pk=serious.pk).update(severity="info")
    serious.refresh_from_db()
    # 3 open enterprise alerts among N2's 10 enterprises: 30 per 100, the threshold (N2 is also the
    # whole of plot 北区2号地块; zone 北区 has 15 per 100 and industry 软件服务 25, both under).
    hits = [Hit("serious_record", "serious_record", e.pk, "info", "命中") for e in park["N2"][:3]]
    hits_apply(actor=None, hits=hits, rules=[serious], as_of=today())
    alerts_run()
    assert _region_alerts() - REGION_PARK_ALERTS == {
        ("region_building", "building", "N2"),
        ("region_plot", "plot", "北区2号地块"),
    }
    n2 = Alert.objects.get(rule__code="region_building", region_key="N2")
    assert n2.facts["crossed"] == ["alerts_per_100"] and n2.facts["open_alerts"] == 3
    assert n2.facts["alerts_per_100"] == 30.0

    for alert in Alert.objects.filter(rule=serious):
        alert_close(actor=park_admin, alert=alert, resolution="已核实")
    run = alerts_run()
    n2.refresh_from_db()
    assert run.cleared == 2 and n2.cleared_at is not None and n2.state == AlertState.OPEN
    assert Alert.objects.filter(cleared_at__isnull=False).count() == 2
    cleared = n2.events.get(action=AlertAction.CLEARED)
    assert cleared.detail["alerts_per_100"] == 0.0 and "回落" in cleared.note
    assert alerts_run().cleared == 0  # marked once, not at every run
    assert n2.events.filter(action=AlertAction.CLEARED).count() == 1

    set_grade(park["N2"][1], "C")  # 2 of 10 C/D: 20 %, the C/D threshold now (软件服务: 3 of 12)
    run = alerts_run()
    n2.refresh_from_db()
    assert run.grouped == 2 and run.opened == 1
    assert Alert.objects.filter(rule__code="region_industry", region_key="软件服务").exists()
    assert n2.cleared_at is None and n2.hit_count == 2 and n2.facts["crossed"] == ["cd_share"]
    assert list(n2.events.values_list("action", flat=True))[-2:] == [AlertAction.CLEARED, AlertAction.HIT]
    assert Alert.objects.filter(rule__code="region_building", region_key="N2").count() == 1


def _set_vs_park(value: float) -> None:
    for rule in AlertRule.objects.filter(family="region"):
        rule.params = {**rule.params, "vs_park": value}
        rule.save(update_fields=["params"])


def test_at_the_default_vs_park_a_region_must_stand_out_from_the_park(db: Any) -> None:
    park = region_park(vs_park=1.5)
    # The park is 5 of 22 C/D (22.7 %), so a region needs 1.5 x that = 34.1 %: N1's 30 % reaches the
    # 20 % threshold (and alerts at vs_park 1, see above) but does not stand out.
    run = alerts_run()
    assert run.hits == 0 and _region_alerts() == set()

    # N1 at 5 of 10 (50 %): the park is 7 of 22 (31.8 %), the bar 47.7 %. N1, its plot and its
    # industry (the same ten firms) stand out; zone 北区 (6 of 20, 30 %) is over the threshold but
    # not over 1.5 x the park, and the cluster is the whole park, which never stands out from itself.
    set_grade(park["N1"][3], "C")
    set_grade(park["N1"][4], "D")
    alerts_run()
    n1_alerts = {
        ("region_building", "building", "N1"),
        ("region_plot", "plot", "北区1号地块"),
        ("region_industry", "industry", "精密加工"),
    }
    assert _region_alerts() == n1_alerts
    n1 = Alert.objects.get(rule__code="region_building")
    assert n1.facts["crossed"] == ["cd_share"] and n1.facts["cd_share"] == 0.5
    assert n1.facts["park"]["cd_share"] == round(7 / 22, 4) and n1.facts["park"]["enterprises"] == 22
    assert n1.facts["thresholds"]["vs_park"] == 1.5
    assert n1.summary == (
        "楼宇“北1栋”:C/D 级企业占比 50%(全园 32%,阈值 20% 且不低于全园的 1.5 倍,已评级 10 家)"
    )

    # The rest of the park catches up (N2 at 6 of 10): the park is 12 of 22 (54.5 %), the bar 81.8 %.
    # N1 has not improved, but no longer stands out: its alerts are marked "condition cleared", and
    # the note gives the park's figure, which is what moved.
    for enterprise in park["N2"][1:6]:
        set_grade(enterprise, "C")
    run = alerts_run()
    assert run.hits == 0 and run.cleared == 3
    note = n1.events.get(action=AlertAction.CLEARED).note
    assert "C/D 级占比 50%(全园 55%)" in note, note

    # The same park with the comparison off (vs_park 1) flags every region of 10 or more: the
    # whole park is over the 20 % threshold, which is the problem vs_park solves.
    _set_vs_park(1.0)
    alerts_run()
    assert _region_alerts() == n1_alerts | {
        ("region_zone", "zone", "北区"),
        ("region_plot", "plot", "北区2号地块"),
        ("region_building", "building", "N2"),
        ("region_industry", "industry", "软件服务"),
        ("region_cluster", "cluster", "高端装备"),
    }


def test_closed_region_alert_reopens_while_the_region_stays_over(db: Any, park_admin: Any) -> None:
    region_park()
    alerts_run()
    alert_close(actor=park_admin, alert=Alert.objects.get(rule__code="region_building"), resolution="已约谈")
    assert alerts_run().opened == 1
    assert Alert.objects.filter(rule__code="region_building", region_key="N1").count() == 2


def test_region_alerts_notify_the_department_and_named_staff_never_enterprises(
    db: Any, park_admin: Any, dept_staff: Any, inspector: Any
) -> None:
    park = region_park()
    f.enterprise_user(park["N1"][0], username="n1_user")
    rules_ensure_defaults()
    AlertRule.objects.filter(family="region").exclude(code="region_building").update(enabled=False)
    rule = AlertRule.objects.get(code="region_building")
    _update(rule, park_admin, department=dept_staff.organisation, recipients=[inspector])
    run = alerts_run()
    assert run.opened == 1 and run.notified == 2
    notes = Notification.objects.filter(kind="alerts.alert")
    assert set(notes.values_list("recipient__username", flat=True)) == {"dept_staff", "inspector"}
    note = notes.get(recipient=inspector)
    assert "北1栋" in note.title and note.enterprise_id is None
    assert note.link == f"/alerts/{Alert.objects.get(rule=rule).pk}/"
    alert = Alert.objects.get(rule=rule)
    assert alert.assignee_department == dept_staff.organisation and alert.notified_at is not None


def test_info_region_alerts_go_into_the_weekly_digest(db: Any, park_admin: Any) -> None:
    region_park()
    rules_ensure_defaults()
    AlertRule.objects.filter(family="region").update(severity="info")
    assert alerts_run().notified == 0
    assert alerts_digest() == {"alerts": 5, "recipients": 1}
    assert "楼宇 北1栋" in Notification.objects.get(kind="alerts.digest").body


def test_region_alerts_are_park_staff_objects(
    db: Any, inspector: Any, ent_a_user: Any, bank_user: Any
) -> None:
    region_park()
    alerts_run()
    assert Alert.objects.visible_to(inspector).filter(enterprise__isnull=True).count() == 5
    for outsider in (ent_a_user, bank_user):
        assert not Alert.objects.visible_to(outsider).exists()
        assert region_open_alerts(outsider, "building") == {}
    assert [a.rule.code for a in region_open_alerts(inspector, "building")["N1"]] == ["region_building"]


def test_a_region_alert_opened_meanwhile_is_grouped_into_not_duplicated(db: Any) -> None:
    region_park()
    rules_ensure_defaults()
    rule = AlertRule.objects.get(code="region_building")
    snapshot = Alert.objects.still_open

    def stale(*args: Any, **kwargs: Any) -> Any:
        # Open the colliding region alert just after the run took its snapshot of open alerts.
        rows = snapshot(*args, **kwargs)
        if Alert.objects.filter(region_key="N1").exists():
            return rows  # the fallback's own look-up sees the database as it is
        Alert.objects.create(
            rule=rule,
            region_level="building",
            region_key="N1",
            region_label="北1栋",
            severity="warning",
            summary="手工",
        )
        return rows.none()

    with mock.patch.object(Alert.objects, "still_open", stale):
        run = alerts_run(rules=[rule])
    assert run.opened == 0 and run.grouped == 1
    manual = Alert.objects.get(region_key="N1")
    assert manual.hit_count == 2 and manual.facts["crossed"] == ["cd_share"]
