"""Reading the rendered dashboard: chart JSON from json_script tags and the figure cards."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpResponse


def chart(response: HttpResponse, chart_id: str) -> dict[str, Any]:
    """The chart spec the page hands to charts.js under `chart_id`; fails if it is missing."""
    html = response.content.decode()
    match = re.search(
        rf'<script id="{re.escape(chart_id)}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, f"no chart data {chart_id!r} in the page"
    return json.loads(match.group(1))


def stat(response: HttpResponse, key: str) -> str:
    """The text of the figure card `key` as rendered."""
    html = response.content.decode()
    match = re.search(rf'data-stat="{re.escape(key)}">([^<]*)<', html)
    assert match, f"no figure {key!r} in the page"
    return match.group(1).strip()


def series(spec: dict[str, Any], name: str) -> list[int]:
    for item in spec["series"]:
        if item["name"] == name:
            return item["data"]
    raise AssertionError(f"no series {name!r} in {[s['name'] for s in spec['series']]}")
