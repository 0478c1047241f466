"""Job pages per member of the cast, and the polling fragment that stops when the job ends."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse

from parkcredit.jobs.models import Job, JobState
from parkcredit.jobs.selectors import job_get_for_actor, job_list
from tests.conftest import CAST

pytestmark = pytest.mark.django_db
POLL = 'hx-trigger="every 1s"'


def make_job(owner: Any, **fields: Any) -> Job:
    defaults: dict[str, Any] = {"kind": "test.kind", "title": f"{owner.username} 的任务", "created_by": owner}
    defaults.update(fields)
    return Job.objects.create(**defaults)


def test_url_names() -> None:
    pk = uuid.uuid4()
    assert reverse("jobs:list") == "/jobs/"
    assert reverse("jobs:detail", args=[pk]) == f"/jobs/{pk}/"


def test_park_admin_sees_every_job_others_only_their_own(
    park_admin: Any, dept_staff: Any, auditor: Any
) -> None:
    mine = make_job(dept_staff)
    theirs = make_job(auditor)
    system = Job.objects.create(kind="test.kind", title="系统任务")
    assert set(job_list(actor=park_admin)) == {mine, theirs, system}
    assert list(job_list(actor=dept_staff)) == [mine]
    assert list(job_list(actor=auditor)) == [theirs]


def test_anonymous_sees_no_jobs(dept_staff: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    make_job(dept_staff)
    assert not job_list(actor=AnonymousUser()).exists()


def test_get_for_actor_is_404_for_missing_forbidden_and_malformed(dept_staff: Any, auditor: Any) -> None:
    from django.http import Http404

    theirs = make_job(auditor)
    assert job_get_for_actor(auditor, theirs.pk) == theirs
    for pk in (theirs.pk, uuid.uuid4(), "not-a-uuid"):
        with pytest.raises(Http404):
            job_get_for_actor(dept_staff, pk)


@pytest.mark.parametrize("who", [*CAST, "anon"])
def test_list_page_per_cast_member(
    request: pytest.FixtureRequest, login: Any, who: str, auditor: Any
) -> None:
    make_job(auditor, title="审计员的任务")
    client = login(who)
    own = make_job(request.getfixturevalue(who), title="我自己的任务") if who != "anon" else None
    response = client.get("/jobs/")
    if who == "anon":
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
        return
    body = response.content.decode()
    assert response.status_code == 200
    assert own is not None and "我自己的任务" in body
    assert ("审计员的任务" in body) == (who in {"park_admin", "auditor"})


@pytest.mark.parametrize("who", [*CAST, "anon"])
def test_detail_page_per_cast_member(login: Any, who: str, auditor: Any) -> None:
    job = make_job(auditor, title="审计员的任务")
    response = login(who).get(reverse("jobs:detail", args=[job.pk]))
    if who == "anon":
        assert response.status_code == 302
    elif who in {"park_admin", "auditor"}:
        assert response.status_code == 200
        assert "审计员的任务" in response.content.decode()
    else:
        assert response.status_code == 404


def test_missing_job_is_404(login: Any) -> None:
    assert login("park_admin").get(reverse("jobs:detail", args=[uuid.uuid4()])).status_code == 404


@pytest.mark.parametrize("state", [JobState.QUEUED, JobState.RUNNING])
def test_fragment_polls_while_the_job_runs(login: Any, dept_staff: Any, state: JobState) -> None:
    job = make_job(dept_staff, state=state, progress_done=3, progress_total=4, message="正在计算")
    url = reverse("jobs:detail", args=[job.pk])
    response = login("dept_staff").get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert POLL in body
    assert f'hx-get="{url}"' in body and 'hx-swap="outerHTML"' in body
    assert "75%" in body
    assert "正在计算" in body
    assert "3/4" in body


def test_fragment_stops_polling_and_shows_the_result_when_done(login: Any, dept_staff: Any) -> None:
    job = make_job(
        dept_staff, state=JobState.SUCCEEDED, result={"steps": 7}, progress_done=2, progress_total=7
    )
    body = (
        login("dept_staff")
        .get(reverse("jobs:detail", args=[job.pk]), headers={"HX-Request": "true"})
        .content.decode()
    )
    assert POLL not in body
    assert "100%" in body
    assert "steps" in body and "7" in body


def test_fragment_stops_polling_and_shows_the_error_when_failed(login: Any, dept_staff: Any) -> None:
    job = make_job(dept_staff, state=JobState.FAILED, error="数据源不可用")
    body = (
        login("dept_staff")
        .get(reverse("jobs:detail", args=[job.pk]), headers={"HX-Request": "true"})
        .content.decode()
    )
    assert POLL not in body
    assert "任务失败" in body and "数据源不可用" in body


def test_full_page_polls_too_while_running(login: Any, dept_staff: Any) -> None:
    job = make_job(dept_staff, state=JobState.RUNNING)
    body = login("dept_staff").get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "<html" in body and POLL in body


def test_success_without_result_says_so(login: Any, dept_staff: Any) -> None:
    job = make_job(dept_staff, state=JobState.SUCCEEDED)
    body = login("dept_staff").get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "没有需要展示的结果" in body


@pytest.mark.parametrize("who", [*CAST, "anon"])
def test_selfcheck_button_per_cast_member(login: Any, who: str) -> None:
    client = login(who)
    allowed = who in {"park_admin", "system_admin"}
    if who != "anon":
        assert ("运行后台任务自检" in client.get("/jobs/").content.decode()) == allowed
    response = client.post(reverse("jobs:selfcheck"))
    if who == "anon":
        assert response.status_code == 302
        assert not Job.objects.exists()
    elif allowed:
        job = Job.objects.get()
        assert response["Location"] == reverse("jobs:detail", args=[job.pk])
        assert job.state == JobState.SUCCEEDED
    else:
        assert response.status_code == 403
        assert not Job.objects.exists()


def test_list_paginates(login: Any, dept_staff: Any) -> None:
    for i in range(51):
        make_job(dept_staff, title=f"任务{i}")
    client = login("dept_staff")
    assert len(client.get("/jobs/").context["page"].object_list) == 50
    assert len(client.get("/jobs/", {"page": "2"}).context["page"].object_list) == 1
