"""An objection page submits once and a staff action page acts once.

The enterprise's objection page carries a one-time token: a double click, a re-sent form and two
simultaneous requests make one objection with one DISPUTED event and land on it, while another
page for the same record still meets the business rule (one open objection per record). A staff
action page carries the track it showed: sent twice, the action (route to the information
provider, reject, uphold, close as corrected) is done once, and the repeat lands on the objection
saying what was done, writing no second event, audit entry, notification or deadline change.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from creditcore.ledger import EventType, Status
from parkcredit.accounts.models import User
from parkcredit.audit.models import AuditEntry
from parkcredit.notifications.models import Notification
from parkcredit.objections import routing, services
from parkcredit.objections.models import Objection, ObjectionEvidence, ObjectionState
from parkcredit.objections.services import (
    ObjectionAlreadyHandled,
    ObjectionAlreadySubmitted,
    objection_close_corrected,
    objection_decide,
    objection_extend,
    objection_submit,
    submit_token_issue,
)
from parkcredit.records.models import RecordEvent
from parkcredit.records.selectors import record_state
from parkcredit.records.services import record_event_append
from tests import factories as f
from tests.parkcredit.concurrency import (
    first_call_runs,
    in_threads,
    on_postgres,
    two_connections,
    wait_until_another_connection_waits_for_a_lock,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n"
REASONS = "该处罚决定已于复议中被撤销,附复议决定书。"
ORDINARY_DUE = date(2026, 12, 4)  # three working days from Tuesday 1 December
VERIFY_DUE = date(2026, 12, 10)  # seven working days from the same day


@pytest.fixture
def travel() -> Any:
    with time_machine.travel("2026-12-01 10:00 +0800", tick=False) as traveller:  # a Tuesday
        yield traveller


@pytest.fixture
def record(travel: Any, ent_a: Any) -> Any:
    return f.make_record(ent_a, decided_on=date(2026, 8, 1), source_ref="豫罚〔2026〕901号")


def _submit(user: User, record: Any, token: str = "") -> Objection:
    return objection_submit(
        actor=user, record=record, reasons=REASONS, files=[("复议决定书.pdf", PDF)], submit_token=token
    )


def _submitted_once(objection: Objection) -> None:
    """One objection with one file, one DISPUTED event, one audit entry each and one notice to
    each member of the department: nothing of the repeat was written."""
    assert list(Objection.objects.values_list("pk", flat=True)) == [objection.pk]
    assert ObjectionEvidence.objects.filter(objection=objection).count() == 1
    assert RecordEvent.objects.filter(record=objection.record, event_type="disputed").count() == 1
    assert AuditEntry.objects.filter(action="objection.submitted").count() == 1
    assert AuditEntry.objects.filter(action="record.disputed").count() == 1
    notices = Notification.objects.filter(kind="objection.submitted")
    assert notices.count() == notices.values("recipient").distinct().count() >= 1


def _writes(objection: Objection) -> tuple[Any, ...]:
    """Everything a staff action writes: events, audit entries, notifications and the objection."""
    row = Objection.objects.get(pk=objection.pk)
    return (
        RecordEvent.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
        (row.state, row.track, row.due_on, row.decided_at, row.decided_by_id, row.outcome_note),
    )


# --- the objection page: services ------------------------------------------------------------------


def test_the_same_token_submits_once(record: Any, ent_a_user: User, park_admin: User) -> None:
    token = submit_token_issue()
    objection = _submit(ent_a_user, record, token)
    assert objection.submit_token == token
    with pytest.raises(ObjectionAlreadySubmitted) as caught:
        _submit(ent_a_user, record, token)
    assert caught.value.existing == objection
    assert caught.value.messages == [f"这份异议已经提交(异议 #{objection.pk}),重复提交没有再提交一份。"]
    _submitted_once(objection)


def test_a_resent_page_finds_its_objection_after_it_was_decided(
    record: Any, ent_a_user: User, park_admin: User
) -> None:
    """Rejected, the objection no longer blocks a new one and the record may be disputed again:
    before the token, the old page sent again opened a second objection."""
    token = submit_token_issue()
    objection = _submit(ent_a_user, record, token)
    objection_decide(actor=park_admin, objection=objection, upheld=False, note="经核实,处罚决定有效")
    with pytest.raises(ObjectionAlreadySubmitted) as caught:
        _submit(ent_a_user, record, token)
    assert caught.value.existing == objection
    assert Objection.objects.count() == 1 and not record_state(record).disputed
    again = _submit(ent_a_user, record, submit_token_issue())  # a new page may object again
    assert again.pk != objection.pk and again.is_open and record_state(record).disputed


def test_another_page_meets_the_one_open_objection_rule(
    record: Any, ent_a_user: User, park_admin: User
) -> None:
    """A different page (another token) or a caller without a page is the business rule, with its
    own message naming the objection in progress; a token another user holds is not a repeat."""
    objection = _submit(ent_a_user, record, submit_token_issue())
    rule = f"记录「{record.source_ref}」已有正在处理的异议(异议 #{objection.pk}),办结后才能再次提出异议"
    colleague = f.enterprise_user(record.enterprise, username="ent_a_colleague")
    for user, token in (
        (ent_a_user, submit_token_issue()),
        (ent_a_user, ""),
        (colleague, objection.submit_token),
    ):
        with pytest.raises(ValidationError) as caught:
            _submit(user, record, token)
        assert not isinstance(caught.value, ObjectionAlreadySubmitted)
        assert caught.value.message_dict == {"record": [rule]}
    _submitted_once(objection)


def test_a_forged_token_submits_nothing(record: Any, ent_a_user: User) -> None:
    for token in ("x" * 32, "0" * 65, "ABCDEF0123456789ABCDEF0123456789"):
        with pytest.raises(ValidationError) as caught:
            _submit(ent_a_user, record, token)
        assert caught.value.message_dict == {
            "submit_token": ["异议页面已失效,本次没有提交。请重新填写异议理由、选择证明材料后再提交"]
        }
    assert not Objection.objects.exists() and not record_state(record).disputed


def test_the_business_rules_still_hold_with_a_fresh_page(
    record: Any, ent_a_user: User, ent_b_user: User, park_admin: User
) -> None:
    """The token decides repeats only: another enterprise is refused, a record no longer in force
    cannot be disputed (the ledger's refusal, with nothing half-written: the objection row is
    inserted before the ledger event and goes with it), and reasons are still required."""
    with pytest.raises(PermissionDenied):
        _submit(ent_b_user, record, submit_token_issue())
    with pytest.raises(ValidationError, match="至少 10 个字"):
        objection_submit(actor=ent_a_user, record=record, reasons="有误", submit_token=submit_token_issue())
    upheld = _submit(ent_a_user, record, submit_token_issue())
    objection_decide(actor=park_admin, objection=upheld, upheld=True, note="复议已撤销原处罚")
    assert record_state(record).status is Status.REVOKED
    with pytest.raises(ValidationError) as caught:
        _submit(ent_a_user, record, submit_token_issue())
    assert not isinstance(caught.value, ObjectionAlreadySubmitted)
    assert "event_type" in caught.value.message_dict
    assert list(Objection.objects.values_list("pk", flat=True)) == [upheld.pk]
    assert AuditEntry.objects.filter(action="objection.submitted").count() == 1


def test_a_request_that_loses_the_race_at_the_insert_lands_on_the_winner(
    record: Any, ent_a_user: User, park_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other request submits between this one's looks (token, open objection) and its insert:
    the database refuses the second row and the loser answers with the winner's."""
    token = submit_token_issue()
    winner = first_call_runs(
        monkeypatch, routing, "source_department", lambda: _submit(ent_a_user, record, token)
    )
    with pytest.raises(ObjectionAlreadySubmitted) as caught:
        _submit(ent_a_user, record, token)
    assert caught.value.existing == winner[0]
    _submitted_once(winner[0])


def test_a_request_that_loses_the_race_before_the_rule_check_lands_on_the_winner(
    record: Any, ent_a_user: User, park_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other request commits between this one's look for the token and its look for an open
    objection: that open objection is its own page's, so it is a repeat, not the rule."""
    token = submit_token_issue()
    winner = first_call_runs(
        monkeypatch, services, "checked_uploads", lambda: _submit(ent_a_user, record, token)
    )
    with pytest.raises(ObjectionAlreadySubmitted) as caught:
        _submit(ent_a_user, record, token)
    assert caught.value.existing == winner[0]
    _submitted_once(winner[0])


def test_a_different_page_that_loses_the_race_meets_the_rule(
    record: Any, ent_a_user: User, park_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two different pages at once: the database lets one in, the other gets the business rule."""
    winner = first_call_runs(
        monkeypatch, routing, "source_department", lambda: _submit(ent_a_user, record, submit_token_issue())
    )
    with pytest.raises(ValidationError) as caught:
        _submit(ent_a_user, record, submit_token_issue())
    assert not isinstance(caught.value, ObjectionAlreadySubmitted)
    assert caught.value.message_dict == {
        "record": [
            f"记录「{record.source_ref}」已有正在处理的异议(异议 #{winner[0].pk}),办结后才能再次提出异议"
        ]
    }
    _submitted_once(winner[0])


@on_postgres
@two_connections
def test_two_simultaneous_submissions_make_one_objection_on_postgres(
    record: Any, ent_a_user: User, park_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads, two database connections: both have looked for the token and for an open
    objection and found nothing before either inserts, so only the database can decide."""
    token = submit_token_issue()
    both_looked = threading.Barrier(2, timeout=60)
    real_source_department = routing.source_department

    def source_department_together(record_: Any) -> Any:
        both_looked.wait()
        return real_source_department(record_)

    monkeypatch.setattr(routing, "source_department", source_department_together)
    outcomes = in_threads(
        lambda: _submit(ent_a_user, record, token), lambda: _submit(ent_a_user, record, token)
    )
    submitted = [o for o in outcomes if isinstance(o, Objection)]
    replays = [o for o in outcomes if isinstance(o, ObjectionAlreadySubmitted)]
    assert len(submitted) == 1 and len(replays) == 1, outcomes
    assert replays[0].existing == submitted[0]
    _submitted_once(Objection.objects.get())


@on_postgres
@two_connections
def test_two_simultaneous_pages_make_one_objection_and_meet_the_rule_on_postgres(
    record: Any, ent_a_user: User, park_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two different pages at once: one objection, and the other request is told the rule."""
    both_looked = threading.Barrier(2, timeout=60)
    real_source_department = routing.source_department

    def source_department_together(record_: Any) -> Any:
        both_looked.wait()
        return real_source_department(record_)

    monkeypatch.setattr(routing, "source_department", source_department_together)
    outcomes = in_threads(
        lambda: _submit(ent_a_user, record, submit_token_issue()),
        lambda: _submit(ent_a_user, record, submit_token_issue()),
    )
    submitted = [o for o in outcomes if isinstance(o, Objection)]
    refused = [o for o in outcomes if type(o) is ValidationError]
    assert len(submitted) == 1 and len(refused) == 1, outcomes
    assert refused[0].message_dict == {
        "record": [
            f"记录「{record.source_ref}」已有正在处理的异议(异议 #{submitted[0].pk}),办结后才能再次提出异议"
        ]
    }
    _submitted_once(Objection.objects.get())


# --- the objection page: the page itself -----------------------------------------------------------


def _form(page: Any, **extra: Any) -> dict[str, Any]:
    return {
        "reasons": REASONS,
        "evidence": [SimpleUploadedFile("复议决定书.pdf", PDF, content_type="application/pdf")],
        "token": page["token"],
        **extra,
    }


def test_a_double_click_lands_on_the_objection_it_made(record: Any, login: Any, park_admin: User) -> None:
    client = login("ent_a_user")
    url = reverse("objections:create", kwargs={"pk": record.pk})
    page = client.get(url).context
    first = client.post(url, _form(page))
    objection = Objection.objects.get()
    detail = reverse("objections:detail", kwargs={"pk": objection.pk})
    assert (first.status_code, first["Location"]) == (302, detail)
    again = client.post(url, _form(page), follow=True)
    assert again.redirect_chain == [(detail, 302)]
    body = again.content.decode()
    assert f"这份异议已经提交(异议 #{objection.pk}),重复提交没有再提交一份。" in body
    assert "已有正在处理的异议" not in body
    _submitted_once(objection)


def test_a_page_sent_again_after_going_back_lands_even_if_the_form_is_incomplete(
    record: Any, login: Any, park_admin: User
) -> None:
    """Back and submit again: the browser may have dropped the reasons and the chosen files, which
    would otherwise ask for them on a page whose objection has already been made."""
    client = login("ent_a_user")
    url = reverse("objections:create", kwargs={"pk": record.pk})
    page = client.get(url).context
    client.post(url, _form(page))
    objection = Objection.objects.get()
    again = client.post(url, {"token": page["token"]}, follow=True)
    assert again.redirect_chain == [(reverse("objections:detail", kwargs={"pk": objection.pk}), 302)]
    assert f"这份异议已经提交(异议 #{objection.pk})" in again.content.decode()
    _submitted_once(objection)


def test_the_page_carries_a_fresh_token_each_time(record: Any, login: Any) -> None:
    client = login("ent_a_user")
    url = reverse("objections:create", kwargs={"pk": record.pk})
    first, second = client.get(url), client.get(url)
    assert first.context["token"] != second.context["token"]
    assert f'<input type="hidden" name="token" value="{first.context["token"]}">' in first.content.decode()


def test_a_page_without_or_with_a_forged_token_has_expired(record: Any, login: Any) -> None:
    client = login("ent_a_user")
    url = reverse("objections:create", kwargs={"pk": record.pk})
    page = client.get(url).context
    for token in ("", "x" * 32):
        response = client.post(url, _form(page, token=token))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'data-testid="objection-page-error"' in body
        assert "异议页面已失效,本次没有提交。请重新填写异议理由、选择证明材料后再提交" in body
        # The page shown again carries a fresh token, so the enterprise can submit from it.
        fresh = response.context["token"]
        assert fresh not in ("", "x" * 32, page["token"]) and len(fresh) == 32
    assert not Objection.objects.exists() and not record_state(record).disputed


def test_a_page_refused_for_another_reason_keeps_its_unused_token(record: Any, login: Any) -> None:
    client = login("ent_a_user")
    url = reverse("objections:create", kwargs={"pk": record.pk})
    page = client.get(url).context
    refused = client.post(url, _form(page, reasons="有误"))
    assert refused.status_code == 200 and refused.context["token"] == page["token"]
    assert client.post(url, _form(page)).status_code == 302
    assert Objection.objects.get().submit_token == page["token"]


def test_a_second_page_for_the_same_record_meets_the_rule(record: Any, login: Any, park_admin: User) -> None:
    """Two pages opened before either was sent: the second is a new request, not a repeat, and is
    refused by the one-open-objection rule, with a link to the objection in progress."""
    client = login("ent_a_user")
    url = reverse("objections:create", kwargs={"pk": record.pk})
    first, second = client.get(url).context, client.get(url).context
    client.post(url, _form(first))
    objection = Objection.objects.get()
    response = client.post(url, _form(second))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"该记录已有正在处理的异议(异议 #{objection.pk}),办结后才能再次提出异议。" in body
    assert "已经提交" not in body and 'name="reasons"' not in body
    assert reverse("objections:detail", kwargs={"pk": objection.pk}) in body
    assert f"查看异议 #{objection.pk} 的办理进度" in body
    _submitted_once(objection)


# --- staff actions ---------------------------------------------------------------------------------


def _action(client: Any, objection: Objection, data: dict[str, Any]) -> dict[str, Any]:
    """What the detail page's action form sends: `data` and the track the page shows."""
    detail = client.get(reverse("objections:detail", kwargs={"pk": objection.pk}))
    track = detail.context["action_form"].initial["track"]
    assert f'name="track" value="{track}"' in detail.content.decode()
    return {"track": track, **data}


def _supersede(record: Any, park_admin: User) -> None:
    """The source re-sent the decision with changed content (what the import writes)."""
    record_event_append(actor=park_admin, record=record, event_type=EventType.CORRECTED, note="来源更正")


ACTIONS = {
    # action: (audit action, notification kind, ledger event, the repeat's message after "异议 #N ")
    "extend": (
        "objection.extended",
        "objection.extended",
        None,
        "已经转信息提供单位核实(办理期限 2026-12-10)",
    ),
    "reject": ("objection.rejected", "objection.rejected", "dispute_rejected", "已经办理(异议不成立)"),
    "uphold": ("objection.upheld", "objection.upheld", "dispute_upheld", "已经办理(异议成立)"),
    "corrected": ("objection.corrected", "objection.corrected", None, "已经办理(已更正)"),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_action_sent_twice_is_done_once(
    action: str, record: Any, ent_a_user: User, park_admin: User, login: Any
) -> None:
    """Before the page said what it acts on, a repeat met "已办结" or "已转信息提供单位核实" as
    an error; now it lands on the objection saying what was done, and writes nothing."""
    objection = _submit(ent_a_user, record, submit_token_issue())
    if action == "corrected":
        _supersede(record, park_admin)
    audit, notice, event, done = ACTIONS[action]
    client = login("park_admin")
    url = reverse("objections:action", kwargs={"pk": objection.pk})
    detail = reverse("objections:detail", kwargs={"pk": objection.pk})
    data = _action(client, objection, {"action": action, "note": "经核实处理"})
    first = client.post(url, data, follow=True)
    assert first.redirect_chain == [(detail, 302)]
    assert "alert-danger" not in first.content.decode()
    before = _writes(objection)
    again = client.post(url, data, follow=True)
    assert again.redirect_chain == [(detail, 302)]
    body = again.content.decode()
    assert f"异议 #{objection.pk} {done},重复提交没有再次办理。" in body
    assert "已办结" not in body and "不能再处理" not in body and "alert-danger" not in body
    assert _writes(objection) == before
    assert AuditEntry.objects.filter(action=audit).count() == 1
    assert Notification.objects.filter(recipient=ent_a_user, kind=notice).count() == 1
    if event is not None:
        assert RecordEvent.objects.filter(record=record, event_type=event).count() == 1
    objection.refresh_from_db()
    assert objection.due_on == (VERIFY_DUE if action == "extend" else ORDINARY_DUE)


def test_the_routing_is_done_once_and_then_no_longer_offered(
    record: Any, ent_a_user: User, login: Any
) -> None:
    """Routed to the information provider, the page offers only the decisions; an extension from
    such a page (forged: the choice is not there) meets the rule that it happens once, as an error,
    since it is no repeat of anything that page did."""
    objection = _submit(ent_a_user, record, submit_token_issue())
    client = login("park_admin")
    url = reverse("objections:action", kwargs={"pk": objection.pk})
    client.post(url, _action(client, objection, {"action": "extend"}))
    page = client.get(reverse("objections:detail", kwargs={"pk": objection.pk}))
    assert page.context["action_form"].initial["track"] == "verify"
    assert 'value="extend"' not in page.content.decode() and 'value="reject"' in page.content.decode()
    before = _writes(objection)
    forged = client.post(url, {"track": "verify", "action": "extend"}, follow=True)
    assert f"异议 #{objection.pk} 已转信息提供单位核实" in forged.content.decode()
    assert "重复提交" not in forged.content.decode()
    assert _writes(objection) == before


def test_a_decision_from_a_page_loaded_before_the_routing_is_still_made(
    record: Any, ent_a_user: User, login: Any
) -> None:
    """Not every change since the page is a repeat: a decision from a page that showed the
    ordinary track is made after the routing, as the routing is there to prepare it."""
    objection = _submit(ent_a_user, record, submit_token_issue())
    client = login("park_admin")
    url = reverse("objections:action", kwargs={"pk": objection.pk})
    extend = _action(client, objection, {"action": "extend"})
    decide = _action(client, objection, {"action": "reject", "note": "经信息提供单位核实,记录无误"})
    client.post(url, extend)
    response = client.post(url, decide, follow=True)
    assert "异议已办结" in response.content.decode()
    objection.refresh_from_db()
    assert (objection.state, objection.track) == (ObjectionState.REJECTED, "verify")


def test_an_action_page_without_its_track_does_nothing(record: Any, ent_a_user: User, login: Any) -> None:
    objection = _submit(ent_a_user, record, submit_token_issue())
    client = login("park_admin")
    url = reverse("objections:action", kwargs={"pk": objection.pk})
    before = _writes(objection)
    for data in (
        {"action": "reject", "note": "经核实,记录无误"},
        {"action": "reject", "note": "经核实,记录无误", "track": "later"},
        # The track never moves back: a page that saw "verify" is not this objection's.
        {"action": "reject", "note": "经核实,记录无误", "track": "verify"},
    ):
        response = client.post(url, data, follow=True)
        assert "处理页面已失效,请刷新页面后重新处理" in response.content.decode()
    assert _writes(objection) == before


def test_another_member_of_staff_sending_a_handled_objection_is_told_and_nothing_is_written(
    ent_a: Any, ent_a_user: User, park_admin: User, dept_staff: User
) -> None:
    """Both act for the responsible department; the second acts on what the first has decided."""
    source = f.data_source("czj-source")
    source.organisation = dept_staff.organisation
    source.save()
    objection = _submit(ent_a_user, f.make_record(ent_a, source=source), submit_token_issue())
    objection_decide(
        actor=park_admin, objection=objection, upheld=False, note="经核实,记录无误", seen_track="ordinary"
    )
    before = _writes(objection)
    for act in (
        lambda: objection_decide(
            actor=dept_staff, objection=objection, upheld=True, note="复议已撤销", seen_track="ordinary"
        ),
        lambda: objection_extend(actor=dept_staff, objection=objection, seen_track="ordinary"),
        lambda: objection_close_corrected(actor=dept_staff, objection=objection, seen_track="ordinary"),
    ):
        with pytest.raises(ObjectionAlreadyHandled) as caught:
            act()
        assert caught.value.objection.state == ObjectionState.REJECTED
        assert caught.value.messages == [f"异议 #{objection.pk} 已经办理(异议不成立),重复提交没有再次办理。"]
    assert _writes(objection) == before


def test_callers_without_a_page_keep_the_plain_refusals(
    record: Any, ent_a_user: User, park_admin: User
) -> None:
    """The demo and other callers without an action page: the original rules, as errors."""
    objection = _submit(ent_a_user, record, submit_token_issue())
    objection_extend(actor=park_admin, objection=objection)
    with pytest.raises(ValidationError, match="已转信息提供单位核实") as routed:
        objection_extend(actor=park_admin, objection=objection)
    assert not isinstance(routed.value, ObjectionAlreadyHandled)
    with pytest.raises(ValidationError, match="尚未更正"):
        objection_close_corrected(actor=park_admin, objection=objection, seen_track="verify")
    objection_decide(actor=park_admin, objection=objection, upheld=True, note="复议已撤销原处罚")
    with pytest.raises(ValidationError, match="已办结") as closed:
        objection_decide(actor=park_admin, objection=objection, upheld=False, note="再次处理")
    assert not isinstance(closed.value, ObjectionAlreadyHandled)


@pytest.mark.parametrize("action", ["extend", "reject"])
def test_an_action_that_loses_the_race_lands_on_the_page(
    action: str,
    record: Any,
    ent_a_user: User,
    park_admin: User,
    login: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The other request acts after this one loaded the objection: the service judges by what is
    in the database under its lock, not by what the view loaded."""
    objection = _submit(ent_a_user, record, submit_token_issue())
    client = login("park_admin")
    url = reverse("objections:action", kwargs={"pk": objection.pk})
    data = _action(client, objection, {"action": action, "note": "经核实处理"})
    real_acts_for = routing.acts_for
    raced: list[bool] = []

    def acts_for_while_the_other_request_acts(actor: Any, organisation: Any) -> bool:
        if not raced:
            raced.append(True)
            if action == "extend":
                objection_extend(actor=park_admin, objection=objection, seen_track="ordinary")
            else:
                objection_decide(
                    actor=park_admin,
                    objection=objection,
                    upheld=False,
                    note="经核实处理",
                    seen_track="ordinary",
                )
        return real_acts_for(actor, organisation)

    monkeypatch.setattr(routing, "acts_for", acts_for_while_the_other_request_acts)
    response = client.post(url, data, follow=True)
    _audit, notice, _event, done = ACTIONS[action]
    assert raced and f"异议 #{objection.pk} {done},重复提交没有再次办理。" in response.content.decode()
    assert (
        AuditEntry.objects.filter(action__startswith="objection.")
        .exclude(action="objection.submitted")
        .count()
        == 1
    )
    assert Notification.objects.filter(kind=notice).count() == 1


@on_postgres
@two_connections
@pytest.mark.parametrize("action", ["extend", "reject", "uphold"])
def test_two_simultaneous_actions_are_done_once_on_postgres(
    action: str, record: Any, ent_a_user: User, park_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two threads send the same action. The first holds the objection's row lock while the second
    is made to wait for it; the second then reads the first one's outcome."""
    objection = _submit(ent_a_user, record, submit_token_issue())
    first_holds_the_lock = threading.Event()
    real_audit_log = services.audit_log

    def audit_log_holding_the_lock(**kwargs: Any) -> Any:
        entry = real_audit_log(**kwargs)  # the action's change is made, the row still locked
        if not first_holds_the_lock.is_set():
            first_holds_the_lock.set()
            wait_until_another_connection_waits_for_a_lock("the objection's row lock")
        return entry

    monkeypatch.setattr(services, "audit_log", audit_log_holding_the_lock)

    def act() -> Objection:
        if action == "extend":
            return objection_extend(actor=park_admin, objection=objection, seen_track="ordinary")
        return objection_decide(
            actor=park_admin,
            objection=objection,
            upheld=action == "uphold",
            note="经核实处理",
            seen_track="ordinary",
        )

    def act_second() -> Objection:
        assert first_holds_the_lock.wait(60)
        return act()

    outcomes = in_threads(act, act_second)
    done = [o for o in outcomes if isinstance(o, Objection)]
    repeats = [o for o in outcomes if isinstance(o, ObjectionAlreadyHandled)]
    assert len(done) == 1 and len(repeats) == 1, outcomes
    audit, notice, event, message = ACTIONS[action]
    assert repeats[0].messages == [f"异议 #{objection.pk} {message},重复提交没有再次办理。"]
    assert AuditEntry.objects.filter(action=audit).count() == 1
    assert Notification.objects.filter(kind=notice).count() == 1
    if event is not None:
        assert RecordEvent.objects.filter(record=record, event_type=event).count() == 1
    objection.refresh_from_db()
    assert objection.due_on == (VERIFY_DUE if action == "extend" else ORDINARY_DUE)
