"""Small factories for Django tests: plain functions with sensible defaults.

USCCs are built with a valid check character so the archive accepts them.
"""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from creditcore.uscc import with_check_character
from parkcredit.accounts.models import Organisation, OrganisationKind, Role, User
from parkcredit.enterprises.models import BankConsent, Enterprise
from parkcredit.records.models import CreditRecord, DataSource, DataSourceKind, RecordEvent, RecordKind

_counter = itertools.count(1)
PASSWORD = "Credit#2026park"


def make_uscc(n: int | None = None) -> str:
    """A valid USCC: market-regulation enterprise (91), area 410000, organisation code with check."""
    serial = n if n is not None else next(_counter)
    body8 = f"{serial:08d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch) * w for ch, w in zip(body8, weights, strict=True))
    check = 11 - total % 11
    org_check = "X" if check == 10 else "0" if check == 11 else str(check)
    return with_check_character(f"91410000{body8}{org_check}")


def make_enterprise(name: str | None = None, **fields: Any) -> Enterprise:
    n = next(_counter)
    defaults: dict[str, Any] = {
        "uscc": make_uscc(n),
        "name": name or f"测试企业{n}有限公司",
        "legal_representative": "张三",
        "industry_code": "C3484",
        "industry_name": "机械零部件加工",
        "cluster": "高端装备制造",
        "founded_on": date(2015, 3, 1),
    }
    defaults.update(fields)
    return Enterprise.objects.create(**defaults)


def make_organisation(
    kind: str, name: str | None = None, enterprise: Enterprise | None = None
) -> Organisation:
    n = next(_counter)
    return Organisation.objects.create(
        name=name or f"组织{n}", kind=kind, code=f"org-{n}", enterprise=enterprise
    )


def department(code: str = "jjfzb") -> Organisation:
    return Organisation.objects.get(code=code)


def make_user(
    role: str, organisation: Organisation | None, username: str | None = None, **fields: Any
) -> User:
    n = next(_counter)
    user = User.objects.create_user(
        username=username or f"user{n}",
        password=PASSWORD,
        role=role,
        organisation=organisation,
        full_name=fields.pop("full_name", f"用户{n}"),
        # A fresh password: the cast is not forced through the rotation page.
        password_changed_at=fields.pop("password_changed_at", timezone.now()),
        **fields,
    )
    return user


def enterprise_user(enterprise: Enterprise, username: str | None = None) -> User:
    org = Organisation.objects.filter(enterprise=enterprise).first() or make_organisation(
        OrganisationKind.ENTERPRISE, name=enterprise.name, enterprise=enterprise
    )
    return make_user(Role.ENTERPRISE, org, username=username)


def grant_consent(enterprise: Enterprise, bank: Organisation) -> BankConsent:
    return BankConsent.objects.create(
        enterprise=enterprise, bank=bank, purpose="信用贷款审批", granted_at=timezone.now()
    )


def data_source(code: str = "test-source") -> DataSource:
    source, _ = DataSource.objects.get_or_create(
        code=code, defaults={"name": "测试来源", "kind": DataSourceKind.DEPARTMENT}
    )
    return source


def make_record(enterprise: Enterprise, kind_code: str = "penalty", **fields: Any) -> CreditRecord:
    n = next(_counter)
    defaults: dict[str, Any] = {
        "enterprise": enterprise,
        "kind": RecordKind.objects.get(code=kind_code),
        "source": data_source(),
        "source_ref": f"测罚字〔2025〕{n}号",
        "severity": "general",
        "decided_on": date(2025, 6, 1),
        "amount": Decimal("20000.00"),
        "authority": "测试市市场监督管理局",
        "summary": "未按规定公示年度报告",
    }
    defaults.update(fields)
    record = CreditRecord.objects.create(**defaults)
    RecordEvent.objects.create(record=record, event_type="created", at=timezone.now())
    return record
