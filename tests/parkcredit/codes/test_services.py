"""Issuing, re-issuing on grade change and revoking codes; the pages staff and owners use."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from creditcore import codesign
from parkcredit.audit.models import AuditEntry
from parkcredit.codes.keys import park_verifier
from parkcredit.codes.models import CodeState, EnterpriseCode
from parkcredit.codes.selectors import code_check, code_current, code_for_token
from parkcredit.codes.services import code_issue, code_reissue_on_grade_change, code_revoke
from parkcredit.enterprises.models import Enterprise
from parkcredit.scoring.models import ModelState, ScoringModel
from parkcredit.scoring.signals import grade_changes, grades_changed
from tests.parkcredit.codes.support import give_grade, issued_code
from tests.parkcredit.scoring.test_views_support import make_model


def test_issue_signs_the_current_grade(ent_a: Enterprise, park_admin: Any) -> None:
    give_grade(ent_a, "C")
    code = code_issue(actor=park_admin, enterprise=ent_a)
    assert (code.grade, code.colour, code.serial) == ("C", "red", code.pk)
    assert code.url == f"/c/{code.token}"
    assert code.valid_until - code.issued_at == timedelta(days=365)
    assert code.issued_at.microsecond == 0
    check = codesign.verify_token(code.token or "", park_verifier(), now=timezone.now())
    assert check.valid and check.uscc == ent_a.uscc and check.serial == code.serial and check.grade == "C"
    assert code_current(ent_a) == code and code_for_token(code.token or "") == code
    entry = AuditEntry.objects.filter(action="codes.issued").latest("pk")
    assert entry.detail["serial"] == code.serial and entry.detail["supersedes"] is None


def test_validity_comes_from_the_setting(ent_a: Enterprise, settings: Any) -> None:
    settings.CODE_VALIDITY_DAYS = 30
    code = issued_code(ent_a)
    assert code.valid_until - code.issued_at == timedelta(days=30)
    settings.CODE_VALIDITY_DAYS = 0
    with pytest.raises(ValidationError, match="有效期"):
        code_issue(actor=None, enterprise=ent_a)


def test_issue_without_a_score_is_refused_in_chinese(ent_a: Enterprise) -> None:
    with pytest.raises(ValidationError, match="还没有信用评分"):
        code_issue(actor=None, enterprise=ent_a)
    assert not EnterpriseCode.objects.exists()


@pytest.mark.parametrize("role", ["inspector", "ent_a_user", "bank_user", "system_admin", "auditor"])
def test_only_archive_staff_or_the_system_issue_and_revoke(
    role: str, request: pytest.FixtureRequest, ent_a: Enterprise
) -> None:
    actor = request.getfixturevalue(role)
    give_grade(ent_a)
    with pytest.raises(PermissionDenied):
        code_issue(actor=actor, enterprise=ent_a)
    code = code_issue(actor=None, enterprise=ent_a)
    with pytest.raises(PermissionDenied):
        code_revoke(actor=actor, code=code, reason="x")


def test_reissue_supersedes_the_old_code(ent_a: Enterprise, dept_staff: Any) -> None:
    old = issued_code(ent_a)
    new = code_issue(actor=dept_staff, enterprise=ent_a)
    old.refresh_from_db()
    assert old.superseded_at is not None and old.superseded_by == new
    assert old.state_at(timezone.now()) == CodeState.SUPERSEDED
    assert code_current(ent_a) == new
    assert AuditEntry.objects.filter(action="codes.issued").latest("pk").detail["supersedes"] == old.serial


def test_revoke_needs_a_reason_and_happens_once(ent_a: Enterprise, park_admin: Any) -> None:
    code = issued_code(ent_a)
    with pytest.raises(ValidationError) as info:
        code_revoke(actor=park_admin, code=code, reason="  ")
    assert info.value.message_dict == {"reason": ["请填写撤销原因"]}
    with pytest.raises(ValidationError, match="最多 500"):
        code_revoke(actor=park_admin, code=code, reason="长" * 501)
    revoked = code_revoke(actor=park_admin, code=code, reason="营业执照被吊销")
    assert revoked.revoked_by == park_admin and revoked.revoke_reason == "营业执照被吊销"
    assert code_current(ent_a) is None
    with pytest.raises(ValidationError, match="已失效"):
        code_revoke(actor=park_admin, code=code, reason="again")
    entry = AuditEntry.objects.filter(action="codes.revoked").latest("pk")
    assert entry.detail == {"enterprise": ent_a.pk, "serial": code.serial, "reason": "营业执照被吊销"}


# --- grade changes --------------------------------------------------------------------------------


def test_grade_changes_lists_only_current_scores_with_another_grade() -> None:
    class S:
        def __init__(self, enterprise_id: int, grade: str, is_current: bool = True) -> None:
            self.enterprise_id, self.grade, self.is_current = enterprise_id, grade, is_current

    before = {1: "A", 2: "B", 3: "C"}
    scores = [S(1, "A"), S(2, "C"), S(3, "D", is_current=False), S(4, "B")]
    assert grade_changes(before, scores) == [(2, "B", "C"), (4, None, "B")]


def test_a_rescore_that_changes_the_grade_reissues_the_code(
    ent_a: Enterprise, ent_b: Enterprise, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    from parkcredit.scoring.runner import run_incremental

    # The small test model gives a young enterprise without penalties 900 points or so: not D.
    ScoringModel.objects.filter(state=ModelState.PUBLISHED).delete()
    model = make_model()
    old = issued_code(ent_a, "D")
    untouched = issued_code(ent_b, "D")
    received: list[Any] = []

    def listener(sender: Any, *, changes: Any, **kwargs: Any) -> None:
        received.append(changes)

    grades_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run = run_incremental(model=model, enterprise_ids=[ent_a.pk])
    finally:
        grades_changed.disconnect(listener)
    assert run is not None
    new_grade = run.scores.get().grade
    assert new_grade != "D"
    assert received == [[(ent_a.pk, "D", new_grade)]]

    new = code_current(ent_a)
    assert new is not None and new.pk != old.pk and new.grade == new_grade
    old.refresh_from_db()
    assert old.superseded_by == new
    assert code_current(ent_b) == untouched
    view = code_check(old.token or "")
    assert view.check.reason == codesign.SUPERSEDED and view.newer == new
    html = client.get(old.url).content.decode()
    assert 'data-reason="superseded"' in html and new.url in html


def test_reissue_leaves_revoked_and_unchanged_codes_alone(ent_a: Enterprise, ent_b: Enterprise) -> None:
    revoked = issued_code(ent_a, "B")
    code_revoke(actor=None, code=revoked, reason="核查中")
    same = issued_code(ent_b, "B")
    give_grade(ent_a, "A")
    assert code_reissue_on_grade_change(changes=[(ent_a.pk, "B", "A"), (ent_b.pk, None, "B")]) == []
    assert code_current(ent_a) is None and code_current(ent_b) == same


# --- pages ------------------------------------------------------------------------------------------


def test_owner_sees_the_code_page_without_staff_actions(login: Any, ent_a: Enterprise) -> None:
    code = issued_code(ent_a)
    html = login("ent_a_user").get(reverse("codes:manage", kwargs={"pk": ent_a.pk})).content.decode()
    assert "<svg" in html and code.url in html and 'data-testid="download-png"' in html
    # Sized by CSS: a viewBox and no fixed width, or the QR code would be cropped, not scaled.
    svg = re.search(r"<svg[^>]*qr-code[^>]*>", html)
    assert svg and "viewBox" in svg.group(0) and "width=" not in svg.group(0)
    assert 'data-testid="revoke"' not in html and 'data-testid="issue"' not in html


def test_plaque_is_coloured_by_grade(login: Any, ent_a: Enterprise) -> None:
    issued_code(ent_a, "C")
    response = login("park_admin").get(reverse("codes:plaque", kwargs={"pk": ent_a.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-grade="C"' in html and "#d63939" in html and "size: A5" in html
    assert ent_a.name in html and ent_a.uscc in html and "<svg" in html


def test_downloads_without_a_current_code_are_404(login: Any, ent_a: Enterprise) -> None:
    client = login("park_admin")
    for name in ("codes:qr_png", "codes:qr_svg", "codes:plaque"):
        assert client.get(reverse(name, kwargs={"pk": ent_a.pk})).status_code == 404
    assert "没有有效的信用码" in client.get(reverse("codes:manage", kwargs={"pk": ent_a.pk})).content.decode()


def test_staff_revoke_by_post_needs_a_reason(login: Any, ent_a: Enterprise) -> None:
    code = issued_code(ent_a)
    client = login("dept_staff")
    url = reverse("codes:revoke", kwargs={"pk": ent_a.pk})
    response = client.post(url, {"reason": ""}, follow=True)
    assert "请填写撤销原因" in response.content.decode()
    code.refresh_from_db()
    assert code.revoked_at is None
    response = client.post(url, {"reason": "企业已迁出园区"}, follow=True)
    assert "已撤销信用码" in response.content.decode()
    code.refresh_from_db()
    assert code.revoked_at is not None and code.revoke_reason == "企业已迁出园区"


def test_staff_reissue_by_post(login: Any, ent_a: Enterprise) -> None:
    client = login("park_admin")
    url = reverse("codes:issue", kwargs={"pk": ent_a.pk})
    response = client.post(url, follow=True)
    assert "还没有信用评分" in response.content.decode()
    give_grade(ent_a, "A")
    response = client.post(url, follow=True)
    assert "已签发信用码" in response.content.decode()
    assert code_current(ent_a) is not None


def test_enterprise_page_shows_the_code_card_to_staff_and_owner_only(
    login: Any, ent_a: Enterprise, bank_user: Any, client: Client
) -> None:
    code = issued_code(ent_a)
    detail = reverse("enterprises:detail", kwargs={"pk": ent_a.pk})
    for role in ("park_admin", "ent_a_user"):
        html = login(role).get(detail).content.decode()
        assert 'data-testid="enterprise-code"' in html and code.url in html
    client.force_login(bank_user)
    html = client.get(detail).content.decode()
    assert 'data-testid="enterprise-code"' not in html


def test_demo_loader_issues_codes_for_scored_enterprises(ent_a: Enterprise, ent_b: Enterprise) -> None:
    from parkcredit.codes.demo import demo_load
    from parkcredit.demo.extras import DEMO_EXTRAS

    assert "parkcredit.codes.demo:demo_load" in DEMO_EXTRAS
    give_grade(ent_a, "A")
    assert demo_load() == "企业信用码:新签发 1 个,现有有效信用码 1 个。"
    first = code_current(ent_a)
    assert first is not None and code_current(ent_b) is None
    # Again: nothing new; after a grade change only that enterprise gets a new code.
    assert demo_load() == "企业信用码:新签发 0 个,现有有效信用码 1 个。"
    give_grade(ent_b, "B")
    give_grade(ent_a, "C")
    assert demo_load() == "企业信用码:新签发 2 个,现有有效信用码 2 个。"
    assert code_current(ent_a).grade == "C"  # type: ignore[union-attr]


def test_batch_issue_supersedes_skips_unsignable_codes_and_audits_once(
    ent_a: Enterprise, ent_b: Enterprise, db: Any
) -> None:
    from parkcredit.codes.services import code_issue_many
    from tests import factories as f

    old = issued_code(ent_a, "A")
    give_grade(ent_b, "C")
    odd = f.make_enterprise("丁老字号商行", uscc="110108000000001")  # a 15-digit registration number
    give_grade(odd, "B")
    with pytest.raises(ValidationError, match="不是 18 位"):
        code_issue(actor=None, enterprise=odd)
    issued = code_issue_many(actor=None, enterprises=[ent_a, ent_b, odd])
    assert sorted(c.enterprise_id for c in issued) == sorted([ent_a.pk, ent_b.pk])
    assert all(c.serial == c.pk and c.token for c in issued)
    old.refresh_from_db()
    assert old.superseded_by == code_current(ent_a)
    entry = AuditEntry.objects.filter(action="codes.issued_batch").get()
    assert entry.detail["count"] == 2 and entry.detail["superseded"] == 1
    assert entry.detail["grades"] == {"A": 1, "C": 1}
    for code in issued:
        assert code_check(code.token or "").check.valid


# --- review fixes -----------------------------------------------------------------------------------


def test_issue_locks_the_enterprise_before_reading_its_score(ent_a: Enterprise) -> None:
    """Two issues for one enterprise must queue on its row, and read the grade only once queued."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not connection.features.has_select_for_update:
        pytest.skip("the database has no row locks (SQLite serialises writers instead)")
    give_grade(ent_a, "B")
    with CaptureQueriesContext(connection) as queries:
        code_issue(actor=None, enterprise=ent_a)
    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, q in enumerate(sql) if "enterprises_enterprise" in q and "FOR UPDATE" in q)
    score = next(i for i, q in enumerate(sql) if 'FROM "scoring_score"' in q)
    assert lock < score


def test_manage_page_names_an_expired_code_in_translatable_words(login: Any, ent_a: Enterprise) -> None:
    import time_machine

    code = issued_code(ent_a)
    with time_machine.travel(code.valid_until + timedelta(days=1)):
        html = login("ent_a_user").get(reverse("codes:manage", kwargs={"pk": ent_a.pk})).content.decode()
    assert 'data-testid="code-state" data-reason="expired"' in html
    assert "信用码已过期" in html and codesign.MESSAGES[codesign.EXPIRED] not in html
