"""Archive writes: who may write, USCC handling (normalised, legacy, invalid, duplicate), tags as
a set, and audit entries that never hold personal data."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parkcredit.audit.models import AuditEntry
from parkcredit.enterprises.models import Building, Enterprise
from parkcredit.enterprises.services import REDACTED, TagValue, enterprise_create, enterprise_update
from tests import factories as f

pytestmark = pytest.mark.django_db

LEGACY_USCC = "91350211M0000XUF46"
ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


def _data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "uscc": f.make_uscc(),
        "name": "丁智能装备有限公司",
        "legal_representative": "周四",
        "legal_representative_id_number": ID_NUMBER,
        "contact_phone": PHONE,
        "registered_capital": Decimal("5000000.00"),
        "founded_on": date(2019, 5, 20),
        "industry_code": "C3484",
        "cluster": "高端装备制造",
        "size": "small",
        "status": "operating",
        "in_park": True,
    }
    data.update(overrides)
    return data


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def _error_text(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return json.dumps(error.value.message_dict, ensure_ascii=False)


def test_create_writes_the_entry_tags_and_an_audit_row(park_admin: Any) -> None:
    uscc = f.make_uscc()
    messy = f" {uscc[:6].lower()} {uscc[6:]}(1-1)"
    enterprise = enterprise_create(
        actor=park_admin,
        data=_data(
            uscc=messy,
            tags=[TagValue("new_economy", date(2025, 1, 1), date(2027, 12, 31)), {"tag": "gazelle"}],
        ),
        ip="10.0.0.8",
    )
    enterprise.refresh_from_db()
    assert enterprise.uscc == uscc
    assert not enterprise.uscc_legacy
    assert enterprise.legal_representative_id_number == ID_NUMBER
    tags = {t.tag: (t.since, t.until) for t in enterprise.tags.all()}
    assert tags == {"new_economy": (date(2025, 1, 1), date(2027, 12, 31)), "gazelle": (None, None)}
    [entry] = _entries("enterprise.created")
    assert entry.object_id == str(enterprise.pk)
    assert entry.actor == park_admin
    assert entry.ip == "10.0.0.8"
    assert entry.detail["changed"]["name"] == [None, "丁智能装备有限公司"]
    assert entry.detail["changed"]["registered_capital"] == [None, "5000000.00"]


def test_audit_detail_never_holds_personal_data(dept_staff: Any) -> None:
    enterprise = enterprise_create(actor=dept_staff, data=_data())
    enterprise_update(
        actor=dept_staff,
        enterprise=enterprise,
        data={"legal_representative_id_number": "440524188001010014", "contact_phone": "0371-65551234"},
    )
    for entry in AuditEntry.objects.filter(action__startswith="enterprise."):
        text = json.dumps(entry.detail, ensure_ascii=False)
        for secret in (ID_NUMBER, "440524188001010014", PHONE, "65551234", "1234"):
            assert secret not in text
        assert entry.detail["changed"]["legal_representative_id_number"] == REDACTED
        assert entry.detail["changed"]["contact_phone"] == REDACTED


def test_update_records_only_what_changed(park_admin: Any, ent_a: Enterprise) -> None:
    building = Building.objects.create(code="A1", name="创新大厦")
    updated = enterprise_update(
        actor=park_admin,
        enterprise=ent_a,
        data={"name": ent_a.name, "cluster": "新材料", "building": building},
    )
    assert updated.cluster == "新材料"
    assert Enterprise.objects.get(pk=ent_a.pk).building == building
    [entry] = _entries("enterprise.updated")
    assert entry.detail == {
        "changed": {"cluster": ["高端装备制造", "新材料"], "building": [None, str(building)]}
    }


def test_legacy_pilot_code_is_accepted_with_a_warning(park_admin: Any) -> None:
    warnings: list[str] = []
    enterprise = enterprise_create(actor=park_admin, data=_data(uscc=LEGACY_USCC.lower()), warnings=warnings)
    assert enterprise.uscc == LEGACY_USCC
    assert enterprise.uscc_legacy
    assert warnings and "试点" in warnings[0]
    [entry] = _entries("enterprise.created")
    assert entry.detail["warnings"] == warnings


def test_update_to_a_legacy_code_sets_the_flag_and_back(park_admin: Any, ent_a: Enterprise) -> None:
    warnings: list[str] = []
    updated = enterprise_update(
        actor=park_admin, enterprise=ent_a, data={"uscc": LEGACY_USCC}, warnings=warnings
    )
    assert updated.uscc_legacy and warnings
    updated = enterprise_update(actor=park_admin, enterprise=updated, data={"uscc": f.make_uscc()})
    assert not updated.uscc_legacy
    last = _entries("enterprise.updated")[-1]
    assert last.detail["changed"]["uscc_legacy"] == [True, False]
    assert "warnings" not in last.detail


def test_invalid_uscc_names_field_and_value(park_admin: Any) -> None:
    good = f.make_uscc()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        enterprise_create(actor=park_admin, data=_data(uscc=bad))
    [message] = error.value.message_dict["uscc"]
    assert message.startswith(f"统一社会信用代码「{bad}」")
    assert "第18位校验码" in message
    assert not Enterprise.objects.filter(name="丁智能装备有限公司").exists()
    assert not _entries("enterprise.created")


def test_duplicate_uscc_names_the_existing_enterprise_and_overwrites_nothing(
    park_admin: Any, ent_a: Enterprise, ent_b: Enterprise
) -> None:
    with pytest.raises(ValidationError) as error:
        enterprise_create(actor=park_admin, data=_data(uscc=ent_a.uscc.lower()))
    assert ent_a.name in _error_text(error)
    assert ent_a.uscc in _error_text(error)
    with pytest.raises(ValidationError) as error:
        enterprise_update(actor=park_admin, enterprise=ent_b, data={"uscc": ent_a.uscc, "name": "改名"})
    assert ent_a.name in _error_text(error)
    ent_b.refresh_from_db()
    assert ent_b.name == "乙新材料科技有限公司"
    assert Enterprise.objects.count() == 2
    assert not AuditEntry.objects.filter(action__startswith="enterprise.").exists()


def test_keeping_the_own_uscc_is_not_a_duplicate(park_admin: Any, ent_a: Enterprise) -> None:
    updated = enterprise_update(
        actor=park_admin, enterprise=ent_a, data={"uscc": ent_a.uscc, "name": "甲公司"}
    )
    assert updated.name == "甲公司"
    assert _entries("enterprise.updated")[0].detail["changed"] == {"name": ["甲精密机械有限公司", "甲公司"]}


@pytest.mark.parametrize("role", ["inspector", "ent_a_user", "bank_user", "system_admin", "auditor"])
def test_only_archive_editors_write(role: str, request: pytest.FixtureRequest, ent_a: Enterprise) -> None:
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        enterprise_create(actor=actor, data=_data())
    with pytest.raises(PermissionDenied):
        enterprise_update(actor=actor, enterprise=ent_a, data={"name": "改名"})
    ent_a.refresh_from_db()
    assert ent_a.name == "甲精密机械有限公司"


def test_anonymous_cannot_write() -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        enterprise_create(actor=AnonymousUser(), data=_data())


def test_tags_are_replaced_as_a_set(park_admin: Any, ent_a: Enterprise) -> None:
    enterprise_update(
        actor=park_admin,
        enterprise=ent_a,
        data={"tags": [TagValue("gazelle"), TagValue("new_economy", date(2024, 1, 1), date(2026, 12, 31))]},
    )
    enterprise_update(
        actor=park_admin,
        enterprise=ent_a,
        data={"tags": [TagValue("new_economy", date(2024, 1, 1), date(2025, 12, 31)), TagValue("high_tech")]},
    )
    tags = {t.tag: t.until for t in ent_a.tags.all()}
    assert tags == {"new_economy": date(2025, 12, 31), "high_tech": None}
    last = _entries("enterprise.updated")[-1]
    assert last.detail["changed"]["tags"] == [
        ["gazelle:~", "new_economy:2024-01-01~2026-12-31"],
        ["high_tech:~", "new_economy:2024-01-01~2025-12-31"],
    ]
    # Leaving `tags` out keeps them.
    enterprise_update(actor=park_admin, enterprise=ent_a, data={"cluster": "新材料"})
    assert set(ent_a.tags.values_list("tag", flat=True)) == {"new_economy", "high_tech"}


def test_bad_tags_are_refused(park_admin: Any, ent_a: Enterprise) -> None:
    with pytest.raises(ValidationError) as error:
        enterprise_update(actor=park_admin, enterprise=ent_a, data={"tags": [TagValue("famous")]})
    assert "famous" in _error_text(error)
    with pytest.raises(ValidationError) as error:
        enterprise_update(
            actor=park_admin,
            enterprise=ent_a,
            data={"tags": [TagValue("new_economy", date(2026, 1, 1), date(2025, 1, 1))]},
        )
    assert "早于" in _error_text(error)


def test_personal_fields_are_validated_and_normalised(park_admin: Any) -> None:
    with pytest.raises(ValidationError) as error:
        enterprise_create(actor=park_admin, data=_data(legal_representative_id_number="110105194912310021"))
    text = _error_text(error)
    assert "110***********0021" in text and "110105194912310021" not in text
    with pytest.raises(ValidationError) as error:
        enterprise_create(actor=park_admin, data=_data(contact_phone="12345"))
    assert "联系电话" in _error_text(error)
    enterprise = enterprise_create(
        actor=park_admin, data=_data(contact_phone="+86 138-1234-5678", legal_representative_id_number="")
    )
    assert enterprise.contact_phone == PHONE


def test_required_fields_on_create(park_admin: Any) -> None:
    with pytest.raises(ValidationError) as error:
        enterprise_create(actor=park_admin, data=_data(uscc=""))
    assert "uscc" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        enterprise_create(actor=park_admin, data=_data(name=""))
    assert "name" in error.value.message_dict


def test_model_rules_still_apply(park_admin: Any) -> None:
    with pytest.raises(ValidationError) as error:
        enterprise_create(actor=park_admin, data=_data(size="giant"))
    assert "size" in error.value.message_dict
    assert not Enterprise.objects.exists()
