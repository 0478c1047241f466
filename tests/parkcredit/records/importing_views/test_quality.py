"""The data quality page shows the real figures of each source: errors, queue share, coverage, volume."""

from __future__ import annotations

import json
import re
from typing import Any

from django.urls import reverse

from parkcredit.records.models import DataSource
from tests import factories as f

from .conftest import penalty_csv, penalty_row

QUALITY = reverse("records:quality")
CHART = re.compile(r'<script id="chart-source-\d+" type="application/json">(.*?)</script>')


def card(html: str, code: str) -> str:
    start = html.index(f'data-testid="quality-{code}"')
    end = html.find('data-testid="quality-', start + 1)
    return html[start : end if end != -1 else len(html)]


def stat(fragment: str, key: str) -> str:
    found = re.search(rf'data-stat="{key}">([^<]*)<', fragment)
    assert found, key
    return found.group(1).strip()


def test_quality_figures_come_from_the_imports(login: Any, ent_a: Any, ent_b: Any) -> None:
    source = DataSource.objects.create(code="scjgj", name="市场监管局", kind="department")
    f.make_enterprise("丁园外物流有限公司", in_park=False)
    rows = [
        penalty_row(ent_a.name, ent_a.uscc, "测市监罚〔2024〕1001号"),
        penalty_row(ent_a.name, ent_a.uscc, "测市监罚〔2024〕1002号"),
        penalty_row(ent_a.name, ent_a.uscc, "测市监罚〔2024〕1003号", CF_JDRQ="不是日期"),
        penalty_row("戊新能源有限公司", f.make_uscc(), "测市监罚〔2024〕1004号"),
    ]
    client = login("dept_staff")
    client.post(
        reverse("records:import_upload"),
        {"profile": "penalty", "file": penalty_csv(rows), "source": source.pk},
    )

    html = login("inspector").get(QUALITY).content.decode()
    fragment = card(html, "scjgj")
    assert "市场监管局" in fragment
    assert stat(fragment, "error_rate") == "25.0%"  # 1 of 4 rows
    assert stat(fragment, "unmatched_share") == "25.0%"  # 1 of 4 rows
    assert stat(fragment, "coverage") == "50.0%"  # ent_a of the two park enterprises
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", stat(fragment, "last_import"))

    script = CHART.search(fragment)
    assert script
    chart = json.loads(script.group(1))
    assert chart["type"] == "bar"
    assert sum(chart["series"][0]["data"]) == 4
    assert len(chart["categories"]) == 1


def test_quality_page_without_imports_says_so(login: Any) -> None:
    html = login("park_admin").get(QUALITY).content.decode()
    assert "还没有导入过数据" in html
    assert "echarts.min.js" in html
