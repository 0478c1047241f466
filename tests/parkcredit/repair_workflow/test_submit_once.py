"""An application page submits once and a decision page decides its step once.

The enterprise's application page carries a one-time token: a double click, a re-sent form and
two simultaneous requests make one application with one commitment and land on it, while another
page for the same record still meets the business rule (one open application per record). A
staff decision page names the step it decides: sent twice, it decides that step once and never
the next one (a park administrator acts for every department, so the two requests are the same).
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from parkcredit.accounts.models import User
from parkcredit.audit.models import AuditEntry
from parkcredit.commitments.models import Commitment, CommitmentEvent
from parkcredit.notifications.models import Notification
from parkcredit.records.models import RecordEvent
from parkcredit.repair.workflow import services
from parkcredit.repair.workflow.models import ApplicationState, RepairApplication, RepairMaterial, RepairStep
from parkcredit.repair.workflow.services import (
    ApplicationAlreadySubmitted,
    StepAlreadyDecided,
    application_advance,
    application_submit,
    commitment_draft,
    submit_token_issue,
)
from tests import factories as f
from tests.parkcredit.concurrency import (
    first_call_runs,
    on_postgres,
    two_connections,
    wait_until_another_connection_waits_for_a_lock,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n"
STATEMENT = "罚款已缴清,已整改到位。"


@pytest.fixture
def travel() -> Any:
    with time_machine.travel("2026-12-01 10:00 +0800", tick=False) as traveller:  # a Tuesday
        yield traveller


@pytest.fixture
def record(travel: Any, ent_a: Any) -> Any:
    # General penalty under the 2026-04-01 rules: repairable from 2026-11-01.
    return f.make_record(ent_a, decided_on=date(2026, 8, 1), source_ref="豫罚〔2026〕801号")


def _submit(user: User, record: Any, token: str = "") -> RepairApplication:
    return application_submit(
        actor=user,
        record=record,
        statement=STATEMENT,
        commitment_digest=commitment_draft(actor=user, record=record).rendered.digest,
        files=[("凭证.pdf", PDF)],
        submit_token=token,
    )


def _submitted_once(application: RepairApplication) -> None:
    """One application with one step, one file, one commitment, one signing, one audit entry and
    one notice to the window for each: nothing of the repeat was written."""
    assert list(RepairApplication.objects.values_list("pk", flat=True)) == [application.pk]
    assert RepairStep.objects.filter(application=application).count() == 1
    assert RepairMaterial.objects.filter(application=application).count() == 1
    assert list(Commitment.objects.values_list("pk", flat=True)) == [application.commitment_id]
    assert CommitmentEvent.objects.count() == 1
    assert AuditEntry.objects.filter(action="repair.applied").count() == 1
    assert AuditEntry.objects.filter(action="commitment.signed").count() == 1
    notices = Notification.objects.filter(kind="repair.submitted")
    assert notices.count() == notices.values("recipient").distinct().count() >= 1


# --- the application page: services ---------------------------------------------------------------


def test_the_same_token_submits_once(record: Any, ent_a_user: User, park_admin: User) -> None:
    token = submit_token_issue()
    application = _submit(ent_a_user, record, token)
    assert application.submit_token == token
    assert application.commitment is not None and application.commitment.sign_token == token
    with pytest.raises(ApplicationAlreadySubmitted) as caught:
        _submit(ent_a_user, record, token)
    assert caught.value.existing == application
    assert caught.value.messages == [
        f"这份修复申请已经提交(修复申请 #{application.pk}),重复提交没有再提交一份。"
    ]
    _submitted_once(application)


def test_a_resent_page_finds_its_application_after_it_was_closed(
    record: Any, ent_a_user: User, park_admin: User
) -> None:
    """Refused and closed, the application no longer blocks a new one: only the token keeps the
    old page from submitting a second application."""
    token = submit_token_issue()
    application = _submit(ent_a_user, record, token)
    application_advance(actor=park_admin, application=application, approve=False, note="缺少缴款凭证原件")
    with pytest.raises(ApplicationAlreadySubmitted) as caught:
        _submit(ent_a_user, record, token)
    assert caught.value.existing == application
    assert RepairApplication.objects.count() == 1
    again = _submit(ent_a_user, record, submit_token_issue())  # a new page may apply again
    assert again.pk != application.pk and again.state == ApplicationState.SUBMITTED


def test_another_page_meets_the_one_open_application_rule(
    record: Any, ent_a_user: User, park_admin: User
) -> None:
    """A different page (another token) or a caller without a page is the business rule, with its
    own message naming the application in progress; a token another user holds is not a repeat."""
    application = _submit(ent_a_user, record, submit_token_issue())
    rule = f"记录「{record.source_ref}」已有正在办理的修复申请(修复申请 #{application.pk}),办结后才能再次申请"
    colleague = f.enterprise_user(record.enterprise, username="ent_a_colleague")
    for user, token in (
        (ent_a_user, submit_token_issue()),
        (ent_a_user, ""),
        (colleague, application.submit_token),
    ):
        with pytest.raises(ValidationError) as caught:
            _submit(user, record, token)
        assert not isinstance(caught.value, ApplicationAlreadySubmitted)
        assert caught.value.message_dict == {"record": [rule]}
    _submitted_once(application)


def test_a_forged_token_submits_nothing(record: Any, ent_a_user: User) -> None:
    for token in ("x" * 32, "0" * 65, "ABCDEF0123456789ABCDEF0123456789"):
        with pytest.raises(ValidationError) as caught:
            _submit(ent_a_user, record, token)
        assert caught.value.message_dict == {
            "submit_token": ["申请页面已失效,本次没有提交。请重新选择证明材料后再提交"]
        }
    assert not RepairApplication.objects.exists() and not Commitment.objects.exists()


def test_a_request_that_loses_the_race_at_the_insert_lands_on_the_winner(
    record: Any, ent_a_user: User, park_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other request submits between this one's looks (token, open application) and its
    insert: the database refuses the second row and the loser answers with the winner's."""
    token = submit_token_issue()
    winner = first_call_runs(
        monkeypatch, services, "record_window", lambda: _submit(ent_a_user, record, token)
    )
    with pytest.raises(ApplicationAlreadySubmitted) as caught:
        _submit(ent_a_user, record, token)
    assert caught.value.existing == winner[0]
    _submitted_once(winner[0])


def test_a_request_that_loses_the_race_before_the_rule_check_lands_on_the_winner(
    record: Any, ent_a_user: User, park_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other request commits between this one's look for the token and its look for an open
    application: that open application is its own page's, so it is a repeat, not the rule."""
    token = submit_token_issue()
    winner = first_call_runs(
        monkeypatch, services, "checked_uploads", lambda: _submit(ent_a_user, record, token)
    )
    with pytest.raises(ApplicationAlreadySubmitted) as caught:
        _submit(ent_a_user, record, token)
    assert caught.value.existing == winner[0]
    _submitted_once(winner[0])


def test_a_different_page_that_loses_the_race_meets_the_rule(
    record: Any, ent_a_user: User, park_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two different pages at once: the database lets one in, the other gets the business rule."""
    winner = first_call_runs(
        monkeypatch, services, "record_window", lambda: _submit(ent_a_user, record, submit_token_issue())
    )
    with pytest.raises(ValidationError) as caught:
        _submit(ent_a_user, record, submit_token_issue())
    assert not isinstance(caught.value, ApplicationAlreadySubmitted)
    assert caught.value.message_dict == {
        "record": [
            f"记录「{record.source_ref}」已有正在办理的修复申请(修复申请 #{winner[0].pk}),办结后才能再次申请"
        ]
    }
    _submitted_once(winner[0])


@on_postgres
@two_connections
def test_two_simultaneous_submissions_make_one_application_on_postgres(
    record: Any, ent_a_user: User, park_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads, two database connections: both have looked for the token and for an open
    application and found nothing before either inserts, so only the database can decide."""
    token = submit_token_issue()
    digest = commitment_draft(actor=ent_a_user, record=record).rendered.digest
    both_looked = threading.Barrier(2, timeout=60)
    real_window = services.record_window

    def window_together(record_: Any, **kwargs: Any) -> Any:
        both_looked.wait()
        return real_window(record_, **kwargs)

    monkeypatch.setattr(services, "record_window", window_together)
    outcomes: list[Any] = []

    def submit() -> None:
        try:
            outcomes.append(
                application_submit(
                    actor=ent_a_user,
                    record=record,
                    statement=STATEMENT,
                    commitment_digest=digest,
                    files=[("凭证.pdf", PDF)],
                    submit_token=token,
                )
            )
        except BaseException as exc:  # every outcome, an unexpected error too, is asserted on below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    submitted = [o for o in outcomes if isinstance(o, RepairApplication)]
    replays = [o for o in outcomes if isinstance(o, ApplicationAlreadySubmitted)]
    assert len(submitted) == 1 and len(replays) == 1, outcomes
    assert replays[0].existing == submitted[0]
    _submitted_once(RepairApplication.objects.get())


# --- the application page: the page itself --------------------------------------------------------


def _form(page: Any, **extra: Any) -> dict[str, Any]:
    return {
        "statement": STATEMENT,
        "materials": [SimpleUploadedFile("凭证.pdf", PDF, content_type="application/pdf")],
        "commitment_digest": page["form"].initial["commitment_digest"],
        "commitment": "on",
        "token": page["token"],
        **extra,
    }


def test_a_double_click_lands_on_the_application_it_made(record: Any, login: Any, park_admin: User) -> None:
    client = login("ent_a_user")
    url = reverse("repair_workflow:apply", kwargs={"pk": record.pk})
    page = client.get(url).context
    first = client.post(url, _form(page))
    application = RepairApplication.objects.get()
    detail = reverse("repair_workflow:detail", kwargs={"pk": application.pk})
    assert (first.status_code, first["Location"]) == (302, detail)
    again = client.post(url, _form(page), follow=True)
    assert again.redirect_chain == [(detail, 302)]
    assert (
        f"这份修复申请已经提交(修复申请 #{application.pk}),重复提交没有再提交一份。" in again.content.decode()
    )
    assert "已有正在办理的修复申请" not in again.content.decode()
    _submitted_once(application)


def test_a_page_sent_again_after_going_back_lands_even_if_the_form_is_incomplete(
    record: Any, login: Any, park_admin: User
) -> None:
    """Back and submit again: the browser may have dropped the chosen files and the tick, which
    would otherwise ask for them on a page whose application has already been made."""
    client = login("ent_a_user")
    url = reverse("repair_workflow:apply", kwargs={"pk": record.pk})
    page = client.get(url).context
    client.post(url, _form(page))
    application = RepairApplication.objects.get()
    again = client.post(url, {"statement": STATEMENT, "token": page["token"]}, follow=True)
    assert again.redirect_chain == [(reverse("repair_workflow:detail", kwargs={"pk": application.pk}), 302)]
    assert f"这份修复申请已经提交(修复申请 #{application.pk})" in again.content.decode()
    _submitted_once(application)


def test_the_page_carries_a_fresh_token_each_time(record: Any, login: Any) -> None:
    client = login("ent_a_user")
    url = reverse("repair_workflow:apply", kwargs={"pk": record.pk})
    first, second = client.get(url), client.get(url)
    assert first.context["token"] != second.context["token"]
    assert f'<input type="hidden" name="token" value="{first.context["token"]}">' in first.content.decode()


def test_a_page_without_or_with_a_forged_token_has_expired(record: Any, login: Any) -> None:
    client = login("ent_a_user")
    url = reverse("repair_workflow:apply", kwargs={"pk": record.pk})
    page = client.get(url).context
    for token in ("", "x" * 32):
        response = client.post(url, _form(page, token=token))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'data-testid="apply-page-error"' in body
        assert "申请页面已失效,本次没有提交。请重新选择证明材料后再提交" in body
        # The page shown again carries a fresh token, so the enterprise can submit from it.
        fresh = response.context["token"]
        assert fresh not in ("", "x" * 32, page["token"]) and len(fresh) == 32
    assert not RepairApplication.objects.exists() and not Commitment.objects.exists()


def test_a_page_refused_for_another_reason_keeps_its_unused_token(record: Any, login: Any) -> None:
    client = login("ent_a_user")
    url = reverse("repair_workflow:apply", kwargs={"pk": record.pk})
    page = client.get(url).context
    refused = client.post(url, _form(page, statement="已改"))
    assert refused.status_code == 200 and refused.context["token"] == page["token"]
    assert client.post(url, _form(page)).status_code == 302
    assert RepairApplication.objects.get().submit_token == page["token"]


def test_a_second_page_for_the_same_record_meets_the_rule(record: Any, login: Any, park_admin: User) -> None:
    """Two pages opened before either was sent: the second is a new request, not a repeat, and is
    refused by the one-open-application rule, with a link to the application in progress."""
    client = login("ent_a_user")
    url = reverse("repair_workflow:apply", kwargs={"pk": record.pk})
    first, second = client.get(url).context, client.get(url).context
    client.post(url, _form(first))
    application = RepairApplication.objects.get()
    response = client.post(url, _form(second))
    assert response.status_code == 200
    body = response.content.decode()
    assert "该记录已有正在办理的修复申请" in body and "已经提交" not in body
    assert reverse("repair_workflow:detail", kwargs={"pk": application.pk}) in body
    assert f"查看修复申请 #{application.pk} 的办理进度" in body
    _submitted_once(application)


# --- staff step decisions -------------------------------------------------------------------------


def _decision(client: Any, application: RepairApplication, data: dict[str, Any]) -> dict[str, Any]:
    """What the detail page's decision form sends: `data` and the step the page shows."""
    detail = client.get(reverse("repair_workflow:detail", kwargs={"pk": application.pk}))
    step = detail.context["action_form"].initial["step"]
    assert f'name="step" value="{step}"' in detail.content.decode()
    return {"step": step, **data}


def test_each_step_sent_twice_is_decided_once(record: Any, ent_a_user: User, login: Any) -> None:
    """A park administrator acts for every department, so before the step was named in the page
    the same "pass" sent twice passed the next step as well; now the repeat lands on the page."""
    application = _submit(ent_a_user, record, submit_token_issue())
    client = login("park_admin")
    action = reverse("repair_workflow:action", kwargs={"pk": application.pk})
    detail = reverse("repair_workflow:detail", kwargs={"pk": application.pk})
    expected = [
        ("acceptance", "受理窗口受理", ApplicationState.REVIEWING, "repair.review"),
        ("review", "认定部门审核", ApplicationState.DECIDING, "repair.decision"),
        ("decision", "信用办决定", ApplicationState.APPROVED, "repair.approved"),
    ]
    for step, label, state, notice in expected:
        data = _decision(client, application, {"decision": "approve", "note": "同意"})
        first = client.post(action, data, follow=True)
        assert first.redirect_chain == [(detail, 302)] and "已办理" in first.content.decode()
        told = Notification.objects.filter(kind=notice).count()
        again = client.post(action, data, follow=True)
        assert again.status_code == 200 and again.redirect_chain == [(detail, 302)]
        assert f"「{label}」环节已经办理(通过),重复提交没有再次办理。" in again.content.decode()
        application.refresh_from_db()
        assert application.state == state
        assert AuditEntry.objects.filter(action=f"repair.{step}.passed").count() == 1
        assert Notification.objects.filter(kind=notice).count() == told
    assert [s.step for s in application.steps.order_by("id")] == ["acceptance", "review", "decision"]
    assert RecordEvent.objects.filter(record=record, event_type="repaired").count() == 1


def test_a_refusal_sent_twice_is_decided_once(record: Any, ent_a_user: User, login: Any) -> None:
    application = _submit(ent_a_user, record, submit_token_issue())
    client = login("park_admin")
    action = reverse("repair_workflow:action", kwargs={"pk": application.pk})
    data = _decision(client, application, {"decision": "reject", "note": "缺少缴款凭证原件"})
    client.post(action, data)
    again = client.post(action, data, follow=True)
    assert "「受理窗口受理」环节已经办理(不通过),重复提交没有再次办理。" in again.content.decode()
    assert "已办结" not in again.content.decode()
    assert AuditEntry.objects.filter(action="repair.acceptance.rejected").count() == 1
    assert Notification.objects.filter(recipient=ent_a_user, kind="repair.rejected").count() == 1


def test_a_decision_page_without_its_step_decides_nothing(record: Any, ent_a_user: User, login: Any) -> None:
    application = _submit(ent_a_user, record, submit_token_issue())
    other = _submit(ent_a_user, f.make_record(record.enterprise, decided_on=date(2026, 8, 1)))
    client = login("park_admin")
    action = reverse("repair_workflow:action", kwargs={"pk": application.pk})
    foreign_step = other.steps.get().pk  # a step, but of another application
    for data in ({"decision": "approve"}, {"decision": "approve", "step": foreign_step}):
        response = client.post(action, data, follow=True)
        assert "办理页面已失效,请刷新页面后重新办理" in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert not AuditEntry.objects.filter(action__startswith="repair.acceptance").exists()


def test_another_department_sending_a_decided_step_is_told_and_nothing_is_written(
    record: Any, ent_a_user: User, park_admin: User, dept_staff: User
) -> None:
    application = _submit(ent_a_user, record, submit_token_issue())
    step = application.steps.get()
    application_advance(actor=park_admin, application=application, approve=True, step_id=step.pk)
    with pytest.raises(StepAlreadyDecided) as caught:
        application_advance(actor=dept_staff, application=application, approve=True, step_id=step.pk)
    assert caught.value.step == step
    assert AuditEntry.objects.filter(action="repair.acceptance.passed").count() == 1


def test_a_decision_that_loses_the_race_lands_on_the_page(
    record: Any, ent_a_user: User, login: Any, park_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other request decides the step after this one loaded the application: the service
    judges by what is in the database under its lock, not by what the page loaded."""
    application = _submit(ent_a_user, record, submit_token_issue())
    client = login("park_admin")
    action = reverse("repair_workflow:action", kwargs={"pk": application.pk})
    data = _decision(client, application, {"decision": "approve"})
    real_current_step = services.current_step
    raced: list[bool] = []

    def current_step_while_the_other_request_decides(app: RepairApplication) -> Any:
        step = real_current_step(app)
        if not raced:
            raced.append(True)
            application_advance(actor=park_admin, application=app, approve=True, step_id=data["step"])
        return step

    monkeypatch.setattr(services, "current_step", current_step_while_the_other_request_decides)
    response = client.post(action, data, follow=True)
    assert raced and "「受理窗口受理」环节已经办理(通过),重复提交没有再次办理。" in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.REVIEWING
    assert (
        AuditEntry.objects.filter(action__startswith="repair.").exclude(action="repair.applied").count() == 1
    )
    assert application.steps.filter(finished_at__isnull=True).get().step == "review"


@on_postgres
@two_connections
def test_two_simultaneous_decisions_decide_the_step_once_on_postgres(
    record: Any, ent_a_user: User, park_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads decide the same step. The first holds the application's row lock while the
    second is made to wait for it; the second then reads the first one's outcome."""
    application = _submit(ent_a_user, record, submit_token_issue())
    step = application.steps.get()
    first_holds_the_lock = threading.Event()
    real_current_step = services.current_step

    def current_step_holding_the_lock(app: RepairApplication) -> Any:
        if not first_holds_the_lock.is_set():
            first_holds_the_lock.set()
            wait_until_another_connection_waits_for_a_lock("the application's row lock")
        return real_current_step(app)

    monkeypatch.setattr(services, "current_step", current_step_holding_the_lock)
    outcomes: list[Any] = []

    def decide(after: threading.Event | None) -> None:
        try:
            if after is not None:
                assert after.wait(60)
            outcomes.append(
                application_advance(actor=park_admin, application=application, approve=True, step_id=step.pk)
            )
        except BaseException as exc:  # every outcome, an unexpected error too, is asserted on below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(None,)),
        threading.Thread(target=decide, args=(first_holds_the_lock,)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    decided = [o for o in outcomes if isinstance(o, RepairApplication)]
    repeats = [o for o in outcomes if isinstance(o, StepAlreadyDecided)]
    assert len(decided) == 1 and len(repeats) == 1, outcomes
    assert repeats[0].step == step and decided[0].state == ApplicationState.REVIEWING
    assert AuditEntry.objects.filter(action="repair.acceptance.passed").count() == 1
    assert [s.step for s in RepairStep.objects.filter(application=application)] == ["acceptance", "review"]
