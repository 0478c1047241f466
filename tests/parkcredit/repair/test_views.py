"""The repair rule pages and the repair notice on the record page."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.urls import reverse

from creditcore.repair import add_months
from creditcore.repair_rules import BUILTIN_RULE_SETS
from parkcredit.enterprises.models import Enterprise
from parkcredit.repair.models import CalendarDay, RepairRuleSet, RuleSetState
from parkcredit.repair.selectors import today_local
from tests import factories as f
from tests.parkcredit.repair.support import EARLY, add_event, backdated_record


def test_rules_page_lists_both_regimes_and_calculates(login: Any) -> None:
    client = login("inspector")
    page = client.get(reverse("repair:rules"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="ruleset-order36"' in html and 'data-testid="ruleset-order58"' in html
    assert 'data-action="rule-new"' not in html  # inspectors read only
    answer = client.get(
        reverse("repair:rules"),
        {"kind": "penalty", "severity": "serious", "decided": "2026-05-31", "on": "2026-07-01"},
    )
    result = answer.content.decode()
    assert 'data-testid="explain-result"' in result
    assert "2027-05-31" in result and "2029-05-31" in result
    wrong = client.get(
        reverse("repair:rules"), {"kind": "court-defaulter", "severity": "minor", "decided": "2026-05-31"}
    )
    assert "没有「轻微」程度" in wrong.content.decode()


def test_submit_review_and_apply_a_version_through_the_pages(login: Any, park_admin: Any) -> None:
    client = login("dept_staff")
    form = client.get(reverse("repair:rule_new") + "?effective=2026-04-01")
    assert form.status_code == 200
    data = json.loads(form.context["form"].initial["rules"])
    assert data["effective_from"] == "2026-04-01"
    bad = client.post(reverse("repair:rule_new"), {"rules": "{", "note": "坏"})
    assert bad.status_code == 200 and "规则不是有效的 JSON" in bad.content.decode()
    assert not RepairRuleSet.objects.exists()
    for rule in data["rules"]:
        if rule["kind"] == "penalty" and rule["severity"] == "minor":
            rule["published"] = True
    response = client.post(
        reverse("repair:rule_new"), {"rules": json.dumps(data, ensure_ascii=False), "note": "轻微处罚也公示"}
    )
    row = RepairRuleSet.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "repair:rule_detail", args=[row.pk]
    )
    detail = client.get(response["Location"]).content.decode()
    assert 'data-action="approve"' not in detail  # not by the author
    admin = login("park_admin")
    assert 'data-action="approve"' in admin.get(response["Location"]).content.decode()
    admin.post(reverse("repair:rule_decide", args=[row.pk]), {"action": "approve"})
    row.refresh_from_db()
    assert row.state == RuleSetState.APPROVED and row.decided_by == park_admin
    page = admin.get(reverse("repair:rules")).content.decode()
    assert f"园区版本 v{row.version}" in page
    # A revision of the stored version links back to it.
    revise = admin.get(reverse("repair:rule_new") + f"?base={row.pk}")
    assert revise.context["form"].initial["base"] == row.pk


def test_reject_from_the_page_needs_a_reason(login: Any, dept_staff: Any) -> None:
    from parkcredit.repair.services import rule_set_submit

    row = rule_set_submit(actor=dept_staff, rules=dict(BUILTIN_RULE_SETS[1]), note="试")
    client = login("park_admin")
    follow = client.post(reverse("repair:rule_decide", args=[row.pk]), {"action": "reject"}, follow=True)
    assert "请填写驳回理由" in follow.content.decode()
    client.post(reverse("repair:rule_decide", args=[row.pk]), {"action": "reject", "reason": "依据不足"})
    row.refresh_from_db()
    assert row.state == RuleSetState.REJECTED


def test_calendar_page_adds_and_removes_days(login: Any) -> None:
    client = login("park_admin")
    page = client.get(reverse("repair:calendar"), {"year": 2027})
    assert 'data-testid="unknown-year"' in page.content.decode()
    known = client.get(reverse("repair:calendar"), {"year": 2026}).content.decode()
    assert "国庆节" in known and "调休上班" in known
    refused = client.post(reverse("repair:calendar") + "?year=2027", {"day": "2027-03-03", "kind": "workday"})
    assert refused.status_code == 200 and "本来就是工作日" in refused.content.decode()
    added = client.post(reverse("repair:calendar"), {"day": "2027-02-11", "kind": "holiday", "name": "春节"})
    assert added.status_code == 302
    row = CalendarDay.objects.get()
    page = client.get(reverse("repair:calendar"), {"year": 2027}).content.decode()
    assert "unknown-year" not in page and "春节" in page
    client.post(reverse("repair:calendar_remove", args=[row.pk]))
    assert not CalendarDay.objects.exists()


def test_inspector_cannot_add_calendar_days(login: Any) -> None:
    client = login("inspector")
    response = client.post(reverse("repair:calendar"), {"day": "2027-02-11", "kind": "holiday"})
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()


def test_record_page_shows_the_repair_notice_for_negative_records(login: Any, ent_a: Enterprise) -> None:
    decided = add_months(today_local(), -1)
    record = backdated_record(ent_a, severity="general", decided_on=decided)
    client = login("ent_a_user")
    html = client.get(reverse("records:detail", args=[record.pk])).content.decode()
    assert 'data-testid="repair-notice"' in html
    assert add_months(decided, 3).isoformat() in html  # earliest repair (general: 3 months)
    assert add_months(decided, 12).isoformat() in html  # end of publicity (1 year)
    assert "信用承诺书" in html and "第36号" in html
    ready = backdated_record(ent_a, severity="general", decided_on=add_months(today_local(), -4))
    assert (
        'data-testid="repairable-now"'
        in client.get(reverse("records:detail", args=[ready.pk])).content.decode()
    )
    add_event(ready, "disputed", EARLY.replace(year=2026))
    frozen = client.get(reverse("records:detail", args=[ready.pk])).content.decode()
    assert "异议处理中" in frozen
    honour = f.make_record(ent_a, "honour", severity="", amount=None, decided_on=date(2026, 1, 1))
    assert "repair-notice" not in client.get(reverse("records:detail", args=[honour.pk])).content.decode()
