"""The cached public enterprise page: after any change, the very next request shows the new state.

The page is cached like the code page (`tests/parkcredit/codes/test_public_page_cache.py`): every
test warms the cache first (a second request answered with the stamp query alone proves the page
came from the cache), then changes one thing the page shows, through a service, the bulk import's
raw SQL, or plain SQL behind the application's back (another process, no signals), and expects the
next request to show the change, exactly as an uncached render would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from parkcredit.common import pagecache as common_pagecache
from parkcredit.enterprises.models import Enterprise
from parkcredit.portal import pagecache, selectors, services
from parkcredit.scoring.models import ModelState, ScoringModel
from tests import factories as f
from tests.parkcredit.pagecache_support import (
    DownCache,
    get_page,
    next_page,
    two_process_caches,
    warm,
    without_tokens,
)
from tests.parkcredit.scoring.test_views_support import SPEC_YAML, make_model

pytestmark = pytest.mark.django_db

RECENT = timezone.localdate() - timedelta(days=30)


def _url(enterprise: Enterprise) -> str:
    return reverse("portal:enterprise", kwargs={"uscc": enterprise.uscc})


def _next(client: Client, url: str) -> str:
    """The next request after a change, which must equal a render with every cache emptied."""
    return next_page(client, url, cache=pagecache.page_cache(), normalised=without_tokens)


def _grade(html: str) -> str:
    match = re.search(r'data-testid="public-grade" data-grade="(\w*)"', html)
    assert match, html[:2000]
    return match.group(1)


def _regrade(enterprise: Enterprise, letter: str) -> None:
    """A new current score of grade `letter` from a new run of the published model (a rescore)."""
    from tests.parkcredit.scoring.test_views_support import make_run, make_score

    model = ScoringModel.objects.get(state=ModelState.PUBLISHED)
    points = {"A": 900, "B": 700, "C": 500, "D": 300}
    colours = {"A": "green", "B": "yellow", "C": "red", "D": "black"}
    run = make_run(model, timezone.localdate())
    make_score(enterprise, run, score=points[letter], grade=letter, colour=colours[letter])


@pytest.fixture
def copies_kept_long(monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies kept far past their lifetime (a shared cache with its own clock, say): the key
    alone must then keep a page right when time passes."""
    monkeypatch.setattr(common_pagecache, "lifetime", lambda now, *ends: 10**7)


@pytest.fixture
def page(client: Client, ent_a: Enterprise, grade: Any) -> str:
    grade(ent_a, "B")
    url = _url(ent_a)
    assert _grade(warm(client, url)) == "B"
    return url


# --- the page itself ---------------------------------------------------------------------------------


def test_a_warm_hit_is_one_query_and_the_same_page(client: Client, ent_a: Enterprise, grade: Any) -> None:
    grade(ent_a, "B")
    url = _url(ent_a)
    first = get_page(client, url)
    with CaptureQueriesContext(connection) as queries:
        second = get_page(client, url)
    assert len(queries) == 1
    assert "pub_e" in queries[0]["sql"]
    assert without_tokens(first) == without_tokens(second)
    assert ent_a.name in second and ent_a.uscc in second


def test_unknown_and_outside_enterprises_are_404_and_never_cached(client: Client, ent_a: Enterprise) -> None:
    outside = f.make_enterprise("园外企业有限公司", in_park=False)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(outside)).status_code == 404
        assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/public/e/%00/").status_code == 404
    assert len(queries) == 0  # nothing implausible reaches the database
    # Leaving the park takes the page down at once, even behind the application's back.
    url = _url(ent_a)
    warm(client, url)
    Enterprise.objects.filter(pk=ent_a.pk).update(in_park=False)
    assert client.get(url).status_code == 404


def test_a_code_typed_in_lower_case_is_the_same_page(client: Client, ent_a: Enterprise, grade: Any) -> None:
    grade(ent_a, "A")
    lower = reverse("portal:enterprise", kwargs={"uscc": ent_a.uscc.lower()})
    assert _grade(warm(client, lower)) == "A"
    assert _grade(warm(client, _url(ent_a))) == "A"


# --- the grade ---------------------------------------------------------------------------------------


def test_an_incremental_rescore_through_the_service_shows_the_new_grade(
    client: Client, page: str, ent_a: Enterprise
) -> None:
    from parkcredit.scoring.models import Score
    from parkcredit.scoring.services import scoring_on_ledger_change

    assert scoring_on_ledger_change([ent_a.pk]) is not None
    current = Score.objects.get(enterprise=ent_a, is_current=True)
    assert current.grade != "B"  # the test model scores a clean ten-year-old enterprise 900+
    assert _grade(_next(client, page)) == current.grade


def test_a_grade_written_behind_the_applications_back(
    client: Client, page: str, ent_a: Enterprise, run: Any
) -> None:
    from parkcredit.scoring.models import Score
    from tests.parkcredit.scoring.test_views_support import make_run

    # A bulk run's own writes: a new current row, the old one retired, no service, no signal.
    later = make_run(run.model, timezone.localdate())
    Score.objects.filter(enterprise=ent_a, is_current=True).update(is_current=False)
    Score.objects.create(
        enterprise=ent_a, run=later, model=later.model, as_of=later.as_of, score=300, grade="D",
        colour="black", fingerprint="x" * 64, is_current=True,
    )  # fmt: skip
    html = _next(client, page)
    assert _grade(html) == "D" and "bg-dark" in html


def test_a_newly_published_model_relabels_the_grade(
    client: Client, page: str, park_admin: Any, published_model: ScoringModel
) -> None:
    from parkcredit.scoring.services import model_publish

    assert "基本守信" in warm(client, page)
    relabelled = make_model(
        state=ModelState.APPROVED,
        version=2,
        spec_yaml=SPEC_YAML.replace("label: 基本守信", "label: 基本守信企业"),
    )
    model_publish(actor=park_admin, model=relabelled, rescore=False)
    assert "B 级 · 基本守信企业" in _next(client, page)


# --- red and black lists -----------------------------------------------------------------------------


def test_a_published_list_appears_and_its_withdrawal_takes_it_off(
    client: Client, page: str, ent_a: Enterprise, park_admin: Any
) -> None:
    black = services.list_create(
        actor=park_admin, kind="black", title="2026年第四季度黑名单", period="2026Q4"
    )
    services.list_entry_add(actor=park_admin, published_list=black, uscc=ent_a.uscc, reason="列入缓存测试")
    assert "2026年第四季度黑名单" not in _next(client, page)  # a draft is not public
    warm(client, page)
    services.list_publish(actor=park_admin, published_list=black)
    html = _next(client, page)
    assert "2026年第四季度黑名单" in html and "列入缓存测试" in html
    warm(client, page)
    services.list_withdraw(actor=park_admin, published_list=black, reason="名单有误")
    assert "2026年第四季度黑名单" not in _next(client, page)


def test_a_list_retitled_and_a_reason_changed_in_place(
    client: Client, page: str, ent_a: Enterprise, park_admin: Any
) -> None:
    from parkcredit.portal.models import ListEntry, PublishedList

    red = services.list_create(actor=park_admin, kind="red", title="守信红名单", period="2026")
    entry = services.list_entry_add(
        actor=park_admin, published_list=red, uscc=ent_a.uscc, reason="连续三年A级"
    )
    services.list_publish(actor=park_admin, published_list=red)
    assert "守信红名单" in _next(client, page)
    warm(client, page)
    # As the admin or a hand-made fix would: rows changed in place, no service.
    PublishedList.objects.filter(pk=red.pk).update(title="守信红名单(更正)")
    assert "守信红名单(更正)" in _next(client, page)
    warm(client, page)
    ListEntry.objects.filter(pk=entry.pk).update(reason="连续三年A级,获评诚信领跑企业")
    assert "获评诚信领跑企业" in _next(client, page)


# --- the code link -----------------------------------------------------------------------------------


def test_an_issued_code_is_linked_and_its_revocation_unlinks_it(
    client: Client, page: str, ent_a: Enterprise, park_admin: Any
) -> None:
    from parkcredit.codes.services import code_issue, code_revoke

    code = code_issue(actor=park_admin, enterprise=ent_a)
    assert f'href="{code.url}"' in _next(client, page)
    warm(client, page)
    newer = code_issue(actor=park_admin, enterprise=ent_a)  # re-issued: the old one is superseded
    html = _next(client, page)
    assert f'href="{newer.url}"' in html and f'href="{code.url}"' not in html
    warm(client, page)
    code_revoke(actor=park_admin, code=newer, reason="核实中")
    assert 'data-testid="code-link"' not in _next(client, page)


# --- records -----------------------------------------------------------------------------------------


def test_a_record_registered_and_revoked_through_the_services(
    client: Client, page: str, ent_a: Enterprise, park_admin: Any
) -> None:
    from parkcredit.records.models import CreditRecord
    from parkcredit.records.services import record_event_append, record_register

    record_register(
        actor=park_admin,
        enterprise=ent_a,
        kind="penalty",
        source=f.data_source(),
        source_ref="门户缓存罚〔2026〕1号",
        decided_on=RECENT,
        severity="general",
        summary="未按规定设置安全警示标志",
    )
    assert "未按规定设置安全警示标志" in _next(client, page)
    warm(client, page)
    record = CreditRecord.objects.get(source_ref="门户缓存罚〔2026〕1号")
    record_event_append(actor=park_admin, record=record, event_type="revoked")
    assert "未按规定设置安全警示标志" not in _next(client, page)


def test_bulk_import_of_records(client: Client, page: str, ent_a: Enterprise, park_admin: Any) -> None:
    from parkcredit.records.importing.services import import_run
    from tests.parkcredit.records.importing.helpers import penalty_csv, penalty_line

    data = penalty_csv(
        penalty_line(ent_a.name, ent_a.uscc, "门户批量〔2026〕1号", amount="0.2", day=f"{RECENT:%Y/%m/%d}")
    )
    assert import_run(actor=park_admin, profile="penalty", data=data).new == 1
    html = _next(client, page)
    assert "门户批量〔2026〕1号" in html and "2,000" in html


def test_publicity_ending_with_time_takes_the_record_off(
    client: Client, ent_a: Enterprise, grade: Any, copies_kept_long: None
) -> None:
    from parkcredit.repair.selectors import record_window

    grade(ent_a, "C")
    record = f.make_record(ent_a, decided_on=RECENT, summary="未按规定设置安全警示标志")
    window = record_window(record)
    assert window is not None and window.publicity_end is not None
    url = _url(ent_a)
    last_day = timezone.make_aware(datetime.combine(window.publicity_end - timedelta(days=1), time(23, 59)))
    with time_machine.travel(last_day, tick=False):
        assert "未按规定设置安全警示标志" in warm(client, url)
    with time_machine.travel(last_day + timedelta(minutes=1), tick=False):
        assert "未按规定设置安全警示标志" not in _next(client, url)


def test_an_approved_rule_set_shortening_publicity_takes_the_record_off(
    client: Client, ent_a: Enterprise, grade: Any, park_admin: Any, dept_staff: Any
) -> None:
    import copy

    from creditcore.repair_rules import BUILTIN_RULE_SETS
    from parkcredit.repair.services import rule_set_approve, rule_set_submit

    grade(ent_a, "C")
    f.make_record(
        ent_a, decided_on=timezone.localdate() - timedelta(days=230), summary="未按规定设置安全警示标志"
    )
    url = _url(ent_a)
    assert "未按规定设置安全警示标志" in warm(client, url)
    rules = copy.deepcopy(BUILTIN_RULE_SETS[1])
    for rule in rules["rules"]:
        if rule["kind"] == "penalty" and rule["severity"] == "general":
            rule["max_months"] = 6
    draft = rule_set_submit(actor=dept_staff, rules=rules, note="缩短一般处罚公示期")
    rule_set_approve(actor=park_admin, rule_set=draft)
    assert "未按规定设置安全警示标志" not in _next(client, url)


# --- commitments and the archive ----------------------------------------------------------------------


def test_a_signed_commitment_appears_and_its_breach_shows(
    client: Client, page: str, ent_a: Enterprise, ent_a_user: Any, park_admin: Any
) -> None:
    from parkcredit.commitments.models import CommitmentTemplate
    from parkcredit.commitments.services import commitment_breach_declare, commitment_sign

    template = CommitmentTemplate.objects.get(code="construction", is_current=True)
    commitment = commitment_sign(
        actor=ent_a_user, enterprise=ent_a, template=template, scope="二期厂房扩建项目"
    )
    html = _next(client, page)
    assert template.title in html and "履约中" in html
    warm(client, page)
    commitment_breach_declare(actor=park_admin, commitment=commitment, reason="承诺事项未按期完成")
    assert "承诺事项未按期完成" in _next(client, page)


def test_a_rename_through_the_archive_service_renames_title_and_content(
    client: Client, page: str, ent_a: Enterprise, park_admin: Any
) -> None:
    from parkcredit.enterprises.services import enterprise_update

    enterprise_update(actor=park_admin, enterprise=ent_a, data={"name": "甲精密机械股份有限公司"})
    html = _next(client, page)
    assert "<title>甲精密机械股份有限公司 ·" in html
    assert '<dd class="col-7 text-wrap">甲精密机械股份有限公司</dd>' in html


def test_a_rename_through_the_archive_import(
    client: Client, page: str, ent_a: Enterprise, park_admin: Any
) -> None:
    from parkcredit.records.importing.services import import_run

    data = f"统一社会信用代码,企业名称\n{ent_a.uscc},甲精密机械(集团)有限公司\n".encode()
    assert import_run(actor=park_admin, profile="enterprise", data=data).error == 0
    assert "甲精密机械(集团)有限公司" in _next(client, page)


# --- correctness does not rest on this process's memory ----------------------------------------------


@pytest.fixture
def two_processes(settings: Any) -> Iterator[list[str]]:
    yield from two_process_caches(settings)


def test_another_process_writing_behind_our_back_is_seen_by_every_process(
    client: Client, ent_a: Enterprise, grade: Any, park_admin: Any, settings: Any, two_processes: list[str]
) -> None:
    from parkcredit.codes.services import code_issue

    grade(ent_a, "B")
    code = code_issue(actor=park_admin, enterprise=ent_a)
    url = _url(ent_a)
    for alias in two_processes:
        settings.PORTAL_PAGE_CACHE = alias
        assert f'href="{code.url}"' in warm(client, url)
    stamp = selectors.public_page_stamp(ent_a.uscc)
    assert stamp is not None
    old = pagecache.page_key(stamp=stamp, now=timezone.now(), language="zh-hans")
    # Plain SQL, as another program would write: no service, no signal, no cache touched.
    from parkcredit.codes.models import EnterpriseCode

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EnterpriseCode._meta.db_table} SET revoked_at = %s WHERE id = %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(timezone.now()), code.pk],
        )
        cursor.execute(
            f"UPDATE {Enterprise._meta.db_table} SET name = %s WHERE id = %s",  # noqa: S608
            ["甲精密机械(已更名)有限公司", ent_a.pk],
        )
    for alias in two_processes:
        settings.PORTAL_PAGE_CACHE = alias
        # The old copy is still in this process's cache: nothing invalidated it, nothing needed to.
        assert caches[alias].get(old.body) is not None
        html = get_page(client, url)
        assert f'href="{code.url}"' not in html and "甲精密机械(已更名)有限公司" in html


def test_a_render_that_saw_a_later_state_is_not_stored(
    client: Client, ent_a: Enterprise, grade: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    grade(ent_a, "B")
    url = _url(ent_a)
    real = selectors.public_page_stamp(ent_a.uscc)
    assert real is not None
    now = timezone.now()

    def stamp(row: str) -> selectors.PublicPageStamp:
        return selectors.PublicPageStamp(enterprise_id=real.enterprise_id, name=real.name, row=(row,))

    def key(row: str) -> Any:
        return pagecache.page_key(stamp=stamp(row), now=now, language="zh-hans")

    # The state changes while the page renders: the stamp read afterwards differs.
    stamps = iter([stamp("before"), stamp("after")])
    monkeypatch.setattr(selectors, "public_page_stamp", lambda uscc: next(stamps))
    with time_machine.travel(now, tick=False):
        assert _grade(get_page(client, url)) == "B"
    assert pagecache.page_cache().get(key("before").body) is None
    assert pagecache.page_cache().get(key("before").page(url)) is None
    # A steady state is stored.
    monkeypatch.setattr(selectors, "public_page_stamp", lambda uscc: stamp("steady"))
    with time_machine.travel(now, tick=False):
        get_page(client, url)
    assert pagecache.page_cache().get(key("steady").body) is not None
    assert pagecache.page_cache().get(key("steady").page(url)) is not None


def test_a_failing_cache_costs_a_render_not_the_page(
    client: Client, ent_a: Enterprise, grade: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagecache, "page_cache", DownCache)
    grade(ent_a, "B")
    assert _grade(get_page(client, _url(ent_a))) == "B"
    _regrade(ent_a, "D")
    assert _grade(get_page(client, _url(ent_a))) == "D"


# --- what each visitor gets ---------------------------------------------------------------------------


def test_conditional_get_answers_304_until_anything_shown_changes(
    client: Client, ent_a: Enterprise, grade: Any, park_admin: Any
) -> None:
    grade(ent_a, "B")
    url = _url(ent_a)
    cookieless = client.get(url)  # sets the CSRF cookie the page's form token belongs to
    first = client.get(url)
    tag = first["ETag"]
    # A new cookie means a new form token in the page: the copy without it is no longer good.
    assert cookieless["ETag"] != tag
    assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    assert "Cookie" in first["Vary"]
    again = client.get(url, headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag
    black = services.list_create(actor=park_admin, kind="black", title="条件请求黑名单", period="2026")
    services.list_entry_add(actor=park_admin, published_list=black, uscc=ent_a.uscc, reason="测试")
    services.list_publish(actor=park_admin, published_list=black)
    changed = client.get(url, headers={"if-none-match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert "条件请求黑名单" in changed.content.decode()


def test_the_form_token_filled_into_a_cached_page_is_accepted(ent_a: Enterprise, grade: Any) -> None:
    grade(ent_a, "B")
    url = _url(ent_a)
    visitor = Client(enforce_csrf_checks=True)
    visitor.get(url)
    html = warm(visitor, url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token and token.group(1) != str(common_pagecache.CSRF_HOLE)
    answer = visitor.post(
        reverse("set_language"), {"csrfmiddlewaretoken": token.group(1), "language": "en", "next": url}
    )
    assert answer.status_code == 302
    english = get_page(visitor, url)
    assert '<html lang="en">' in english and _grade(english) == "B"


def test_signed_in_users_get_the_same_content_in_their_own_frame(
    client: Client, login: Any, ent_a: Enterprise, grade: Any
) -> None:
    grade(ent_a, "B")
    url = _url(ent_a)
    anonymous = warm(client, url)
    admin = login("park_admin")
    with CaptureQueriesContext(connection) as queries:
        response = admin.get(url)
    html = response.content.decode()
    assert _grade(html) == _grade(anonymous) and ent_a.name in html
    assert "王主任" in html  # the signed-in user's own navigation, never cached
    # The stamp, read once: a render would read it again afterwards (and the profile's tables).
    assert len([q for q in queries if "pub_e" in q["sql"]]) == 1
    assert not response.has_header("ETag") and "no-store" in response["Cache-Control"]


def test_a_query_string_is_served_correctly_but_not_from_the_whole_page_cache(
    client: Client, page: str, ent_a: Enterprise, grade: Any
) -> None:
    response = client.get(f"{page}?from=poster")
    assert f'value="{page}?from=poster"' in response.content.decode()
    assert not response.has_header("ETag")
    _regrade(ent_a, "A")
    assert _grade(get_page(client, f"{page}?from=poster")) == "A"
