"""The portal against the other apps' contracts: public records and repair windows (R),
public commitments (C), the current code (S), the report link (P) and the inbox (N)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parkcredit.records.models import RecordEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_public_page_shows_records_in_publicity_and_hides_the_rest(client: Client, ent_a: Any) -> None:
    recent = timezone.localdate() - timedelta(days=40)
    shown = f.make_record(
        ent_a,
        decided_on=recent,
        source_ref="豫罚字〔2026〕88号",
        summary="未按规定公示年度报告",
        payload={"当事人身份证号": "410102198001011237"},
    )
    repaired = f.make_record(ent_a, decided_on=recent, source_ref="豫罚字〔2026〕89号")
    RecordEvent.objects.create(record=repaired, event_type="repaired", at=timezone.now())
    old = f.make_record(ent_a, decided_on=recent - timedelta(days=3650), source_ref="豫罚字〔2010〕1号")
    body = client.get(reverse("portal:enterprise", kwargs={"uscc": ent_a.uscc})).content.decode()
    assert shown.source_ref in body and "未按规定公示年度报告" in body and "公示截止" in body
    assert repaired.source_ref not in body and old.source_ref not in body
    assert "410102198001011237" not in body


def test_public_page_shows_public_commitments_and_the_code(
    client: Client, ent_a_user: Any, ent_a: Any, park_admin: Any, grade: Any
) -> None:
    from parkcredit.codes.services import code_issue
    from parkcredit.commitments.models import CommitmentTemplate
    from parkcredit.commitments.services import commitment_sign

    template = CommitmentTemplate.objects.get(code="construction", is_current=True)
    commitment = commitment_sign(
        actor=ent_a_user, enterprise=ent_a, template=template, scope="二期厂房", is_public=True
    )
    hidden = commitment_sign(
        actor=ent_a_user, enterprise=ent_a, template=template, scope="三期", is_public=False
    )
    grade(ent_a, "B")
    code = code_issue(actor=park_admin, enterprise=ent_a)
    body = client.get(reverse("portal:enterprise", kwargs={"uscc": ent_a.uscc})).content.decode()
    assert commitment.title in body
    assert reverse("commitments:public_detail", kwargs={"number": commitment.number}) in body
    assert reverse("commitments:public_detail", kwargs={"number": hidden.number}) not in body
    assert code.url in body


def test_self_service_shows_repair_window_code_report_and_inbox(
    login: Any, ent_a: Any, ent_a_user: Any, park_admin: Any, grade: Any
) -> None:
    from parkcredit.codes.services import code_issue
    from parkcredit.notifications.services import notify
    from parkcredit.repair.selectors import record_window

    record = f.make_record(
        ent_a, decided_on=timezone.localdate() - timedelta(days=40), source_ref="甲罚字〔2026〕5号"
    )
    window = record_window(record)
    assert window is not None and window.publicity_end is not None
    grade(ent_a, "B")
    code = code_issue(actor=park_admin, enterprise=ent_a)
    notify(recipients=[ent_a_user], kind="test", title="您的信用等级已更新", link="/my/")
    notify(recipients=[ent_a_user], kind="test", title="第二条通知")
    body = login("ent_a_user").get(reverse("portal:mine")).content.decode()
    assert f"公示截止 {window.publicity_end:%Y-%m-%d}" in body
    if window.earliest_repair is not None:
        assert f"最早可申请修复 {window.earliest_repair:%Y-%m-%d}" in body
    assert code.url in body
    assert f'action="{reverse("reports:generate", kwargs={"pk": ent_a.pk})}"' in body
    assert reverse("notifications:inbox") in body
    assert "您的信用等级已更新" in body and "第二条通知" in body
    assert 'data-testid="unread-count">2 条未读<' in body


def _block(body: str, testid: str) -> str:
    """The HTML of one card (by data-testid) up to the next card, for comparing two pages."""
    marker = f'data-testid="{testid}">'
    start = body.index(marker) + len(marker)
    following = [i for i in (body.find('<div class="card mb-3"', start), body.find("<p ", start)) if i != -1]
    return body[start : min(following)].strip()


def test_code_page_and_portal_page_show_the_same_public_block(
    client: Client, ent_a_user: Any, ent_a: Any, park_admin: Any, grade: Any
) -> None:
    from parkcredit.codes.services import code_issue
    from parkcredit.commitments.models import CommitmentTemplate
    from parkcredit.commitments.services import commitment_sign

    f.make_record(
        ent_a,
        decided_on=timezone.localdate() - timedelta(days=40),
        source_ref="豫罚字〔2026〕77号",
        summary="未按规定报送统计资料",
        amount=Decimal("5000.00"),
    )
    template = CommitmentTemplate.objects.get(code="construction", is_current=True)
    commitment = commitment_sign(
        actor=ent_a_user, enterprise=ent_a, template=template, scope="二期厂房", is_public=True
    )
    grade(ent_a, "B")
    code = code_issue(actor=park_admin, enterprise=ent_a)
    portal = client.get(reverse("portal:enterprise", kwargs={"uscc": ent_a.uscc})).content.decode()
    scanned = client.get(code.url).content.decode()
    for testid in ("records", "commitments"):
        assert _block(portal, f"public-{testid}") == _block(scanned, f"code-{testid}")
    assert "豫罚字〔2026〕77号" in scanned and "公示截止" in scanned
    # The code page now links the commitment and shows its state, as the portal always did.
    assert reverse("commitments:public_detail", kwargs={"number": commitment.number}) in scanned


def test_public_page_queries_do_not_grow_with_records_and_commitments(
    client: Client, ent_a_user: Any, ent_a: Any, grade: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parkcredit.commitments.models import CommitmentTemplate
    from parkcredit.commitments.services import commitment_sign
    from parkcredit.portal.pagecache import page_cache

    template = CommitmentTemplate.objects.get(code="construction", is_current=True)
    grade(ent_a, "B")
    url = reverse("portal:enterprise", kwargs={"uscc": ent_a.uscc})

    def add(n: int) -> None:
        for i in range(n):
            f.make_record(ent_a, decided_on=timezone.localdate() - timedelta(days=30 + i))
            commitment_sign(
                actor=ent_a_user, enterprise=ent_a, template=template, scope=f"期{i}", is_public=True
            )

    add(1)
    client.get(url)  # warm per-process caches (rule book, published model)
    # A render each time: the page cache would otherwise answer the first count with its stamp.
    page_cache().clear()
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add(4)
    page_cache().clear()
    with CaptureQueriesContext(connection) as five:
        body = client.get(url).content.decode()
    assert body.count("决定日期") == 5 and body.count(" 签署") == 5
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]
