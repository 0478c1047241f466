"""Alert pages: list filters and htmx, detail with path and history, actions, rules, regions and the map."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client
from django.urls import reverse

from parkcredit.alerts.models import Alert, AlertRule, AlertState
from parkcredit.alerts.services import alerts_run, rules_ensure_defaults
from parkcredit.enterprises.models import Building
from tests import factories as f
from tests.parkcredit.alerts.support import relation, serious_penalty, today, unpaid_rent


def _park(ent_a: Any, ent_b: Any) -> None:
    building = Building.objects.create(code="A1", name="A1栋", zone="装备制造园", plot="A区1号地块")
    ent_a.building = building
    ent_a.save()
    f.make_record(ent_a, "court-defaulter", severity="serious", decided_on=today() - timedelta(days=3))
    relation(ent_b, ent_a, "supplier", "0.9")
    unpaid_rent(ent_b, months=4)
    alerts_run()


def test_list_filters_and_htmx_fragment(client: Client, dept_staff: Any, ent_a: Any, ent_b: Any) -> None:
    _park(ent_a, ent_b)
    client.force_login(dept_staff)
    page = client.get(reverse("alerts:list")).content.decode()
    assert ent_a.name in page and ent_b.name in page
    fragment = client.get(reverse("alerts:list") + "?severity=critical", headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" not in html and 'id="alert-results"' in html
    assert ent_a.name in html and ent_b.name not in html
    by_rule = client.get(reverse("alerts:list") + "?rule=arrears").content.decode()
    assert "房租物业费欠缴" in by_rule
    assert ent_b.name in client.get(reverse("alerts:list") + f"?q={ent_b.uscc}").content.decode()


def test_detail_shows_the_propagation_path_and_history(
    client: Client, inspector: Any, ent_a: Any, ent_b: Any
) -> None:
    _park(ent_a, ent_b)
    chain = Alert.objects.get(rule__code="chain")
    client.force_login(inspector)
    page = client.get(reverse("alerts:detail", args=[chain.pk])).content.decode()
    assert "风险传导路径" in page and ent_a.name in page and "供应商" in page
    assert "产生预警" in page
    assert "关闭预警" not in page  # inspectors read, editors act


def test_actions_move_the_lifecycle_and_bad_input_is_explained(
    client: Client, dept_staff: Any, ent_a: Any, ent_b: Any
) -> None:
    _park(ent_a, ent_b)
    alert = Alert.objects.get(rule__code="court_defaulter")
    client.force_login(dept_staff)
    url = reverse("alerts:action", args=[alert.pk])
    assert client.post(url, {"action": "acknowledged"}).status_code == 302
    assert client.post(url, {"action": "handling", "note": "已联系企业"}).status_code == 302
    bad = client.post(url, {"action": "closed", "resolution": ""})
    assert bad.status_code == 400 and "处置结果" in bad.content.decode()
    bad_snooze = client.post(
        url, {"action": "snoozed", "until": (today() + timedelta(days=5)).isoformat(), "reason": ""}
    )
    assert bad_snooze.status_code == 400
    unknown = client.post(url, {"action": "explode"})
    assert unknown.status_code == 400 and "未知操作" in unknown.content.decode()
    assert client.post(url, {"action": "closed", "resolution": "企业已履行"}).status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.CLOSED and alert.resolution == "企业已履行"


def test_rule_edit_page(client: Client, park_admin: Any) -> None:
    rules_ensure_defaults()
    rule = AlertRule.objects.get(code="arrears")
    client.force_login(park_admin)
    url = reverse("alerts:rule_edit", args=[rule.pk])
    assert "逾期天数" in client.get(url).content.decode()
    data = {
        "severity": "warning",
        "enabled": "on",
        "due_workdays": "5",
        "param_min_days": "abc",
        "param_min_bills": "3",
        "param_window_months": "12",
        "param_metrics": "rent_bill,fee_bill",
    }
    bad = client.post(url, data)
    assert "abc" in bad.content.decode() and "不是整数" in bad.content.decode()
    data["param_min_days"] = "45"
    assert client.post(url, data).status_code == 302
    rule.refresh_from_db()
    assert rule.params["min_days"] == 45
    assert "min_days = 45" in client.get(reverse("alerts:rules")).content.decode()


def test_run_button_starts_a_job(client: Client, park_admin: Any, ent_a: Any) -> None:
    serious_penalty(ent_a)
    client.force_login(park_admin)
    response = client.post(reverse("alerts:run"))
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    assert Alert.objects.filter(enterprise=ent_a).exists()
    job_page = client.get(response["Location"]).content.decode()
    assert "新增预警" in job_page


def test_regions_with_drill_down_and_the_park_map(
    client: Client, dept_staff: Any, ent_a: Any, ent_b: Any
) -> None:
    _park(ent_a, ent_b)
    client.force_login(dept_staff)
    page = client.get(reverse("alerts:regions"))
    html = page.content.decode()
    assert "装备制造园" in html and "park-map-data" in html
    cells = page.context["park_map"]["cells"]
    assert [c["code"] for c in cells] == ["A1"] and cells[0]["open_alerts"] == 1
    assert cells[0]["url"].endswith("level=building&key=A1")
    drill = client.get(
        reverse("alerts:regions") + "?level=building&parent_level=zone&parent=装备制造园"
    ).content.decode()
    assert "A1" in drill and "park-map-data" not in drill
    enterprises = client.get(reverse("alerts:region_enterprises") + "?level=building&key=A1").content.decode()
    assert ent_a.name in enterprises and ent_b.name not in enterprises
    by_industry = client.get(reverse("alerts:regions") + "?level=cluster", headers={"HX-Request": "true"})
    assert 'id="region-table"' in by_industry.content.decode()
    assert client.get(reverse("alerts:regions") + "?level=planet").status_code == 404
    data = json.loads(html.split('id="park-map-data" type="application/json">')[1].split("</script>")[0])
    assert data["cells"][0]["zone"] == "装备制造园" and data["labels"]["open_alerts"] == "未关闭预警"


def test_zone_page_reads_the_park_once_and_map_links_are_encoded(
    client: Client, dept_staff: Any, ent_a: Any, monkeypatch: Any
) -> None:
    from parkcredit.alerts import selectors

    building = Building.objects.create(code="B&1#2", name="<b>B1栋</b>", zone="北区", plot="1号地块")
    ent_a.building = building
    ent_a.save()
    reads = []
    real = selectors._enterprise_table

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "_enterprise_table", counted)
    client.force_login(dept_staff)
    page = client.get(reverse("alerts:regions"))
    assert page.status_code == 200 and len(reads) == 1  # rows and map share one read of the park
    cell = page.context["park_map"]["cells"][0]
    assert cell["url"].endswith("?level=building&key=B%261%232")
    drill = client.get(cell["url"]).content.decode()
    assert ent_a.name in drill
