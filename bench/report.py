"""Benchmark: credit report PDF generation and the cached public pages (code page, portal page).

    python bench/report.py [--quick] [--reports N] [--seconds S] [--records K]

Sets up a throw-away SQLite database in a temporary folder (migrated, the default scoring model
seeded, one enterprise with K credit records scored, a park administrator), then measures:

- ``pdf_median_s``: median wall time of `report_generate` over N reports of that enterprise (the
  whole service: reading the archive, score explanation and public records, drawing the PDF with
  the embedded font, SM3 digest, SM2 signature, storing the row and its audit entry); the font is
  registered once before timing, as a running server does at its first report;
- ``code_page_ratio``: requests per second of the public enterprise-code page ``/c/<token>``
  (a code issued with `parkcredit.codes.services.code_issue`, its page cache warm: each request
  reads the page's database stamp and serves the cached copy) divided by requests per second of
  a bare Django view that reads one enterprise by primary key (one indexed SELECT), both through
  Django's test Client and the full middleware stack, measured in the same run in alternating
  rounds of S seconds (the best round of each);
- ``code_page_cold_ratio``: the same with the page cache emptied before every request (a miss
  each time: the page is rendered from the database, as after any change to what it shows);
- ``portal_page_ratio`` and ``portal_page_cold_ratio``: the same two for the portal's public
  enterprise page ``/public/e/<uscc>/`` of that enterprise (grade, code link, a published black
  list, the records in publicity), cached by the same machinery, against the same bare view in
  the same alternating rounds.

Prints JSON lines; the last line is one JSON object. Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import types
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL: dict[str, Any] = {"reports": 21, "seconds": 5.0, "records": 12}
QUICK: dict[str, Any] = {"reports": 5, "seconds": 1.0, "records": 12}
ROUNDS = 3
BENCH_URLCONF = "bench_report_urls"


def emit(obj: dict[str, Any]) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def setup_django(data_dir: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ["PARKCREDIT_DATA_DIR"] = data_dir
    os.environ["CODE_SIGNING_KEY_FILE"] = f"{data_dir}/keys/code-signing-sm2.pem"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_world(records: int) -> tuple[Any, Any]:
    """A park administrator and one scored enterprise with `records` ledger entries."""
    from django.utils import timezone

    from creditcore.uscc import with_check_character
    from parkcredit.accounts.models import Organisation, Role, User
    from parkcredit.enterprises.models import Enterprise
    from parkcredit.records.models import CreditRecord, DataSource, DataSourceKind, RecordEvent, RecordKind
    from parkcredit.scoring.services import scoring_bootstrap

    admin = User.objects.create_user(
        username="bench_admin",
        password=None,  # signs in through the code only
        role=Role.PARK_ADMIN,
        organisation=Organisation.objects.get(code="jjfzb"),
        full_name="基准测试",
        password_changed_at=timezone.now(),
    )
    enterprises = [
        Enterprise.objects.create(
            uscc=with_check_character(f"9141010077{n:06d}X"[:17]),
            name=name,
            legal_representative="张三",
            industry_code="C3484",
            industry_name="机械零部件加工",
            cluster="高端装备制造",
            founded_on=date(2012, 5, 1),
            park_entry_on=date(2016, 3, 1),
            registered_capital=Decimal("5000000"),
            address="示范开发区创新大道 18 号",
        )
        for n, name in enumerate(
            ["豫北精密机械制造有限公司", "中原新材料科技有限公司", "河洛智能装备有限公司"]
        )
    ]
    subject = enterprises[0]
    source, _created = DataSource.objects.get_or_create(
        code="bench", defaults={"name": "基准测试来源", "kind": DataSourceKind.DEPARTMENT}
    )
    kinds = list(RecordKind.objects.filter(code__in=["penalty", "licence", "court-enforcement"]))
    today = timezone.localdate()
    for n in range(records):
        kind = kinds[n % len(kinds)]
        record = CreditRecord.objects.create(
            enterprise=subject,
            kind=kind,
            source=source,
            source_ref=f"基准〔{today.year}〕{n + 1}号",
            severity="general",
            decided_on=today - timedelta(days=40 * (n + 1)),
            amount=Decimal("20000.00") if kind.code == "penalty" else None,
            authority="某市市场监督管理局",
            summary="未按规定公示年度报告,责令改正并处罚款" if kind.code == "penalty" else "依法办理",
        )
        RecordEvent.objects.create(record=record, event_type="created", at=timezone.now())
    scoring_bootstrap(actor=None)
    return admin, subject


def bench_pdf(admin: Any, enterprise: Any, runs: int) -> dict[str, Any]:
    from django.test import override_settings

    from parkcredit.reports.fonts import register_font
    from parkcredit.reports.services import report_generate

    def generate() -> Any:
        return report_generate(actor=admin, enterprise=enterprise)

    t0 = time.perf_counter()
    register_font()
    font_s = time.perf_counter() - t0
    # A deployed park's public address, printed (and QR-coded) in every report as in production.
    with override_settings(PUBLIC_BASE_URL="https://credit.example.gov.cn/"):
        # The first report of a process also loads the signing key and first-use imports, and the
        # first report after a rescore computes the improvement path (cached per score after that).
        t0 = time.perf_counter()
        generate()
        first_s = time.perf_counter() - t0
        times, cpu = [], []
        report = None
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            report = generate()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    assert report is not None
    pdf = bytes(report.pdf)
    return {
        "pdf_median_s": round(statistics.median(times), 4),
        "pdf_min_s": round(min(times), 4),
        "pdf_max_s": round(max(times), 4),
        "pdf_median_cpu_s": round(statistics.median(cpu), 4),
        "pdf_bytes": report.size,
        "pdf_pages": pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page "),
        "font_register_s": round(font_s, 3),
        "first_report_s": round(first_s, 3),
        "reports": runs,
    }


def _install_urlconf(enterprise_pk: int) -> None:
    """The project's URLs plus the bare reference view, as the bench's own URL module.

    The reference view does what the scale notes call a bare view: one indexed SELECT (an
    enterprise by primary key) and a short response, through the same middleware and client.
    """
    from django.http import HttpResponse
    from django.urls import include, path

    from parkcredit.enterprises.models import Enterprise

    def bare_view(request: Any) -> HttpResponse:
        enterprise = Enterprise.objects.get(pk=enterprise_pk)
        return HttpResponse(enterprise.name, content_type="text/plain; charset=utf-8")

    module = types.ModuleType(BENCH_URLCONF)
    module.urlpatterns = [path("bench-bare/", bare_view), path("", include("config.urls"))]  # type: ignore[attr-defined]
    sys.modules[BENCH_URLCONF] = module


def _rate(client: Any, url: str, seconds: float, before: Any = None) -> float:
    """Requests per second of `url` over (at least) `seconds` of back-to-back GETs.

    `before`, when given, runs before every request and is timed with it.
    """
    count = 0
    t0 = time.perf_counter()
    while True:
        if before is not None:
            before()
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} 返回 {response.status_code}")
        count += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return count / elapsed


def _queries(client: Any, url: str) -> int:
    """Database queries of one GET of `url` (counted where they execute)."""
    from django.db import connection

    count = 0

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        client.get(url)
    return count


def bench_public_pages(admin: Any, enterprise: Any, seconds: float) -> dict[str, Any]:
    """The code page and the portal's enterprise page, warm and cold, against the bare view."""
    from django.test import Client, override_settings
    from django.urls import reverse

    from parkcredit.codes.pagecache import page_cache as code_cache
    from parkcredit.codes.services import code_issue
    from parkcredit.portal import services as portal
    from parkcredit.portal.pagecache import page_cache as portal_cache

    code = code_issue(actor=admin, enterprise=enterprise)
    listed = portal.list_create(actor=admin, kind="black", title="基准测试黑名单", period="2026年")
    portal.list_entry_add(actor=admin, published_list=listed, uscc=enterprise.uscc, reason="基准测试")
    portal.list_publish(actor=admin, published_list=listed)
    portal_url = reverse("portal:enterprise", kwargs={"uscc": enterprise.uscc})
    _install_urlconf(enterprise.pk)
    client = Client(SERVER_NAME="localhost")
    pages = {
        "code_page": (code.url, code_cache().clear),
        "portal_page": (portal_url, portal_cache().clear),
    }
    with override_settings(ROOT_URLCONF=BENCH_URLCONF):
        page = client.get(code.url)
        verified = page.status_code == 200 and "已验证" in page.text
        shown = client.get(portal_url)
        portal_shown = (
            shown.status_code == 200 and "基准测试黑名单" in shown.text and enterprise.name in shown.text
        )
        warm_queries = {name: _queries(client, url) for name, (url, _cold) in pages.items()}
        bare_queries = _queries(client, "/bench-bare/")
        _rate(client, "/bench-bare/", seconds / 5)  # warm every path
        for url, cold in pages.values():
            _rate(client, url, seconds / 5)
            _rate(client, url, seconds / 5, before=cold)
        bare: list[float] = []
        warm: dict[str, list[float]] = {name: [] for name in pages}
        missed: dict[str, list[float]] = {name: [] for name in pages}
        # Alternating rounds, best of each: background load on a shared machine only ever slows
        # a round down, so the best round is the closest to the undisturbed rate.
        for _ in range(ROUNDS):
            bare.append(_rate(client, "/bench-bare/", seconds))
            for name, (url, cold) in pages.items():
                warm[name].append(_rate(client, url, seconds))
                missed[name].append(_rate(client, url, seconds, before=cold))
    result: dict[str, Any] = {}
    for name in pages:
        result |= {
            f"{name}_rps": round(max(warm[name]), 1),
            f"{name}_cold_rps": round(max(missed[name]), 1),
            f"{name}_ratio": round(max(warm[name]) / max(bare), 3),
            f"{name}_cold_ratio": round(max(missed[name]) / max(bare), 3),
            f"{name}_warm_queries": warm_queries[name],
        }
    return result | {
        "bare_view_rps": round(max(bare), 1),
        "bare_view_queries": bare_queries,
        "code_page_verified": verified,
        "portal_page_shown": portal_shown,
        "seconds_per_round": seconds,
        "rounds": ROUNDS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="少量报告与请求,一分钟内完成")
    parser.add_argument("--reports", type=int, default=0, help="生成报告的次数(取中位数)")
    parser.add_argument("--seconds", type=float, default=0, help="每轮请求的时长(秒)")
    parser.add_argument("--records", type=int, default=0, help="样本企业的信用记录条数")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    runs = int(args.reports or sizes["reports"])
    seconds = float(args.seconds or sizes["seconds"])
    records = int(args.records or sizes["records"])
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="parkcredit-report-bench-") as data_dir:
        t0 = time.perf_counter()
        setup_django(data_dir)
        admin, enterprise = make_world(records)
        emit({"setup_s": round(time.perf_counter() - t0, 2), "records": records})
        pdf = bench_pdf(admin, enterprise, runs)
        emit(pdf)
        code = bench_public_pages(admin, enterprise, seconds)
        emit(code)
    emit(
        {
            "pdf_median_s": pdf["pdf_median_s"],
            "code_page_ratio": code["code_page_ratio"],
            "code_page_cold_ratio": code["code_page_cold_ratio"],
            "portal_page_ratio": code["portal_page_ratio"],
            "portal_page_cold_ratio": code["portal_page_cold_ratio"],
            "pdf_median_cpu_s": pdf["pdf_median_cpu_s"],
            "code_page_rps": code["code_page_rps"],
            "code_page_cold_rps": code["code_page_cold_rps"],
            "portal_page_rps": code["portal_page_rps"],
            "portal_page_cold_rps": code["portal_page_cold_rps"],
            "bare_view_rps": code["bare_view_rps"],
            "pdf_pages": pdf["pdf_pages"],
            "reports": runs,
            "records": records,
            "seconds": round(time.perf_counter() - started, 1),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        }
    )


if __name__ == "__main__":
    main()
