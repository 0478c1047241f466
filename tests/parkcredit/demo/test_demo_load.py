"""Loading the synthetic demo park into the database."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password

from creditcore.ledger import Event, EventType, fold
from creditcore.synth import SOURCES, ParkSpec, generate_park
from parkcredit.accounts.models import Organisation, OrganisationKind, Role, User
from parkcredit.audit.models import AuditEntry
from parkcredit.demo import services
from parkcredit.demo.accounts import DEMO_ACCOUNTS, DEMO_BANK_NAME, DEMO_PASSWORD
from parkcredit.demo.services import DemoLoadError, demo_park_load
from parkcredit.enterprises.models import BankConsent, Building, Enterprise, EnterpriseTag
from parkcredit.records.models import (
    CreditRecord,
    DataSource,
    ImportBatch,
    Observation,
    RecordEvent,
    Relation,
)
from tests import factories as f

SIZE, SEED = 30, 5


@pytest.fixture
def loaded(db: Any) -> tuple[services.DemoSummary, list[tuple[int, int, str]]]:
    calls: list[tuple[int, int, str]] = []
    summary = demo_park_load(enterprises=SIZE, seed=SEED, progress=lambda d, t, m: calls.append((d, t, m)))
    return summary, calls


def test_small_park_loads_with_matching_counts(loaded: Any) -> None:
    summary, _ = loaded
    park = generate_park(ParkSpec(enterprises=SIZE, seed=SEED))
    assert Enterprise.objects.count() == summary.enterprises == SIZE
    assert (
        Enterprise.objects.filter(in_park=True).count()
        == summary.in_park
        == sum(e.in_park for e in park.enterprises)
    )
    assert Building.objects.count() == summary.buildings == len(park.buildings)
    assert EnterpriseTag.objects.count() == summary.tags == len(park.tags)
    assert CreditRecord.objects.count() == summary.records == len(park.records)
    assert RecordEvent.objects.count() == summary.events == len(park.records) + len(park.events)
    assert RecordEvent.objects.filter(event_type=EventType.CREATED).count() == len(park.records)
    assert Observation.objects.count() == summary.observations == len(park.observations)
    assert Relation.objects.count() == summary.relations == len(park.relations)
    assert DataSource.objects.filter(code__in=[s.code for s in SOURCES]).count() == len(SOURCES)
    assert sum(ImportBatch.objects.values_list("rows_written", flat=True)) == len(park.records)
    assert summary.seed == SEED and summary.as_of == date(2026, 11, 1)
    assert not Enterprise.objects.filter(uscc_legacy=True).exists()


def test_rows_carry_the_generated_values(loaded: Any) -> None:
    park = generate_park(ParkSpec(enterprises=SIZE, seed=SEED))
    first = park.enterprises[0]
    stored = Enterprise.objects.get(uscc=first.uscc)
    assert stored.name == first.name
    assert stored.legal_representative_id_number == first.legal_representative_id_number  # decrypted
    assert stored.contact_phone == first.contact_phone
    assert (stored.building.code if stored.building else None) == first.building
    record = park.records[0]
    row = CreditRecord.objects.get(source_ref=record.source_ref, kind__code=record.kind)
    assert (row.enterprise.uscc, row.amount, row.payload, row.severity) == (
        park.enterprises[record.enterprise_id - 1].uscc,
        record.amount,
        record.payload,
        record.severity,
    )
    assert Counter(Enterprise.objects.values_list("status", flat=True)) == Counter(
        e.status for e in park.enterprises
    )


def test_every_record_folds_to_a_valid_state(loaded: Any) -> None:
    events: dict[int, list[Event]] = {}
    for record_id, event_type, at, pk in RecordEvent.objects.values_list(
        "record_id", "event_type", "at", "pk"
    ):
        events.setdefault(record_id, []).append(Event(EventType(event_type), at, pk))
    assert len(events) == CreditRecord.objects.count()
    for chain in events.values():
        assert fold(chain).exists  # raises InvalidTransition on a bad sequence


def test_one_audit_entry_records_the_load(loaded: Any) -> None:
    summary, _ = loaded
    entries = AuditEntry.objects.filter(action="demo.load")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor is None and entry.actor_label == "system"
    assert entry.detail["records"] == summary.records and entry.detail["enterprises"] == SIZE
    assert entry.detail["seed"] == SEED


def test_progress_reaches_the_total(loaded: Any) -> None:
    _, calls = loaded
    assert calls
    assert calls[0] == (0, 1, "生成合成园区")
    done = [d for d, _, _ in calls[1:]]
    assert done == sorted(done) and done[0] > 0
    assert calls[-1][0] == calls[-1][1]
    assert {m for _, _, m in calls} >= {"写入企业档案", "写入信用记录", "写入园区观测数据"}


def test_demo_users_sign_in_with_the_demo_password(loaded: Any) -> None:
    for account in DEMO_ACCOUNTS:
        user = authenticate(username=account.username, password=DEMO_PASSWORD)
        assert user is not None, account.username
        assert user.role == account.role
        assert user.password_changed_at is not None  # not forced to change a just-set password
        assert user.is_staff == (account.role == Role.SYSTEM_ADMIN)
        assert user.organisation is not None
        validate_password(DEMO_PASSWORD, user)  # the project's password policy
    assert authenticate(username="parkadmin", password="wrong-Password1") is None
    assert User.objects.get(username="parkadmin").organisation.code == "jjfzb"
    assert not User.objects.filter(username="admin").exists()


def test_bank_user_sees_exactly_the_consented_enterprise(loaded: Any) -> None:
    summary, _ = loaded
    bank_user = User.objects.get(username="bank")
    enterprise_user = User.objects.get(username="enterprise")
    assert (
        bank_user.organisation.name == DEMO_BANK_NAME and bank_user.organisation.kind == OrganisationKind.BANK
    )
    visible = list(Enterprise.objects.visible_to(bank_user))
    assert [e.name for e in visible] == [summary.demo_enterprise]
    assert list(Enterprise.objects.visible_to(enterprise_user)) == visible
    assert BankConsent.objects.get().enterprise == visible[0]
    assert Enterprise.objects.visible_to(User.objects.get(username="parkadmin")).count() == SIZE
    assert not Enterprise.objects.visible_to(User.objects.get(username="auditor")).exists()


def test_demo_enterprise_has_a_varied_file(loaded: Any) -> None:
    enterprise = User.objects.get(username="enterprise").organisation.enterprise
    assert enterprise is not None and enterprise.in_park
    kinds = set(CreditRecord.objects.filter(enterprise=enterprise).values_list("kind__code", flat=True))
    assert len(kinds) >= 5


def test_refuses_an_archive_that_is_not_empty(db: Any) -> None:
    f.make_enterprise("已有企业有限公司")
    with pytest.raises(DemoLoadError, match="已有 1 家企业"):
        demo_park_load(enterprises=SIZE)
    assert CreditRecord.objects.count() == 0 and Enterprise.objects.count() == 1


def test_refuses_when_demo_accounts_exist(db: Any) -> None:
    f.make_user(Role.AUDITOR, f.department("zhb"), username="auditor")
    with pytest.raises(DemoLoadError, match="auditor"):
        demo_park_load(enterprises=SIZE)
    assert not Enterprise.objects.exists()


def test_refuses_when_demo_organisations_exist(db: Any) -> None:
    Organisation.objects.create(name="某银行", kind=OrganisationKind.BANK, code="demo-bank")
    with pytest.raises(DemoLoadError, match="demo-bank"):
        demo_park_load(enterprises=SIZE)


def test_refuses_a_bad_size(db: Any) -> None:
    with pytest.raises(ValueError, match="企业数量"):
        demo_park_load(enterprises=0)
    with pytest.raises(ValueError, match="随机种子"):
        demo_park_load(enterprises=SIZE, seed=-1)


def test_nothing_is_half_written_when_the_load_fails(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_audit(**kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_log", broken_audit)
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        demo_park_load(enterprises=SIZE)
    assert not Enterprise.objects.exists()
    assert not CreditRecord.objects.exists()
    assert not User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).exists()


def test_refuses_when_the_catalogue_is_missing_kinds(db: Any) -> None:
    from parkcredit.records.models import RecordKind

    RecordKind.objects.filter(code="park-honour").delete()
    with pytest.raises(DemoLoadError, match="park-honour"):
        demo_park_load(enterprises=SIZE)
    assert not Enterprise.objects.exists()


def test_refuses_when_a_department_is_missing(db: Any) -> None:
    Organisation.objects.filter(code="ghjsb").delete()
    with pytest.raises(DemoLoadError, match="规划建设部"):
        demo_park_load(enterprises=SIZE)
    assert not Enterprise.objects.exists()


def test_as_of_moves_the_whole_park(db: Any) -> None:
    summary = demo_park_load(enterprises=10, seed=1, as_of=date(2025, 7, 1))
    assert summary.as_of == date(2025, 7, 1)
    latest = CreditRecord.objects.order_by("-decided_on").values_list("decided_on", flat=True).first()
    assert latest is not None and latest < date(2025, 7, 1)
