"""Rule set versions (submit, four-eyes review, in force), calendar days and the publicity sweep."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, time, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from creditcore.repair import add_months, explain
from creditcore.repair_rules import BUILTIN_RULE_SETS
from parkcredit.accounts.models import User
from parkcredit.audit.models import AuditEntry
from parkcredit.enterprises.models import Enterprise
from parkcredit.records.models import RecordEvent
from parkcredit.repair import services
from parkcredit.repair.models import CalendarDay, RuleSetState
from parkcredit.repair.rules import park_rulebook
from parkcredit.repair.selectors import record_window, today_local
from parkcredit.repair.workcalendar import park_calendar
from tests.parkcredit.repair.support import add_event, backdated_record


def _new_regime(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BUILTIN_RULE_SETS[1])
    data.update(changes)
    return data


def _shorter_general(data: dict[str, Any]) -> dict[str, Any]:
    for rule in data["rules"]:
        if rule["kind"] == "penalty" and rule["severity"] == "general":
            rule["max_months"] = 6
            rule["rule"] = "园区修订:一般行政处罚信息最长公示6个月"
    return data


# --- rule sets --------------------------------------------------------------------------------


def test_a_version_needs_a_second_person_and_then_is_in_force(park_admin: User, dept_staff: User) -> None:
    draft = services.rule_set_submit(
        actor=dept_staff, rules=_shorter_general(_new_regime()), note="缩短一般处罚"
    )
    assert (draft.version, draft.state, draft.effective_from) == (1, RuleSetState.DRAFT, date(2026, 4, 1))
    # A draft changes nothing yet.
    assert (
        explain(
            "penalty", "general", date(2026, 5, 31), on=date(2026, 7, 1), rules=park_rulebook()
        ).max_months
        == 12
    )
    with pytest.raises(PermissionDenied, match="提交人以外"):
        services.rule_set_approve(actor=dept_staff, rule_set=draft)
    services.rule_set_approve(actor=park_admin, rule_set=draft)
    result = explain("penalty", "general", date(2026, 5, 31), on=date(2026, 7, 1), rules=park_rulebook())
    assert (result.max_months, result.publicity_end) == (6, date(2026, 11, 30))
    assert "园区修订" in result.rule
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["repair.ruleset_submitted", "repair.ruleset_approved"]
    # Approved versions are never decided again; a change is a new version.
    with pytest.raises(ValidationError, match="只能审核待审核的版本"):
        services.rule_set_approve(actor=park_admin, rule_set=draft)
    second = services.rule_set_submit(actor=park_admin, rules=_new_regime(), note="恢复", base=draft)
    assert (second.version, second.supersedes_id) == (2, draft.pk)


def test_a_draft_from_a_stale_base_cannot_overwrite_the_version_in_force(
    park_admin: User, dept_staff: User
) -> None:
    # Two drafts edited from the built-in set; the first is approved. Approving the second as it
    # is would drop the first one's change (the newest approved version is the one in force).
    first = services.rule_set_submit(actor=dept_staff, rules=_shorter_general(_new_regime()), note="缩短")
    rival = services.rule_set_submit(actor=dept_staff, rules=_new_regime(), note="另一处修改")
    services.rule_set_approve(actor=park_admin, rule_set=first)
    with pytest.raises(ValidationError, match="基于内置规则集修订,但同一生效日期现行的已是园区版本 v1"):
        services.rule_set_approve(actor=park_admin, rule_set=rival)
    rival.refresh_from_db()
    assert rival.state == RuleSetState.DRAFT
    assert (
        park_rulebook()
        .terms(park_rulebook().in_force(date(2026, 7, 1)), "penalty", "general", None)
        .max_months
        == 6
    )
    # Based on the version in force, a revision goes through.
    revision = services.rule_set_submit(actor=dept_staff, rules=_new_regime(), note="恢复", base=first)
    assert services.rule_set_approve(actor=park_admin, rule_set=revision).state == RuleSetState.APPROVED


def test_rejection_needs_a_reason_and_leaves_the_rules_alone(park_admin: User, dept_staff: User) -> None:
    draft = services.rule_set_submit(actor=dept_staff, rules=_shorter_general(_new_regime()), note="试行")
    with pytest.raises(ValidationError, match="驳回理由"):
        services.rule_set_reject(actor=park_admin, rule_set=draft, reason=" ")
    services.rule_set_reject(actor=park_admin, rule_set=draft, reason="依据不足")
    draft.refresh_from_db()
    assert draft.state == RuleSetState.REJECTED
    assert park_rulebook().in_force(date(2026, 7, 1)).code == "order36"


@pytest.mark.parametrize(
    ("rules", "field", "message"),
    [
        (_new_regime(effective_from="2026-02-30"), "rules", "日期「2026-02-30」无效"),
        (_new_regime(rules=[]), "rules", "不符合格式"),
        (_new_regime(code=""), "rules", "code"),
    ],
)
def test_invalid_rule_data_is_refused_with_nothing_written(
    dept_staff: User, rules: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.rule_set_submit(actor=dept_staff, rules=rules, note="坏数据")
    assert message in str(caught.value.message_dict[field])
    assert not AuditEntry.objects.filter(action="repair.ruleset_submitted").exists()


def test_rules_text_must_be_a_json_object() -> None:
    with pytest.raises(ValidationError, match="第 1 行第 2 列"):
        services.parse_rules_text("{x")
    with pytest.raises(ValidationError, match="JSON 对象"):
        services.parse_rules_text("[1]")


def test_only_archive_editors_maintain_rules(inspector: User, ent_a_user: User) -> None:
    for actor in (inspector, ent_a_user):
        with pytest.raises(PermissionDenied):
            services.rule_set_submit(actor=actor, rules=_new_regime(), note="x")
        with pytest.raises(PermissionDenied):
            services.calendar_day_add(actor=actor, day=date(2027, 2, 11), kind="holiday")


# --- calendar ---------------------------------------------------------------------------------


def test_calendar_days_are_added_checked_and_removed_with_audit(park_admin: User) -> None:
    row = services.calendar_day_add(actor=park_admin, day=date(2027, 2, 11), kind="holiday", name="春节")
    services.calendar_day_add(actor=park_admin, day=date(2027, 2, 20), kind="workday", basis="国办发明电")
    assert not park_calendar().is_workday(date(2027, 2, 11))
    assert park_calendar().is_workday(date(2027, 2, 20))
    with pytest.raises(ValidationError, match="已在园区工作日历中"):
        services.calendar_day_add(actor=park_admin, day=date(2027, 2, 11), kind="holiday")
    with pytest.raises(ValidationError, match="本来就是工作日"):
        services.calendar_day_add(actor=park_admin, day=date(2027, 3, 3), kind="workday")
    with pytest.raises(ValidationError, match="本来就是休息日"):
        services.calendar_day_add(actor=park_admin, day=date(2026, 10, 1), kind="holiday")
    with pytest.raises(ValidationError, match="类型「sometimes」无效"):
        services.calendar_day_add(actor=park_admin, day=date(2027, 3, 3), kind="sometimes")
    services.calendar_day_remove(actor=park_admin, calendar_day=row)
    assert not CalendarDay.objects.filter(day=date(2027, 2, 11)).exists()
    assert park_calendar().is_workday(date(2027, 2, 11))
    removed = AuditEntry.objects.get(action="repair.calendar_day_removed")
    assert removed.detail["name"] == "春节"


# --- the publicity sweep ------------------------------------------------------------------------


@pytest.fixture
def rescored(monkeypatch: pytest.MonkeyPatch) -> list[set[int]]:
    calls: list[set[int]] = []
    monkeypatch.setattr("parkcredit.scoring.services.scoring_on_commit", lambda ids: calls.append(set(ids)))
    return calls


def _months_ago(months: int) -> date:
    return add_months(today_local(), -months)


def test_sweep_ends_records_past_their_maximum_once(
    ent_a: Enterprise, ent_b: Enterprise, rescored: list[set[int]]
) -> None:
    over = backdated_record(ent_a, severity="general", decided_on=_months_ago(13))
    repaired = backdated_record(ent_b, severity="general", decided_on=_months_ago(14))
    add_event(repaired, "repaired", timezone.now() - timedelta(days=100))
    disputed = backdated_record(ent_a, severity="general", decided_on=_months_ago(15))
    add_event(disputed, "disputed", timezone.now() - timedelta(days=1))
    young = backdated_record(ent_a, severity="general", decided_on=_months_ago(6))
    listed = backdated_record(ent_a, "court-defaulter", severity="serious", decided_on=_months_ago(70))
    honour = backdated_record(ent_a, "honour", severity="", decided_on=_months_ago(70))

    result = services.publicity_sweep()
    assert sorted(result.ended) == sorted([over.pk, repaired.pk])
    assert result.skipped_disputed == [disputed.pk]
    assert result.enterprises == {ent_a.pk, ent_b.pk}
    assert set().union(*rescored) == {ent_a.pk, ent_b.pk}
    event = RecordEvent.objects.get(record=over, event_type="publicity_ended")
    window = record_window(over)
    assert window is not None and window.publicity_end is not None
    assert event.at == timezone.make_aware(datetime.combine(window.publicity_end, time.min))
    assert event.payload["publicity_end"] == window.publicity_end.isoformat()
    for untouched in (young, listed, honour, disputed):
        assert not RecordEvent.objects.filter(record=untouched, event_type="publicity_ended").exists()
    assert AuditEntry.objects.filter(action="record.publicity_ended").count() == 2
    summary = AuditEntry.objects.get(action="repair.publicity_sweep")
    assert summary.detail["ended"] == 2

    again = services.publicity_sweep()
    assert again.ended == []
    # The two ended records are not read again: only the open ones older than the shortest
    # maximum (the disputed, the six-month-old and the listed record).
    assert again.checked == 3
    assert RecordEvent.objects.filter(event_type="publicity_ended").count() == 2


def test_sweep_queues_each_enterprise_rescore_once_across_chunks(
    ent_a: Enterprise, ent_b: Enterprise, rescored: list[set[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: every chunk used to queue the rescore of all enterprises ended so far again.
    monkeypatch.setattr(services, "SWEEP_CHUNK", 1)
    backdated_record(ent_a, severity="general", decided_on=_months_ago(13))
    backdated_record(ent_b, severity="general", decided_on=_months_ago(14))
    backdated_record(ent_b, severity="general", decided_on=_months_ago(15))
    result = services.publicity_sweep()
    assert len(result.ended) == 3
    queued = [pk for ids in rescored for pk in ids]
    assert sorted(queued) == sorted([ent_a.pk, ent_b.pk, ent_b.pk])


def test_sweep_skips_a_record_changed_under_it_and_ends_the_others(
    ent_a: Enterprise, rescored: list[set[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from parkcredit.records import services as record_services

    raced = backdated_record(ent_a, severity="general", decided_on=_months_ago(14))
    other = backdated_record(ent_a, severity="general", decided_on=_months_ago(13))
    real_append = record_services.record_event_append

    def append(**kwargs: Any) -> Any:
        if kwargs["record"].pk == raced.pk:
            # What another sweep's append in the meantime makes record_event_append say.
            add_event(raced, "publicity_ended", timezone.now())
        return real_append(**kwargs)

    monkeypatch.setattr(record_services, "record_event_append", append)
    result = services.publicity_sweep()
    assert result.ended == [other.pk] and result.skipped_conflicts == [raced.pk]
    assert result.as_dict()["skipped_conflicts"] == 1
    assert RecordEvent.objects.filter(record=other, event_type="publicity_ended").count() == 1
    # The refused append (and, here, the simulated rival event inside it) rolled back to its savepoint.
    assert not RecordEvent.objects.filter(record=raced, event_type="publicity_ended").exists()


def test_calendar_day_added_twice_at_once_is_refused_in_chinese(
    park_admin: User, dept_staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = date(2031, 1, 6)  # a Monday
    services.calendar_day_add(actor=park_admin, day=day, kind="holiday", name="试")

    class Blind:
        def exists(self) -> bool:  # the check ran before the other person's row was there
            return False

    monkeypatch.setattr(CalendarDay.objects, "filter", lambda **kwargs: Blind())
    with pytest.raises(ValidationError, match="已在园区工作日历中"):
        services.calendar_day_add(actor=dept_staff, day=day, kind="holiday", name="试")
    monkeypatch.undo()
    assert CalendarDay.objects.filter(day=day).count() == 1


def test_sweep_refuses_a_future_day_and_non_editors(inspector: User) -> None:
    with pytest.raises(ValidationError, match="晚于今天"):
        services.publicity_sweep(on=date(2999, 1, 1))
    with pytest.raises(PermissionDenied):
        services.publicity_sweep(actor=inspector)


def test_sweep_as_a_job(park_admin: User, ent_a: Enterprise, rescored: list[set[int]]) -> None:
    over = backdated_record(ent_a, severity="general", decided_on=_months_ago(13))
    job = services.sweep_start(actor=park_admin)
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    assert job.result["ended"] == 1
    event = RecordEvent.objects.get(record=over, event_type="publicity_ended")
    assert event.actor == park_admin


# --- the command ---------------------------------------------------------------------------------


def _run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("repair", *args, stdout=out)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


@pytest.mark.django_db
def test_explain_prints_the_contract_json() -> None:
    data = _run(
        "explain",
        "--kind",
        "penalty",
        "--severity",
        "general",
        "--decided",
        "2025-06-01",
        "--on",
        "2026-05-01",
    )
    assert list(data)[:5] == ["published", "publicity_end", "earliest_repair", "repairable", "rule"]
    assert data["publicity_end"] == "2026-06-01"
    assert data["earliest_repair"] == "2025-09-01"
    assert data["repairable"] is True and "第36号" in data["rule"]
    base = ["explain", "--kind", "penalty", "--severity", "general", "--decided", "2025-06-01"]
    typed = _run(*base, "--on", "2025-07-01", "--penalty-type", "罚款;消防")
    assert typed["earliest_repair"] == "2026-06-01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--severity", "general", "--decided", "2025-06-01"], "缺少参数 --kind"),
        (["--kind", "penalty", "--decided", "2025-06-01"], "缺少参数 --severity"),
        (["--kind", "penalty", "--severity", "general"], "缺少参数 --decided"),
        (
            ["--kind", "penalty", "--severity", "general", "--decided", "2025-02-30"],
            "「2025-02-30」不是有效日期",
        ),
        (["--kind", "penalty", "--severity", "grave", "--decided", "2025-06-01"], "失信程度「grave」无效"),
        (
            ["--kind", "nothing", "--severity", "general", "--decided", "2025-06-01"],
            "「nothing」没有修复规则",
        ),
        (["--kind", "court-defaulter", "--severity", "minor", "--decided", "2025-06-01"], "没有「轻微」程度"),
        (
            ["--kind", "penalty", "--severity", "general", "--decided", "2025-06-01", "--on", "2025-01-01"],
            "早于决定日期",
        ),
    ],
)
def test_explain_bad_arguments_exit_2_in_chinese(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("repair", "explain", *args, stdout=StringIO())
    assert caught.value.returncode == 2
    assert message in str(caught.value)


def test_sweep_command_prints_json(ent_a: Enterprise, rescored: list[set[int]]) -> None:
    backdated_record(ent_a, severity="general", decided_on=_months_ago(13))
    data = _run("sweep")
    assert data["ended"] == 1 and data["on"] == today_local().isoformat()
    assert _run("sweep")["ended"] == 0
    with pytest.raises(CommandError) as caught:
        call_command("repair", "sweep", "--on", "2999-01-01", stdout=StringIO())
    assert caught.value.returncode == 2 and "晚于今天" in str(caught.value)


def test_the_park_rule_book_is_validated_once_and_follows_new_versions(
    park_admin: User, dept_staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parkcredit.repair import rules as park_rules

    first = services.rule_set_submit(actor=dept_staff, rules=_shorter_general(_new_regime()), note="缩短")
    services.rule_set_approve(actor=park_admin, rule_set=first)
    book = park_rulebook()
    built: list[int] = []
    real_build = park_rules._build

    def counting_build(rows: Any, kinds: Any) -> Any:
        built.append(1)
        return real_build(rows, kinds)

    monkeypatch.setattr(park_rules, "_build", counting_build)
    # Unchanged versions: the validated book is reused (validation costs tens of milliseconds).
    assert park_rulebook() is book and built == []
    revision = services.rule_set_submit(actor=dept_staff, rules=_new_regime(), note="恢复", base=first)
    services.rule_set_approve(actor=park_admin, rule_set=revision)
    fresh = park_rulebook()
    assert fresh is not book and built == [1]
    assert fresh.terms(fresh.in_force(date(2026, 7, 1)), "penalty", "general", None).max_months == 12
