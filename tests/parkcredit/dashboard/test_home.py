"""The home dashboard through the test client: who gets in, and that every figure is real and scoped."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parkcredit.enterprises.models import EnterpriseTag, TagKind
from parkcredit.records.models import RecordEvent
from tests import factories as f
from tests.conftest import CAST
from tests.parkcredit.dashboard.helpers import chart, series, stat

# Every test here touches the database, some only through `login(...)`; the mark makes pytest-django
# order them before transactional tests, whose teardown flush would remove the seeded departments.
pytestmark = pytest.mark.django_db

HOME = "/"
# A fixed "today" so month buckets do not depend on when the suite runs.
TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_home_url_is_the_root() -> None:
    assert reverse("dashboard:home") == HOME


@pytest.mark.parametrize("member", CAST)
def test_every_signed_in_member_gets_the_dashboard(login: Any, member: str) -> None:
    response = login(member).get(HOME)
    assert response.status_code == 200
    assert "dashboard/home.html" in [t.name for t in response.templates]
    assert response.context["dashboard"] is not None


def test_anonymous_visitor_is_sent_to_login(client: Client, db: Any) -> None:
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse(settings.LOGIN_URL)}?next=/"


@pytest.mark.parametrize(
    ("member", "kind"),
    [
        ("park_admin", "park"),
        ("dept_staff", "park"),
        ("inspector", "park"),
        ("ent_a_user", "enterprise"),
        ("bank_user", "bank"),
        ("system_admin", "admin"),
        ("security_admin", "admin"),
        ("auditor", "admin"),
    ],
)
def test_each_role_gets_its_own_dashboard(login: Any, member: str, kind: str) -> None:
    assert login(member).get(HOME).context["dashboard"].kind == kind


# --- park staff ----------------------------------------------------------------------------------


@pytest.fixture
def park(frozen: Any, db: Any) -> dict[str, Any]:
    """Three park enterprises in two clusters, one outside the park, tags and records over time."""
    machine = f.make_enterprise("机械一号有限公司", cluster="高端装备制造")
    machine2 = f.make_enterprise("机械二号有限公司", cluster="高端装备制造")
    chem = f.make_enterprise("新材料有限公司", cluster="新材料")
    outsider = f.make_enterprise("园外关联公司", cluster="物流", in_park=False)

    EnterpriseTag.objects.create(enterprise=machine, tag=TagKind.HIGH_TECH, since=date(2024, 1, 1))
    EnterpriseTag.objects.create(enterprise=chem, tag=TagKind.HIGH_TECH)
    EnterpriseTag.objects.create(enterprise=chem, tag=TagKind.SPECIALISED, until=date(2027, 12, 31))
    # Expired and not yet valid tags do not count today.
    EnterpriseTag.objects.create(enterprise=machine2, tag=TagKind.GAZELLE, until=date(2025, 12, 31))
    EnterpriseTag.objects.create(enterprise=machine2, tag=TagKind.UNICORN, since=date(2026, 9, 1))
    # A tag on an enterprise outside the park is not a park figure.
    EnterpriseTag.objects.create(enterprise=outsider, tag=TagKind.NEW_ECONOMY)

    records = {
        "penalty_recent": f.make_record(machine, "penalty", decided_on=date(2026, 5, 10)),
        "penalty_june": f.make_record(machine2, "penalty", decided_on=date(2026, 6, 1)),
        "arrears_recent": f.make_record(chem, "park-rent-arrears", decided_on=date(2026, 6, 3)),
        "penalty_old": f.make_record(machine, "penalty", decided_on=date(2024, 2, 20)),
        "penalty_revoked": f.make_record(chem, "penalty", decided_on=date(2026, 3, 1)),
        "honour": f.make_record(chem, "honour", decided_on=date(2025, 11, 5)),
        "licence": f.make_record(machine, "licence", decided_on=date(2026, 5, 20)),
        # Older than three years: counted in totals, outside the monthly charts.
        "ancient": f.make_record(machine2, "penalty", decided_on=date(2020, 1, 1)),
    }
    RecordEvent.objects.create(record=records["penalty_revoked"], event_type="revoked", at=timezone.now())
    return {"machine": machine, "chem": chem, "outsider": outsider, "records": records}


def test_park_figures_are_counted_from_the_database(login: Any, park: dict[str, Any]) -> None:
    response = login("park_admin").get(HOME)
    dashboard = response.context["dashboard"]

    assert dashboard.enterprise_count == 3  # the enterprise outside the park is not counted
    assert dashboard.records.total == 8
    assert dashboard.records.positive == 1
    # penalty_recent, penalty_june, arrears_recent; not the old one and not the revoked one.
    assert dashboard.records.negative_last_year == 3
    assert stat(response, "enterprises") == "3"
    assert stat(response, "records") == "8"
    assert stat(response, "negative_last_year") == "3"
    assert stat(response, "positive") == "1"


def test_cluster_chart_counts_park_enterprises_per_cluster(login: Any, park: dict[str, Any]) -> None:
    spec = chart(login("park_admin").get(HOME), "chart-cluster")
    assert spec["type"] == "pie"
    assert spec["items"] == [{"name": "高端装备制造", "value": 2}, {"name": "新材料", "value": 1}]


def test_tag_chart_counts_tags_valid_today(login: Any, park: dict[str, Any]) -> None:
    spec = chart(login("park_admin").get(HOME), "chart-tags")
    assert spec["categories"] == ["高新技术企业", "专精特新", "瞪羚企业", "独角兽企业", "新业态"]
    assert spec["series"][0]["data"] == [2, 1, 0, 0, 0]


def test_monthly_chart_stacks_records_by_category(login: Any, park: dict[str, Any]) -> None:
    spec = chart(login("park_admin").get(HOME), "chart-categories")
    months = spec["categories"]
    assert len(months) == 36
    assert months[0] == "2023-07"
    assert months[-1] == "2026-06"

    administrative = series(spec, "行政管理信息")
    assert administrative[months.index("2026-05")] == 2  # a penalty and a licence
    assert administrative[months.index("2026-06")] == 1
    assert administrative[months.index("2026-03")] == 1  # revoked records still happened
    assert administrative[months.index("2024-02")] == 1
    assert sum(administrative) == 5
    assert series(spec, "园区履约信息")[months.index("2026-06")] == 1
    assert sum(series(spec, "诚实守信相关荣誉信息")) == 1
    # Only categories with records become series, in catalogue order.
    assert [s["name"] for s in spec["series"]] == ["行政管理信息", "诚实守信相关荣誉信息", "园区履约信息"]
    assert {s["stack"] for s in spec["series"]} == {"total"}


def test_polarity_chart_splits_the_same_months(login: Any, park: dict[str, Any]) -> None:
    spec = chart(login("park_admin").get(HOME), "chart-polarity")
    months = spec["categories"]
    negative = next(s for s in spec["series"] if s["polarity"] == "negative")["data"]
    positive = next(s for s in spec["series"] if s["polarity"] == "positive")["data"]
    neutral = next(s for s in spec["series"] if s["polarity"] == "neutral")["data"]
    assert negative[months.index("2026-06")] == 2
    assert negative[months.index("2026-05")] == 1
    assert sum(negative) == 5  # the 2020 record is outside the window
    assert positive[months.index("2025-11")] == 1
    assert sum(neutral) == 1


def test_latest_records_link_to_the_enterprise(login: Any, park: dict[str, Any]) -> None:
    response = login("dept_staff").get(HOME)
    latest = response.context["dashboard"].latest_records
    assert latest[0] == park["records"]["arrears_recent"]
    assert [r.decided_on for r in latest] == sorted((r.decided_on for r in latest), reverse=True)
    assert reverse("enterprises:detail", args=[park["chem"].pk]) in response.content.decode()


def test_empty_park_shows_empty_states(login: Any, frozen: Any) -> None:
    response = login("park_admin").get(HOME)
    html = response.content.decode()
    assert response.context["dashboard"].enterprise_count == 0
    assert "暂无园区企业" in html
    assert "近三年暂无信用记录" in html
    assert 'id="chart-cluster"' not in html


def test_park_dashboard_loads_the_chart_scripts(login: Any, park: dict[str, Any]) -> None:
    html = login("inspector").get(HOME).content.decode()
    assert "vendor/echarts-6.1.0/echarts.min.js" in html
    assert "js/charts.js" in html


# --- enterprise users ----------------------------------------------------------------------------


def test_enterprise_user_sees_only_its_own_figures(login: Any, ent_a: Any, ent_b: Any, frozen: Any) -> None:
    f.make_record(ent_a, "penalty", decided_on=date(2026, 4, 1))
    f.make_record(ent_a, "honour", decided_on=date(2025, 1, 1))
    for day in (1, 2, 3):
        f.make_record(ent_b, "penalty", decided_on=date(2026, 5, day))

    response = login("ent_a_user").get(HOME)
    dashboard = response.context["dashboard"]
    html = response.content.decode()

    assert dashboard.enterprise == ent_a
    assert dashboard.records.total == 2
    assert dashboard.records.negative == 1
    assert dashboard.records.negative_last_year == 1
    assert dashboard.records.positive == 1
    assert {r.enterprise_id for r in dashboard.latest_records} == {ent_a.pk}
    assert ent_a.name in html
    assert ent_b.name not in html
    assert reverse("enterprises:mine") in html
    assert 'id="chart-' not in html  # no park-wide charts for an enterprise


def test_enterprise_user_without_linked_enterprise(login: Any, db: Any) -> None:
    # An enterprise organisation always points at its enterprise, so an account of this role
    # without an organisation is the only way to be unlinked; it must see nothing, not crash.
    from parkcredit.accounts.models import Role

    user = f.make_user(Role.ENTERPRISE, None, username="orphan")
    client = Client()
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    assert response.context["dashboard"].enterprise is None
    assert "账号尚未关联企业档案" in response.content.decode()


# --- bank users ----------------------------------------------------------------------------------


def test_bank_user_counts_only_consenting_enterprises(
    login: Any, bank_user: Any, ent_a: Any, ent_b: Any
) -> None:
    response = login("bank_user").get(HOME)
    html = response.content.decode()
    dashboard = response.context["dashboard"]
    assert dashboard.consenting_count == 1
    assert dashboard.enterprises == [ent_a]
    assert stat(response, "consenting") == "1"
    assert ent_a.name in html
    assert ent_b.name not in html
    assert reverse("enterprises:list") in html
    assert reverse("enterprises:detail", args=[ent_a.pk]) in html


def test_revoked_and_expired_consents_do_not_count(login: Any, bank_user: Any, ent_b: Any) -> None:
    third = f.make_enterprise("丙公司")
    fourth = f.make_enterprise("丁公司")
    f.grant_consent(ent_b, bank_user.organisation)
    revoked = f.grant_consent(third, bank_user.organisation)
    revoked.revoked_at = timezone.now()
    revoked.save()
    expired = f.grant_consent(fourth, bank_user.organisation)
    expired.expires_on = date(2000, 1, 1)
    expired.save()

    response = login("bank_user").get(HOME)
    assert response.context["dashboard"].consenting_count == 2  # ent_a and ent_b
    assert "丙公司" not in response.content.decode()


def test_unauthorised_bank_sees_an_empty_state(login: Any, ent_a: Any) -> None:
    response = login("bank_unauthorised_user").get(HOME)
    assert response.context["dashboard"].consenting_count == 0
    html = response.content.decode()
    assert "暂无企业授权本机构查询" in html
    assert ent_a.name not in html


# --- 三员 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "areas", "url_name"),
    [
        ("system_admin", ("users",), "accounts:users"),
        ("security_admin", ("security", "audit"), "accounts:security"),
        ("auditor", ("audit",), "audit:list"),
    ],
)
def test_separated_duties_get_a_pointer_to_their_area(
    login: Any, ent_a: Any, member: str, areas: tuple[str, ...], url_name: str
) -> None:
    f.make_record(ent_a, "penalty")
    response = login(member).get(HOME)
    html = response.content.decode()
    assert response.context["dashboard"].areas == areas
    assert f'href="{reverse(url_name)}" data-area="{areas[0]}"' in html
    for other in {"users", "security", "audit"} - set(areas):
        assert f'data-area="{other}"' not in html
    assert ent_a.name not in html  # no enterprise data at all
