"""Audit pages per member of the cast, filters, the htmx fragment and the verify button."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from parkcredit.audit.models import AuditEntry
from parkcredit.audit.services import audit_log
from parkcredit.jobs.models import Job, JobState
from tests.conftest import CAST
from tests.parkcredit.audit import tamper

pytestmark = pytest.mark.django_db
READERS = {"auditor", "security_admin"}
LIST_URL = "/audit/"
VERIFY_URL = "/audit/verify/"


def test_url_names() -> None:
    assert reverse("audit:list") == LIST_URL
    assert reverse("audit:verify") == VERIFY_URL


@pytest.mark.parametrize("who", [*CAST, "anon"])
def test_list_page_per_cast_member(login: Any, who: str) -> None:
    audit_log(actor=None, action="test.visible", detail={"marker": "可见标记"})
    response = login(who).get(LIST_URL)
    if who == "anon":
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    elif who in READERS:
        assert response.status_code == 200
        assert "可见标记" in response.content.decode()
        assert "校验审计链" in response.content.decode()
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("who", [*CAST, "anon"])
def test_verify_button_per_cast_member(login: Any, who: str) -> None:
    response = login(who).post(VERIFY_URL)
    if who == "anon":
        assert response.status_code == 302
        assert not Job.objects.exists()
    elif who in READERS:
        job = Job.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    else:
        assert response.status_code == 403
        assert not Job.objects.exists()


def test_the_pages_never_change_audit_rows(login: Any) -> None:
    client = login("auditor")
    assert client.post(LIST_URL).status_code == 405
    assert client.get(VERIFY_URL).status_code == 405


def test_filters_narrow_the_table(login: Any, park_admin: Any) -> None:
    audit_log(actor=park_admin, action="record.create", detail={"marker": "甲记录"})
    audit_log(actor=None, action="auth.login", outcome="failure", detail={"marker": "乙登录"})
    client = login("auditor")
    body = client.get(LIST_URL, {"action": "record.", "actor": "park_admin"}).content.decode()
    assert "甲记录" in body and "乙登录" not in body
    body = client.get(LIST_URL, {"outcome": "failure"}).content.decode()
    assert "乙登录" in body and "甲记录" not in body


def test_htmx_request_gets_only_the_table(login: Any) -> None:
    audit_log(actor=None, action="test.htmx", detail={"marker": "片段标记"})
    response = login("security_admin").get(LIST_URL, {"action": "test."}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="audit-table"' in body
    assert "片段标记" in body
    assert "<html" not in body and "校验审计链" not in body


def test_full_page_has_the_htmx_form(login: Any) -> None:
    body = login("auditor").get(LIST_URL).content.decode()
    assert "<html" in body
    assert 'hx-target="#audit-table"' in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "2026-13-01"}, "起始日期:“2026-13-01” 不是有效日期"),
        ({"date_from": "2026-03-05", "date_to": "2026-03-01"}, "起始日期 2026-03-05 晚于截止日期 2026-03-01"),
        ({"outcome": "maybe"}, "结果:“maybe” 不是可选值"),
    ],
)
def test_bad_filters_are_named_and_show_no_rows(login: Any, params: dict[str, str], message: str) -> None:
    audit_log(actor=None, action="test.bad", detail={"marker": "不应出现"})
    response = login("auditor").get(LIST_URL, params)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "不应出现" not in body


def test_pagination_is_fifty_per_page(login: Any) -> None:
    for i in range(51):
        audit_log(actor=None, action="test.page", detail={"i": i})
    client = login("auditor")
    first = client.get(LIST_URL, {"action": "test.page"})
    assert len(first.context["page"].object_list) == 50
    second = client.get(LIST_URL, {"action": "test.page", "page": "2"}, headers={"HX-Request": "true"})
    page = second.context["page"]
    assert page.number == 2
    assert len(page.object_list) == 1
    assert page.object_list[0].detail == {"i": 0}


def test_verify_button_runs_the_job_and_the_job_page_shows_an_intact_chain(login: Any) -> None:
    for i in range(4):
        audit_log(actor=None, action="test.chain", detail={"i": i})
    client = login("auditor")
    response = client.post(VERIFY_URL, follow=True)
    job = Job.objects.get()
    assert job.kind == "audit.verify"
    assert job.state == JobState.SUCCEEDED
    assert job.result["ok"] is True
    assert job.result["checked"] >= 5
    body = response.content.decode()
    assert "审计链完整" in body
    assert f"已校验 {job.result['checked']} 条记录" in body
    assert 'hx-trigger="every 1s"' not in body
    outcome = AuditEntry.objects.get(action="audit.verified")
    assert outcome.outcome == "success" and outcome.object_id == str(job.pk)


def test_verify_button_on_a_tampered_chain_shows_the_break(login: Any) -> None:
    entries = [audit_log(actor=None, action="test.chain", detail={"i": i}) for i in range(4)]
    tamper.update_entry(entries[1].seq, "detail", json.dumps({"i": 100}))
    response = login("security_admin").post(VERIFY_URL, follow=True)
    job = Job.objects.get()
    assert job.state == JobState.SUCCEEDED
    assert job.result["ok"] is False
    assert job.result["first_break_seq"] == entries[1].seq
    body = response.content.decode()
    assert "审计链已损坏" in body
    assert f"从第 {entries[1].seq} 条记录起校验失败" in body
    assert "记录被篡改" in body
    assert AuditEntry.objects.get(action="audit.verified").outcome == "failure"
