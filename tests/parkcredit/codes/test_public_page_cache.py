"""The cached verification page: after any change, the very next request shows the new state.

Every test warms the cache first (a second request answered with the stamp query alone proves
the page came from the cache), then changes one thing the page shows, through a service, the
bulk import's raw SQL, or plain SQL behind the application's back (another process, no signals),
and expects the next request to show the change, exactly as an uncached render would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from creditcore import codesign
from parkcredit.codes import pagecache
from parkcredit.codes.keys import park_verifier
from parkcredit.codes.models import EnterpriseCode
from parkcredit.codes.selectors import code_page_stamp, token_check
from parkcredit.codes.services import code_reissue_on_grade_change, code_revoke
from parkcredit.enterprises.models import Enterprise
from tests import factories as f
from tests.parkcredit.codes.support import give_grade, issued_code
from tests.parkcredit.pagecache_support import (
    DownCache,
    get_page,
    next_page,
    two_process_caches,
    warm,
    without_tokens,
)

RECENT = timezone.localdate() - timedelta(days=30)
SHOWN_TIME = re.compile(r"验证时间 [0-9: -]+")


def _verdict(html: str) -> tuple[str, str]:
    match = re.search(r'data-testid="code-verdict" data-valid="(\w+)" data-reason="(\w+)"', html)
    assert match, html[:2000]
    return match.group(1), match.group(2)


def _normalised(html: str) -> str:
    return SHOWN_TIME.sub("验证时间 -", without_tokens(html))


def _next(client: Client, url: str) -> str:
    """The next request after a change, which must equal a render with every cache emptied."""
    return next_page(client, url, cache=pagecache.page_cache(), normalised=_normalised)


@pytest.fixture
def copies_kept_long(monkeypatch: pytest.MonkeyPatch) -> None:
    """Copies kept far past their lifetime (a shared cache with its own clock, say): the key
    alone must then keep a page right when time passes."""
    monkeypatch.setattr(pagecache, "lifetime", lambda check, now: 10**7)


@pytest.fixture
def page(client: Client, ent_a: Enterprise) -> tuple[EnterpriseCode, str]:
    code = issued_code(ent_a, "B")
    html = warm(client, code.url)
    assert _verdict(html) == ("true", codesign.OK)
    return code, code.url


# --- the code itself ---------------------------------------------------------------------------------


def test_a_warm_hit_is_one_query_and_the_same_page(client: Client, ent_a: Enterprise) -> None:
    url = issued_code(ent_a).url
    first = get_page(client, url)
    with CaptureQueriesContext(connection) as queries:
        second = get_page(client, url)
    assert len(queries) == 1
    assert "c.token" in queries[0]["sql"]
    assert _normalised(first) == _normalised(second)


def test_revocation_shows_on_the_next_request(
    client: Client, page: tuple[EnterpriseCode, str], park_admin: Any
) -> None:
    code, url = page
    code_revoke(actor=park_admin, code=code, reason="核实中")
    assert _verdict(_next(client, url)) == ("false", codesign.REVOKED)


def test_reissue_on_grade_change_supersedes_the_page_at_once(
    client: Client, page: tuple[EnterpriseCode, str], ent_a: Enterprise
) -> None:
    _code, url = page
    give_grade(ent_a, "A")
    (new,) = code_reissue_on_grade_change(changes=[(ent_a.pk, "B", "A")])
    html = _next(client, url)
    assert _verdict(html) == ("false", codesign.SUPERSEDED)
    assert f'href="{new.url}"' in html
    # The newer code's own page, and the link after it is revoked in turn.
    assert _verdict(warm(client, new.url)) == ("true", codesign.OK)
    code_revoke(actor=None, code=new, reason="核实中")
    assert f'href="{new.url}"' not in _next(client, url)


def test_expiry_shows_the_second_the_validity_ends(
    client: Client, page: tuple[EnterpriseCode, str], copies_kept_long: None
) -> None:
    code, url = page
    with time_machine.travel(code.valid_until - timedelta(seconds=1), tick=False):
        assert _verdict(warm(client, url)) == ("true", codesign.OK)
    with time_machine.travel(code.valid_until, tick=False):
        assert _verdict(_next(client, url)) == ("false", codesign.EXPIRED)


def test_a_code_from_a_fast_clock_becomes_valid_when_its_time_comes(
    client: Client, page: tuple[EnterpriseCode, str], copies_kept_long: None
) -> None:
    code, url = page
    with time_machine.travel(code.issued_at - codesign.CLOCK_LEEWAY - timedelta(seconds=1), tick=False):
        assert _verdict(warm(client, url)) == ("false", codesign.NOT_YET_VALID)
    with time_machine.travel(code.issued_at - codesign.CLOCK_LEEWAY, tick=False):
        assert _verdict(_next(client, url)) == ("true", codesign.OK)


def test_a_copy_never_outlives_the_validity_or_the_day() -> None:
    now = timezone.make_aware(datetime.combine(timezone.localdate(), time(23, 59, 0)))
    claims = codesign.CodeClaims(
        uscc=f.make_uscc(5),
        serial=1,
        grade="B",
        issued_at=now - timedelta(days=1),
        valid_until=now + timedelta(days=9),
    )
    check = codesign.claims_check_at(claims, now=now)
    assert pagecache.lifetime(check, now=now) == 60  # local midnight comes first
    ending = codesign.claims_check_at(replace(claims, valid_until=now + timedelta(seconds=7)), now=now)
    assert pagecache.lifetime(ending, now=now) == 7
    noon = now.replace(hour=12)
    assert pagecache.lifetime(codesign.claims_check_at(claims, now=noon), now=noon) == pagecache.MAX_SECONDS


# --- public records -----------------------------------------------------------------------------------


def test_a_record_registered_through_the_service_appears(
    client: Client, page: tuple[EnterpriseCode, str], ent_a: Enterprise, park_admin: Any
) -> None:
    from parkcredit.records.services import record_register

    _code, url = page
    record_register(
        actor=park_admin,
        enterprise=ent_a,
        kind="penalty",
        source=f.data_source(),
        source_ref="缓存测罚〔2026〕1号",
        decided_on=RECENT,
        severity="general",
        summary="未按规定设置安全警示标志",
    )
    assert "未按规定设置安全警示标志" in _next(client, url)


@pytest.mark.parametrize(
    "event_type",
    ["disputed", "revoked", "repaired", "publicity_ended"],
)
def test_a_record_event_through_the_service_takes_the_record_off(
    client: Client, ent_a: Enterprise, park_admin: Any, ent_a_user: Any, event_type: str
) -> None:
    from parkcredit.records.services import record_event_append

    record = f.make_record(ent_a, decided_on=RECENT, summary="未按规定设置安全警示标志")
    url = issued_code(ent_a).url
    assert "未按规定设置安全警示标志" in warm(client, url)
    actor = ent_a_user if event_type == "disputed" else park_admin
    record_event_append(actor=actor, record=record, event_type=event_type)
    assert "未按规定设置安全警示标志" not in _next(client, url)


def test_a_dispute_through_the_objection_service_and_its_rejection(
    client: Client, ent_a: Enterprise, ent_a_user: Any, park_admin: Any
) -> None:
    from parkcredit.objections.services import objection_decide, objection_submit

    record = f.make_record(ent_a, decided_on=RECENT, summary="未按规定设置安全警示标志")
    url = issued_code(ent_a).url
    assert "未按规定设置安全警示标志" in warm(client, url)
    objection = objection_submit(actor=ent_a_user, record=record, reasons="该处罚已于次日撤销,附撤销决定书。")
    assert "未按规定设置安全警示标志" not in _next(client, url)
    warm(client, url)
    objection_decide(actor=park_admin, objection=objection, upheld=False, note="经核实,处罚决定有效。")
    assert "未按规定设置安全警示标志" in _next(client, url)


def test_publicity_ending_with_time_takes_the_record_off(
    client: Client, ent_a: Enterprise, park_admin: Any, copies_kept_long: None
) -> None:
    from parkcredit.repair.selectors import record_window

    record = f.make_record(ent_a, decided_on=RECENT, summary="未按规定设置安全警示标志")
    window = record_window(record)
    assert window is not None and window.publicity_end is not None
    url = issued_code(ent_a).url
    last_day = timezone.make_aware(datetime.combine(window.publicity_end - timedelta(days=1), time(23, 59)))
    with time_machine.travel(last_day, tick=False):
        assert "未按规定设置安全警示标志" in warm(client, url)
    with time_machine.travel(last_day + timedelta(minutes=1), tick=False):
        assert "未按规定设置安全警示标志" not in _next(client, url)


def test_an_approved_rule_set_shortening_publicity_takes_the_record_off(
    client: Client, ent_a: Enterprise, park_admin: Any, dept_staff: Any
) -> None:
    import copy

    from creditcore.repair_rules import BUILTIN_RULE_SETS
    from parkcredit.repair.services import rule_set_approve, rule_set_submit

    decided = timezone.localdate() - timedelta(days=230)  # in a 12-month window, past a 6-month one
    f.make_record(ent_a, decided_on=decided, summary="未按规定设置安全警示标志")
    url = issued_code(ent_a).url
    assert "未按规定设置安全警示标志" in warm(client, url)
    rules = copy.deepcopy(BUILTIN_RULE_SETS[1])
    for rule in rules["rules"]:
        if rule["kind"] == "penalty" and rule["severity"] == "general":
            rule["max_months"] = 6
    draft = rule_set_submit(actor=dept_staff, rules=rules, note="缩短一般处罚公示期")
    assert "未按规定设置安全警示标志" in _next(client, url)  # a draft changes nothing
    rule_set_approve(actor=park_admin, rule_set=draft)
    assert "未按规定设置安全警示标志" not in _next(client, url)


def test_a_catalogue_change_renames_the_kind_on_the_page(
    client: Client, ent_a: Enterprise, system_admin: Any
) -> None:
    from django.contrib.admin.sites import site

    from parkcredit.records.models import RecordKind

    f.make_record(ent_a, decided_on=RECENT)
    url = issued_code(ent_a).url
    kind = RecordKind.objects.get(code="penalty")
    assert kind.name in warm(client, url)
    # The admin's own save path (AuditedAdmin.save_model), as a system administrator uses it.
    kind.name = "行政处罚(园区目录改名)"
    admin = site._registry[RecordKind]
    request = type("Request", (), {"user": system_admin, "META": {"REMOTE_ADDR": "127.0.0.1"}})()
    admin.save_model(request, kind, form=None, change=True)
    assert "行政处罚(园区目录改名)" in _next(client, url)


# --- the bulk import (raw SQL / COPY, no signals) ------------------------------------------------------


def _penalty_file(ent: Enterprise, ref: str, *, amount: str = "0.2", status: str = "") -> bytes:
    from tests.parkcredit.records.importing.helpers import penalty_csv, penalty_line

    day = f"{RECENT:%Y/%m/%d}"
    return penalty_csv(penalty_line(ent.name, ent.uscc, ref, amount=amount, day=day, status=status))


def test_bulk_import_new_corrected_and_revoked_records(
    client: Client, page: tuple[EnterpriseCode, str], ent_a: Enterprise, park_admin: Any
) -> None:
    from parkcredit.records.importing.services import import_run

    _code, url = page
    report = import_run(actor=park_admin, profile="penalty", data=_penalty_file(ent_a, "批量〔2026〕1号"))
    assert report.new == 1
    html = _next(client, url)
    assert "批量〔2026〕1号" in html and "2,000" in html
    warm(client, url)
    report = import_run(
        actor=park_admin, profile="penalty", data=_penalty_file(ent_a, "批量〔2026〕1号", amount="0.5")
    )
    assert report.as_dict()["corrected"] == 1
    html = _next(client, url)
    assert "5,000" in html and "2,000" not in html
    warm(client, url)
    report = import_run(
        actor=park_admin,
        profile="penalty",
        data=_penalty_file(ent_a, "批量〔2026〕1号", amount="0.5", status="已撤销"),
    )
    assert report.as_dict()["revoked"] == 1
    assert "批量〔2026〕1号" not in _next(client, url)


def test_undoing_an_import_batch_takes_its_records_off(
    client: Client, page: tuple[EnterpriseCode, str], ent_a: Enterprise, park_admin: Any
) -> None:
    from parkcredit.records.importing.services import import_batch_undo, import_run
    from parkcredit.records.models import ImportBatch

    _code, url = page
    report = import_run(actor=park_admin, profile="penalty", data=_penalty_file(ent_a, "批量〔2026〕2号"))
    assert report.batch_id is not None and "批量〔2026〕2号" in _next(client, url)
    warm(client, url)
    import_batch_undo(actor=park_admin, batch=ImportBatch.objects.get(pk=report.batch_id))
    assert "批量〔2026〕2号" not in _next(client, url)


def test_a_name_change_through_the_archive_import(
    client: Client, page: tuple[EnterpriseCode, str], ent_a: Enterprise, park_admin: Any
) -> None:
    from parkcredit.records.importing.services import import_run

    _code, url = page
    data = f"统一社会信用代码,企业名称\n{ent_a.uscc},甲精密机械(集团)有限公司\n".encode()
    assert import_run(actor=park_admin, profile="enterprise", data=data).error == 0
    assert "甲精密机械(集团)有限公司" in _next(client, url)


# --- commitments and the archive --------------------------------------------------------------------


def test_a_signed_commitment_appears_and_its_breach_shows(
    client: Client, page: tuple[EnterpriseCode, str], ent_a: Enterprise, ent_a_user: Any, park_admin: Any
) -> None:
    from parkcredit.commitments.models import CommitmentTemplate
    from parkcredit.commitments.services import commitment_breach_declare, commitment_sign

    _code, url = page
    template = CommitmentTemplate.objects.get(code="construction", is_current=True)
    commitment = commitment_sign(
        actor=ent_a_user, enterprise=ent_a, template=template, scope="二期厂房扩建项目"
    )
    html = _next(client, url)
    assert template.title in html and "履约中" in html
    warm(client, url)
    commitment_breach_declare(actor=park_admin, commitment=commitment, reason="承诺事项未按期完成")
    assert "承诺事项未按期完成" in _next(client, url)


def test_a_commitment_withdrawn_from_publicity_without_any_event_disappears(
    client: Client, ent_a: Enterprise, ent_a_user: Any
) -> None:
    from parkcredit.commitments.models import Commitment, CommitmentTemplate
    from parkcredit.commitments.services import commitment_sign

    template = CommitmentTemplate.objects.get(code="construction", is_current=True)
    commitment = commitment_sign(
        actor=ent_a_user, enterprise=ent_a, template=template, scope="二期厂房扩建项目"
    )
    url = issued_code(ent_a).url
    assert commitment.number in warm(client, url)
    # A commitment row changed in place with no event (no service does this today; a future one
    # or a hand-made fix might): the page reads the shown fields themselves.
    Commitment.objects.filter(number=commitment.number).update(is_public=False)
    assert commitment.number not in _next(client, url)


def test_a_name_change_through_the_archive_service(
    client: Client, page: tuple[EnterpriseCode, str], ent_a: Enterprise, park_admin: Any
) -> None:
    from parkcredit.enterprises.services import enterprise_update

    _code, url = page
    enterprise_update(actor=park_admin, enterprise=ent_a, data={"name": "甲精密机械股份有限公司"})
    assert "甲精密机械股份有限公司" in _next(client, url)


# --- correctness does not rest on this process's memory ----------------------------------------------


@pytest.fixture
def two_processes(settings: Any) -> Iterator[list[str]]:
    yield from two_process_caches(settings)


def test_another_process_writing_behind_our_back_is_seen_by_every_process(
    client: Client, ent_a: Enterprise, settings: Any, two_processes: list[str]
) -> None:
    code = issued_code(ent_a)
    for alias in two_processes:
        settings.CODE_PAGE_CACHE = alias
        assert _verdict(warm(client, code.url)) == ("true", codesign.OK)
    now = timezone.now()
    old = pagecache.page_key(
        token=code.token or "",
        check=token_check(code.token or "", now=now),
        stamp=code_page_stamp(code.token or ""),
        now=now,
        language="zh-hans",
    )
    # Plain SQL, as another program would write: no service, no signal, no cache touched.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EnterpriseCode._meta.db_table} SET revoked_at = %s WHERE id = %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now), code.pk],
        )
        cursor.execute(
            f"UPDATE {Enterprise._meta.db_table} SET name = %s WHERE id = %s",  # noqa: S608
            ["甲精密机械(已更名)有限公司", ent_a.pk],
        )
    for alias in two_processes:
        settings.CODE_PAGE_CACHE = alias
        # The old copy is still in this process's cache: nothing invalidated it, nothing needed to.
        assert caches[alias].get(old.body) is not None
        html = get_page(client, code.url)
        assert _verdict(html) == ("false", codesign.REVOKED)
        assert "甲精密机械(已更名)有限公司" in html


def test_a_render_that_saw_a_later_state_is_not_stored(
    client: Client, ent_a: Enterprise, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = issued_code(ent_a)
    token = code.token or ""
    now = timezone.now()

    def key(stamp: tuple[str]) -> pagecache.PageKey:
        check = token_check(token, now=now)
        return pagecache.page_key(token=token, check=check, stamp=stamp, now=now, language="zh-hans")

    # The state changes while the page renders: the stamp read afterwards differs.
    stamps = iter([("before",), ("after",)])
    monkeypatch.setattr("parkcredit.codes.views.code_page_stamp", lambda token: next(stamps))
    with time_machine.travel(now, tick=False):
        assert _verdict(get_page(client, code.url)) == ("true", codesign.OK)
    assert cache.get(key(("before",)).body) is None
    assert cache.get(key(("before",)).page(code.url)) is None
    # A steady state is stored.
    monkeypatch.setattr("parkcredit.codes.views.code_page_stamp", lambda token: ("steady",))
    with time_machine.travel(now, tick=False):
        get_page(client, code.url)
    assert cache.get(key(("steady",)).body) is not None
    assert cache.get(key(("steady",)).page(code.url)) is not None


def test_a_failing_cache_costs_a_render_not_the_page(
    client: Client, ent_a: Enterprise, park_admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagecache, "page_cache", DownCache)
    code = issued_code(ent_a)
    assert _verdict(get_page(client, code.url)) == ("true", codesign.OK)
    code_revoke(actor=park_admin, code=code, reason="核实中")
    assert _verdict(get_page(client, code.url)) == ("false", codesign.REVOKED)


# --- what is remembered, and what each visitor gets ---------------------------------------------------


def test_the_signature_is_verified_once_per_token_and_process(
    client: Client, ent_a: Enterprise, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parkcredit.codes import selectors

    url = issued_code(ent_a).url
    verifier = park_verifier()
    selectors._signatures.pop(verifier, None)  # tokens of earlier tests may repeat (same pk, second)
    calls: list[bytes] = []
    verify = verifier.verify

    def counting(message: bytes, signature: bytes) -> bool:
        calls.append(message)
        return verify(message, signature)

    monkeypatch.setattr(verifier, "verify", counting)
    for _ in range(3):
        cache.clear()  # a fresh render each time: only the signature is remembered
        assert _verdict(get_page(client, url)) == ("true", codesign.OK)
    assert len(calls) == 1


def test_the_signature_memo_is_bounded_and_skips_garbage(
    ent_a: Enterprise, ent_b: Enterprise, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parkcredit.codes import selectors

    tokens = [issued_code(ent_a).token or "", issued_code(ent_b).token or ""]
    tokens.append(issued_code(ent_a, "A").token or "")
    verifier = park_verifier()
    selectors._signatures.pop(verifier, None)
    monkeypatch.setattr(selectors, "SIGNATURE_MEMO_SIZE", 2)
    for token in [*tokens, "garbage", "x" * 5000]:
        token_check(token)
    memo = selectors._signatures[verifier]
    assert list(memo) == tokens[1:]  # the oldest went first; malformed text is never kept
    assert token_check(tokens[0]).valid  # forgotten is only re-checked


def test_forged_tokens_cost_no_query_and_share_one_copy(client: Client, ent_a: Enterprise) -> None:
    import base64

    token = issued_code(ent_a).token or ""
    raw = bytearray(base64.urlsafe_b64decode(token))
    forged = []
    for position in (20, 21):
        changed = bytearray(raw)
        changed[position] ^= 0x01
        forged.append(base64.urlsafe_b64encode(bytes(changed)).decode())
    get_page(client, f"/c/{forged[0]}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/c/{forged[1]}")
    assert len(queries) == 0
    assert _verdict(response.content.decode()) == ("false", codesign.BAD_SIGNATURE)
    assert ent_a.name not in response.content.decode()
    assert not response.has_header("ETag") and "no-store" in response["Cache-Control"]


def test_conditional_get_answers_304_until_anything_shown_changes(
    client: Client, ent_a: Enterprise, park_admin: Any
) -> None:
    code = issued_code(ent_a)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        cookieless = client.get(code.url)  # sets the CSRF cookie the page's form token belongs to
        first = client.get(code.url)
        tag = first["ETag"]
        # A new cookie means a new form token in the page: the copy without it is no longer good.
        assert cookieless["ETag"] != tag
        assert "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
        assert "Cookie" in first["Vary"] and "noindex" in first["X-Robots-Tag"]
        again = client.get(code.url, headers={"if-none-match": tag})
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == tag and "noindex" in again["X-Robots-Tag"]
        clock.shift(timedelta(minutes=1))  # the verification time shown would change
        later = client.get(code.url, headers={"if-none-match": tag})
        assert later.status_code == 200 and later["ETag"] != tag
        tag = later["ETag"]
        code_revoke(actor=park_admin, code=code, reason="核实中")
        revoked = client.get(code.url, headers={"if-none-match": tag})
        assert revoked.status_code == 200
        assert _verdict(revoked.content.decode()) == ("false", codesign.REVOKED)


def test_the_form_token_filled_into_a_cached_page_is_accepted(ent_a: Enterprise) -> None:
    url = issued_code(ent_a).url
    visitor = Client(enforce_csrf_checks=True)
    visitor.get(url)
    html = warm(visitor, url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token and token.group(1) != str(pagecache.CSRF_HOLE)
    answer = visitor.post(
        reverse("set_language"), {"csrfmiddlewaretoken": token.group(1), "language": "en", "next": url}
    )
    assert answer.status_code == 302
    english = get_page(visitor, url)
    assert '<html lang="en">' in english and _verdict(english) == ("true", codesign.OK)


def test_signed_in_users_get_the_same_content_in_their_own_frame(
    client: Client, login: Any, ent_a: Enterprise
) -> None:
    url = issued_code(ent_a).url
    anonymous = warm(client, url)
    admin = login("park_admin")
    response = admin.get(url)
    html = response.content.decode()
    assert _verdict(html) == _verdict(anonymous) and ent_a.name in html
    assert "王主任" in html  # the signed-in user's own navigation, never cached
    assert not response.has_header("ETag") and "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_a_query_string_is_served_correctly_but_not_from_the_whole_page_cache(
    client: Client, page: tuple[EnterpriseCode, str], park_admin: Any
) -> None:
    code, url = page
    html = get_page(client, f"{url}?from=poster")
    assert f'value="{url}?from=poster"' in html
    code_revoke(actor=park_admin, code=code, reason="核实中")
    assert _verdict(get_page(client, f"{url}?from=poster")) == ("false", codesign.REVOKED)


def test_date_of_record_window_is_the_pages_day(
    client: Client, ent_a: Enterprise, copies_kept_long: None
) -> None:
    # A record decided tomorrow is not public today, and is tomorrow.
    tomorrow = timezone.localdate() + timedelta(days=1)
    f.make_record(ent_a, decided_on=tomorrow, summary="明天作出的决定")
    url = issued_code(ent_a).url
    assert "明天作出的决定" not in warm(client, url)
    noon = timezone.make_aware(datetime.combine(tomorrow, time(12)))
    with time_machine.travel(noon, tick=False):
        assert "明天作出的决定" in _next(client, url)
