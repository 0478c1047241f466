"""Archive reads: row scope per member of the cast, 404 for missing and forbidden, filters,
record counts and the parts of the archive card."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from parkcredit.enterprises.filters import EnterpriseFilterForm, EnterpriseFilters
from parkcredit.enterprises.models import Building, Enterprise, EnterpriseTag
from parkcredit.enterprises.selectors import (
    BillSummary,
    enterprise_archive,
    enterprise_filter_options,
    enterprise_get_by_uscc_for_actor,
    enterprise_get_for_actor,
    enterprise_list,
    enterprise_observation_summary,
    months_back,
    year_before,
)
from parkcredit.records.models import Observation, RecordEvent, Relation
from tests import factories as f

pytestmark = pytest.mark.django_db

SEES_ALL = ("park_admin", "dept_staff", "inspector")
SEES_NOTHING = ("bank_unauthorised_user", "system_admin", "security_admin", "auditor")


def _names(actor: Any, **filters: Any) -> set[str]:
    return {e.name for e in enterprise_list(actor=actor, filters=EnterpriseFilters(**filters))}


@pytest.mark.parametrize("role", SEES_ALL)
def test_park_roles_see_the_whole_archive(
    role: str, request: pytest.FixtureRequest, ent_a: Enterprise, ent_b: Enterprise
) -> None:
    actor = request.getfixturevalue(role)
    assert _names(actor) == {ent_a.name, ent_b.name}


def test_enterprise_user_sees_only_itself(ent_a_user: Any, ent_a: Enterprise, ent_b: Enterprise) -> None:
    assert _names(ent_a_user) == {ent_a.name}


def test_bank_sees_only_enterprises_that_consented(
    bank_user: Any, ent_a: Enterprise, ent_b: Enterprise
) -> None:
    assert _names(bank_user) == {ent_a.name}


@pytest.mark.parametrize("role", SEES_NOTHING)
def test_other_roles_see_nothing(
    role: str, request: pytest.FixtureRequest, ent_a: Enterprise, ent_b: Enterprise
) -> None:
    assert _names(request.getfixturevalue(role)) == set()


def test_anonymous_sees_nothing(ent_a: Enterprise) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert _names(AnonymousUser()) == set()


def test_get_for_actor_returns_a_visible_enterprise(ent_a_user: Any, ent_a: Enterprise) -> None:
    assert enterprise_get_for_actor(ent_a_user, ent_a.pk) == ent_a


def test_get_for_actor_is_404_for_forbidden_and_missing(ent_a_user: Any, ent_b: Enterprise) -> None:
    with pytest.raises(Http404):
        enterprise_get_for_actor(ent_a_user, ent_b.pk)
    with pytest.raises(Http404):
        enterprise_get_for_actor(ent_a_user, 999_999)


def test_get_by_uscc_normalises_and_scopes(bank_user: Any, ent_a: Enterprise, ent_b: Enterprise) -> None:
    messy = f" {ent_a.uscc.lower()[:9]} {ent_a.uscc.lower()[9:]}(1-1) "
    assert enterprise_get_by_uscc_for_actor(bank_user, messy) == ent_a
    with pytest.raises(Http404):
        enterprise_get_by_uscc_for_actor(bank_user, ent_b.uscc)
    with pytest.raises(Http404):
        enterprise_get_by_uscc_for_actor(bank_user, "")
    with pytest.raises(Http404):
        enterprise_get_by_uscc_for_actor(bank_user, f.make_uscc(987654))


def test_search_by_name_substring_and_by_uscc(park_admin: Any, ent_a: Enterprise, ent_b: Enterprise) -> None:
    assert _names(park_admin, q="精密") == {ent_a.name}
    assert _names(park_admin, q=ent_b.uscc.lower()) == {ent_b.name}
    assert _names(park_admin, q=f"{ent_b.uscc[:6]} {ent_b.uscc[6:]}") == {ent_b.name}
    assert _names(park_admin, q="不存在的企业") == set()


def test_filters(park_admin: Any) -> None:
    building = Building.objects.create(code="B1", name="一号楼")
    first = f.make_enterprise(
        "一号企业",
        cluster="新材料",
        industry_code="C2651",
        size="small",
        building=building,
        status="operating",
    )
    second = f.make_enterprise(
        "二号企业",
        cluster="高端装备制造",
        industry_code="C3484",
        size="large",
        status="moved_out",
        in_park=False,
    )
    EnterpriseTag.objects.create(enterprise=first, tag="gazelle")
    EnterpriseTag.objects.create(enterprise=second, tag="gazelle", until=date(2020, 1, 1))
    assert _names(park_admin, cluster="新材料") == {first.name}
    assert _names(park_admin, industry="c26") == {first.name}
    assert _names(park_admin, industry="C") == {first.name, second.name}
    assert _names(park_admin, tag="gazelle") == {first.name}  # the second's tag has expired
    assert _names(park_admin, size="large") == {second.name}
    assert _names(park_admin, status="moved_out") == {second.name}
    assert _names(park_admin, building=building.pk) == {first.name}
    assert _names(park_admin, in_park=False) == {second.name}
    assert _names(park_admin, in_park=True) == {first.name}


def test_ordering(park_admin: Any) -> None:
    f.make_enterprise("B企业", park_entry_on=date(2020, 1, 1))
    f.make_enterprise("A企业", park_entry_on=date(2022, 1, 1))
    names = [e.name for e in enterprise_list(actor=park_admin, filters=EnterpriseFilters(ordering="name"))]
    assert names == ["A企业", "B企业"]
    names = [e.name for e in enterprise_list(actor=park_admin, filters=EnterpriseFilters(ordering="-name"))]
    assert names == ["B企业", "A企业"]
    names = [
        e.name for e in enterprise_list(actor=park_admin, filters=EnterpriseFilters(ordering="park_entry_on"))
    ]
    assert names == ["B企业", "A企业"]
    # An unknown key falls back to the default rather than failing.
    names = [e.name for e in enterprise_list(actor=park_admin, filters=EnterpriseFilters(ordering="evil"))]
    assert names == ["A企业", "B企业"]


def test_record_counts(park_admin: Any, ent_a: Enterprise, ent_b: Enterprise) -> None:
    today = date(2026, 3, 15)
    f.make_record(ent_a, decided_on=date(2026, 1, 10))  # negative, recent
    f.make_record(ent_a, decided_on=date(2025, 3, 15))  # negative, just over a year ago
    f.make_record(ent_a, decided_on=date(2025, 3, 16))  # negative, within twelve months
    f.make_record(ent_a, kind_code=_positive_kind(), decided_on=date(2026, 1, 1))
    # A tag join must not multiply the counts.
    EnterpriseTag.objects.create(enterprise=ent_a, tag="gazelle")
    EnterpriseTag.objects.create(enterprise=ent_a, tag="unicorn")
    rows = {
        e.name: (e.records_total, e.records_negative_12m)
        for e in enterprise_list(actor=park_admin, filters=EnterpriseFilters(), today=today)
    }
    assert rows == {ent_a.name: (4, 2), ent_b.name: (0, 0)}
    ordered = enterprise_list(
        actor=park_admin, filters=EnterpriseFilters(ordering="-records_negative_12m"), today=today
    )
    assert ordered[0] == ent_a
    tagged = enterprise_list(actor=park_admin, filters=EnterpriseFilters(tag="gazelle"), today=today)
    assert [(e.records_total, e.records_negative_12m) for e in tagged] == [(4, 2)]


def _positive_kind() -> str:
    from parkcredit.records.models import RecordKind

    return RecordKind.objects.filter(polarity="positive").values_list("code", flat=True)[0]


def test_list_takes_a_fixed_number_of_queries(park_admin: Any, django_assert_max_num_queries: Any) -> None:
    for n in range(5):
        enterprise = f.make_enterprise(
            f"企业{n}", building=Building.objects.create(code=f"B{n}", name=f"{n}号楼")
        )
        f.make_record(enterprise)
    with django_assert_max_num_queries(1):
        rows = list(enterprise_list(actor=park_admin, filters=EnterpriseFilters()))
        assert [r.building.code for r in rows]


def test_filter_options_come_from_the_visible_archive(
    ent_a_user: Any, park_admin: Any, ent_b: Enterprise
) -> None:
    building = Building.objects.create(code="B9", name="九号楼")
    f.make_enterprise("丙企业", cluster="生物医药", building=building)
    own = enterprise_filter_options(actor=ent_a_user)
    assert own.clusters == ["高端装备制造"]
    assert own.buildings == []
    everything = enterprise_filter_options(actor=park_admin)
    assert everything.clusters == ["生物医药", "高端装备制造"]
    assert everything.buildings == [building]


def test_filter_form_parses_and_reports_bad_values() -> None:
    form = EnterpriseFilterForm(
        {"q": " 甲 ", "industry": "c34", "in_park": "0", "building": "3", "ordering": "-name"}
    )
    assert form.filters() == EnterpriseFilters(
        q="甲", industry="C34", in_park=False, building=3, ordering="-name"
    )
    bad = EnterpriseFilterForm({"size": "huge", "building": "x", "industry": "34C", "cluster": "新材料"})
    filters = bad.filters()
    assert filters == EnterpriseFilters(cluster="新材料")
    messages = " ".join(str(e) for errors in bad.errors.values() for e in errors)
    assert "企业规模「huge」" in messages
    assert "楼宇地块「x」" in messages
    assert "行业代码「34C」" in messages


def test_window_helpers() -> None:
    assert months_back(date(2026, 3, 15), 12) == date(2025, 4, 1)
    assert months_back(date(2026, 12, 1), 12) == date(2026, 1, 1)
    assert months_back(date(2026, 1, 31), 1) == date(2026, 1, 1)
    assert year_before(date(2024, 2, 29)) == date(2023, 2, 28)
    assert year_before(date(2026, 3, 15)) == date(2025, 3, 15)


def _bill(
    enterprise: Enterprise, period: date, due: date | None, settled: date | None, metric: str = "rent_bill"
) -> None:
    Observation.objects.create(
        enterprise=enterprise,
        metric=metric,
        period=period,
        value=Decimal("1000"),
        due_on=due,
        settled_on=settled,
        source=f.data_source(),
    )


def test_observation_summary(ent_a: Enterprise) -> None:
    today = date(2026, 3, 15)
    _bill(ent_a, date(2026, 1, 1), date(2026, 1, 10), date(2026, 1, 9))  # on time
    _bill(ent_a, date(2026, 1, 1), date(2026, 1, 10), date(2026, 1, 10), metric="fee_bill")  # on the day
    _bill(ent_a, date(2026, 2, 1), date(2026, 2, 10), date(2026, 2, 20))  # late
    _bill(ent_a, date(2026, 2, 1), date(2026, 2, 10), None, metric="fee_bill")  # overdue
    _bill(ent_a, date(2026, 3, 1), date(2026, 3, 31), None)  # not yet due
    _bill(ent_a, date(2025, 3, 1), date(2025, 3, 10), None)  # before the window
    source = f.data_source()
    for month, value in ((1, "100"), (2, "120")):
        Observation.objects.create(
            enterprise=ent_a,
            metric="electricity",
            period=date(2026, month, 1),
            value=Decimal(value),
            source=source,
        )
    Observation.objects.create(
        enterprise=ent_a,
        metric="electricity",
        period=date(2026, 2, 1),
        value=Decimal("5"),
        source=f.data_source("meter-2"),
    )
    summary = enterprise_observation_summary(enterprise=ent_a, today=today)
    assert summary.bills == BillSummary(on_time=2, late=1, overdue=1, open=1)
    assert summary.bills.total == 5
    assert summary.bills.on_time_rate == 50
    assert summary.trend == [("2026-01", 100.0), ("2026-02", 125.0)]
    chart = summary.chart_data()
    assert chart["type"] == "line"
    assert chart["categories"] == ["2026-01", "2026-02"]
    assert chart["series"][0]["data"] == [100.0, 125.0]


def test_bill_rate_is_none_without_bills() -> None:
    assert BillSummary().on_time_rate is None
    assert BillSummary(open=2).on_time_rate is None


def test_archive_masks_personal_data_for_park_and_own_enterprise(
    park_admin: Any, ent_a_user: Any, bank_user: Any, ent_a: Enterprise
) -> None:
    ent_a.legal_representative_id_number = "11010519491231002X"
    ent_a.contact_phone = "13812345678"
    ent_a.save()
    for actor in (park_admin, ent_a_user):
        personal = enterprise_archive(actor=actor, enterprise=ent_a).personal
        assert personal.shown
        assert personal.id_number == "110***********002X"
        assert personal.phone == "138****5678"
    withheld = enterprise_archive(actor=bank_user, enterprise=ent_a).personal
    assert not withheld.shown
    assert withheld.id_number == withheld.phone == ""


def test_archive_banks_only_for_park_and_own_enterprise(
    park_admin: Any, ent_a_user: Any, bank_user: Any, ent_a: Enterprise
) -> None:
    expired_bank = f.make_organisation("bank", name="过期银行")
    consent = f.grant_consent(ent_a, expired_bank)
    consent.expires_on = timezone.localdate() - timedelta(days=1)
    consent.save()
    revoked_bank = f.make_organisation("bank", name="撤回银行")
    consent = f.grant_consent(ent_a, revoked_bank)
    consent.revoked_at = timezone.now()
    consent.save()
    for actor in (park_admin, ent_a_user):
        archive = enterprise_archive(actor=actor, enterprise=ent_a)
        assert archive.banks_visible
        assert [c.bank.name for c in archive.banks] == ["县农商银行"]
    archive = enterprise_archive(actor=bank_user, enterprise=ent_a)
    assert not archive.banks_visible
    assert archive.banks == []


def test_archive_tags_and_tolerance(park_admin: Any, ent_a: Enterprise) -> None:
    today = date(2026, 3, 15)
    EnterpriseTag.objects.create(
        enterprise=ent_a, tag="new_economy", since=date(2024, 1, 1), until=date(2026, 12, 31)
    )
    EnterpriseTag.objects.create(enterprise=ent_a, tag="gazelle", until=date(2025, 1, 1))
    rows = {
        row.tag.tag: row for row in enterprise_archive(actor=park_admin, enterprise=ent_a, today=today).tags
    }
    assert rows["new_economy"].current and rows["new_economy"].in_tolerance
    assert not rows["gazelle"].current and not rows["gazelle"].in_tolerance


def test_archive_timeline_labels(park_admin: Any, ent_a: Enterprise) -> None:
    active = f.make_record(ent_a, decided_on=date(2026, 1, 1))
    disputed = f.make_record(ent_a, decided_on=date(2025, 12, 1))
    RecordEvent.objects.create(record=disputed, event_type="disputed", at=timezone.now())
    repaired = f.make_record(ent_a, decided_on=date(2025, 11, 1))
    RecordEvent.objects.create(record=repaired, event_type="repaired", at=timezone.now())
    revoked = f.make_record(ent_a, decided_on=date(2025, 10, 1))
    RecordEvent.objects.create(record=revoked, event_type="revoked", at=timezone.now())
    rows = {row.record.pk: row for row in enterprise_archive(actor=park_admin, enterprise=ent_a).timeline}
    assert [str(rows[r.pk].status_label) for r in (active, disputed, repaired, revoked)] == [
        "有效",
        "有效",
        "已修复",
        "已撤销",
    ]
    assert rows[disputed.pk].disputed and not rows[active.pk].disputed
    assert rows[active.pk].status_class == "bg-red-lt"  # a penalty in force
    assert rows[repaired.pk].status_class == "bg-green-lt"
    assert rows[revoked.pk].status_class == "bg-secondary-lt"
    assert str(rows[active.pk].polarity_label) == "失信"
    assert len(rows[disputed.pk].events) == 2


def test_archive_relations_link_only_visible_counterparties(
    park_admin: Any, bank_user: Any, ent_a: Enterprise, ent_b: Enterprise
) -> None:
    Relation.objects.create(
        enterprise=ent_a,
        counterparty=ent_b,
        relation_type="supplier",
        weight=Decimal("0.35"),
        source=f.data_source(),
    )
    staff_rows = enterprise_archive(actor=park_admin, enterprise=ent_a).relations
    assert [(r.relation.counterparty, r.counterparty_visible) for r in staff_rows] == [(ent_b, True)]
    bank_rows = enterprise_archive(actor=bank_user, enterprise=ent_a).relations
    assert [(r.relation.counterparty, r.counterparty_visible) for r in bank_rows] == [(ent_b, False)]


def test_archive_can_edit_only_for_editors(park_admin: Any, inspector: Any, ent_a: Enterprise) -> None:
    assert enterprise_archive(actor=park_admin, enterprise=ent_a).can_edit
    assert not enterprise_archive(actor=inspector, enterprise=ent_a).can_edit
