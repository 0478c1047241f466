"""Chart specs (for static/js/charts.js) of the yield and fairness page."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

GRADE_COLOURS = {"A": "green", "B": "yellow", "C": "red", "D": "black"}


def yield_charts(stats: dict[str, Any]) -> dict[str, Any]:
    """Problem-finding rate by grade, risk-weighted vs random, and inspections per enterprise by grade."""
    if not stats.get("total") and not any(r["visits"] for r in stats.get("grade_rows", [])):
        return {}
    rows = stats["grade_rows"]
    categories = [_("%(grade)s 类") % {"grade": r["grade"]} for r in rows]
    return {
        "rate_chart": {
            "type": "bar",
            "categories": categories,
            "series": [{"name": _("发现问题率(%)"), "data": [r["rate"] for r in rows]}],
        },
        "stratum_chart": {
            "type": "bar",
            "categories": [_("按风险分级抽取"), _("纯随机对照")],
            "series": [
                {"name": _("发现问题率(%)"), "data": [stats["risk"]["rate"], stats["control"]["rate"]]},
            ],
        },
        "per_enterprise_chart": {
            "type": "bar",
            "categories": categories,
            "series": [{"name": _("户均检查次数"), "data": [r["per_enterprise"] for r in rows]}],
        },
    }
