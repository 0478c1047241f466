"""Load a synthetic park into an empty archive: the demo's one write path.

Everything is written in one transaction with bulk inserts, then one audit entry records what
was loaded. Ledger rows are only ever inserted here (CreditRecord and RecordEvent are append-only).
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from creditcore.catalogue import RECORD_KINDS
from creditcore.ledger import EventType
from creditcore.synth import METRIC_SOURCES, SOURCES, ParkSpec, SynthPark, generate_park
from creditcore.synth.park import MAX_PARK_ENTERPRISES
from parkcredit.accounts.models import Organisation, OrganisationKind, Role, User
from parkcredit.audit.services import audit_log
from parkcredit.demo.accounts import (
    DEMO_ACCOUNTS,
    DEMO_BANK_CODE,
    DEMO_BANK_NAME,
    DEMO_ENTERPRISE_CODE,
    DEMO_PASSWORD,
    DEPARTMENT_CODES,
)
from parkcredit.enterprises.models import BankConsent, Building, Enterprise, EnterpriseTag
from parkcredit.records.models import (
    CreditRecord,
    DataSource,
    ImportBatch,
    Observation,
    RecordEvent,
    RecordKind,
    Relation,
)

Progress = Callable[[int, int, str], None]
M = TypeVar("M", bound=models.Model)

BATCH = 1000
SHANGHAI = ZoneInfo("Asia/Shanghai")
CREATED_AT = time(9)  # a record enters the ledger on its decision day, 09:00 local time


class DemoLoadError(RuntimeError):
    """The demo park cannot be loaded here (the archive is not empty, or demo accounts exist)."""


@dataclass(frozen=True)
class DemoSummary:
    """What `demo_park_load` wrote."""

    enterprises: int
    in_park: int
    buildings: int
    tags: int
    records: int
    events: int
    observations: int
    relations: int
    users: int
    demo_enterprise: str
    bank: str
    seed: int
    as_of: date
    seconds: float


def demo_park_load(
    *,
    enterprises: int = 300,
    seed: int = 2026,
    as_of: date | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Generate a synthetic park and load it, with the demo accounts, into an empty archive.

    Raises `DemoLoadError` (in Chinese) when the archive already has enterprises or the demo
    accounts already exist, and ValueError for an invalid size or seed. `progress(done, total,
    message)` is called as rows are written.
    """
    started = clock.perf_counter()
    if not 1 <= enterprises <= MAX_PARK_ENTERPRISES:
        raise ValueError(f"企业数量 enterprises={enterprises} 无效,应为 1–{MAX_PARK_ENTERPRISES} 之间的整数")
    _refuse_if_not_empty()
    spec = ParkSpec(enterprises=enterprises, seed=seed)
    if as_of is not None:
        spec = replace(spec, as_of=as_of)
    if progress is not None:
        progress(0, 1, "生成合成园区")
    park = generate_park(spec)
    loader = _Loader(park, progress)
    with transaction.atomic():
        _refuse_if_not_empty()  # again, inside the transaction that writes
        summary = loader.load()
        audit_log(
            actor=None,
            action="demo.load",
            detail={
                "enterprises": summary.enterprises,
                "buildings": summary.buildings,
                "tags": summary.tags,
                "records": summary.records,
                "events": summary.events,
                "observations": summary.observations,
                "relations": summary.relations,
                "users": summary.users,
                "seed": seed,
                "as_of": spec.as_of.isoformat(),
            },
        )
    return replace(summary, seconds=round(clock.perf_counter() - started, 2))


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _adapter(field: Any) -> Callable[[Any], Any]:
    """How one field turns a Python value into a query parameter (fast paths for the common types)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else ops.adapt_datefield_value(value)
    if isinstance(field, models.DecimalField):
        digits, places = field.max_digits, field.decimal_places
        return lambda value: None if value is None else ops.adapt_decimalfield_value(value, digits, places)
    if isinstance(field, models.CharField | models.IntegerField | models.ForeignKey):
        return lambda value: value
    return lambda value: field.get_db_prep_save(value, connection)  # pragma: no cover - not used yet


def _refuse_if_not_empty() -> None:
    if Enterprise.objects.exists():
        raise DemoLoadError(
            f"企业档案中已有 {Enterprise.objects.count()} 家企业:"
            "演示园区只能加载到空的档案中,请换用新的数据库"
        )
    usernames = [account.username for account in DEMO_ACCOUNTS]
    taken = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if taken:
        raise DemoLoadError(f"演示账号 {'、'.join(taken)} 已存在,不能重复加载演示园区")
    if Organisation.objects.filter(code__in=[DEMO_BANK_CODE, DEMO_ENTERPRISE_CODE]).exists():
        raise DemoLoadError(
            f"演示机构(编码 {DEMO_BANK_CODE} 或 {DEMO_ENTERPRISE_CODE})已存在,不能重复加载演示园区"
        )


class _Loader:
    """Writes one generated park; `load` runs inside the caller's transaction."""

    def __init__(self, park: SynthPark, progress: Progress | None) -> None:
        self.park = park
        self.progress = progress
        self.total = (
            len(park.buildings)
            + len(park.enterprises)
            + len(park.tags)
            + 2 * len(park.records)  # records and their created events
            + len(park.events)
            + len(park.observations)
            + len(park.relations)
            + len(DEMO_ACCOUNTS)
        )
        self.done = 0

    def step(self, rows: int, message: str) -> None:
        self.done = min(self.done + rows, self.total)
        if self.progress is not None:
            self.progress(self.done, self.total, message)

    def bulk(self, model: type[M], objects: Sequence[M], message: str, batch: int = BATCH) -> list[M]:
        saved: list[M] = []
        for lo in range(0, len(objects), batch):
            part = list(objects[lo : lo + batch])
            saved.extend(model.objects.bulk_create(part))  # type: ignore[attr-defined]
            self.step(len(part), message)
        return saved

    def insert(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        message: str,
        constants: dict[str, Any] | None = None,
        batch: int = 5000,
    ) -> None:
        """Plain multi-row INSERTs for the big append-only tables, skipping model instances.

        An ORM instance per row costs about a tenth of a millisecond; the observations of a
        300-enterprise park are 10^5 rows. Values are adapted exactly as the fields would adapt
        them; `constants` (the same for every row, e.g. an empty payload) are adapted once.
        """
        constants = constants or {}
        adapters = [_adapter(_field(model, name)) for name in columns]
        fixed = tuple(_field(model, name).get_db_prep_save(v, connection) for name, v in constants.items())
        quote = connection.ops.quote_name
        names = ", ".join(quote(str(_field(model, name).column)) for name in [*columns, *constants])
        marks = ", ".join(["%s"] * (len(columns) + len(constants)))
        # Table and column names come from the model's metadata, quoted; values are parameters.
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
        with connection.cursor() as cursor:
            for lo in range(0, len(rows), batch):
                part = rows[lo : lo + batch]
                params = [tuple(a(v) for a, v in zip(adapters, row, strict=True)) + fixed for row in part]
                cursor.executemany(sql, params)
                self.step(len(part), message)

    def load(self) -> DemoSummary:
        park = self.park
        buildings = {
            b.code: b
            for b in self.bulk(
                Building,
                [Building(code=b.code, name=b.name, plot=b.plot, zone=b.zone) for b in park.buildings],
                "写入楼宇地块",
            )
        }
        enterprise_rows = self.bulk(
            Enterprise, [self._enterprise(e, buildings) for e in park.enterprises], "写入企业档案"
        )
        ids = self._pks(enterprise_rows)
        tags = self.bulk(
            EnterpriseTag,
            [
                EnterpriseTag(enterprise_id=ids[t.enterprise_id - 1], tag=t.tag, since=t.since, until=t.until)
                for t in park.tags
            ],
            "写入企业标签",
        )

        sources = {s.code: self._source(s.code, s.name, s.kind) for s in SOURCES}
        batches = {
            code: ImportBatch.objects.create(source=source, label="演示园区初始数据(合成)")
            for code, source in sources.items()
        }
        kinds = self._kinds()
        records = self.bulk(
            CreditRecord,
            [
                CreditRecord(
                    enterprise_id=ids[r.enterprise_id - 1],
                    kind=kinds[r.kind],
                    source=sources[r.source],
                    source_ref=r.source_ref,
                    severity=r.severity,
                    occurred_on=r.occurred_on,
                    decided_on=r.decided_on,
                    amount=r.amount,
                    authority=r.authority,
                    summary=r.summary,
                    payload=r.payload,
                    batch=batches[r.source],
                )
                for r in park.records
            ],
            "写入信用记录",
        )
        record_pk = self._pks(records)
        created = [
            (
                record_pk[i],
                EventType.CREATED.value,
                datetime.combine(r.decided_on, CREATED_AT, tzinfo=SHANGHAI),
                "演示数据初始化入账",
            )
            for i, r in enumerate(park.records)
        ]
        later = [(record_pk[e.record_id - 1], e.event_type.value, e.at, e.note) for e in park.events]
        now = timezone.now()
        self.insert(
            RecordEvent,
            ("record_id", "event_type", "at", "note"),
            created + later,
            "写入记录事件",
            constants={"recorded_at": now, "payload": {}},
        )
        for code, batch in batches.items():
            batch.rows_written = sum(1 for r in park.records if r.source == code)
            batch.save(update_fields=["rows_written"])

        self.insert(
            Observation,
            ("enterprise_id", "metric", "period", "value", "due_on", "settled_on", "source_id"),
            [
                (
                    ids[o.enterprise_id - 1],
                    o.metric,
                    o.period,
                    o.value,
                    o.due_on,
                    o.settled_on,
                    sources[METRIC_SOURCES[o.metric]].pk,
                )
                for o in park.observations
            ],
            "写入园区观测数据",
            constants={"payload": {}, "created_at": now},
        )
        self.bulk(
            Relation,
            [
                Relation(
                    enterprise_id=ids[r.enterprise_id - 1],
                    counterparty_id=ids[r.counterparty_id - 1],
                    relation_type=r.relation_type.value,
                    weight=r.weight,
                    valid_from=r.valid_from,
                    valid_to=r.valid_to,
                    source=sources["demo-park"],
                )
                for r in park.relations
            ],
            "写入企业关联关系",
        )
        demo = park.enterprises[park.demo_enterprise_id() - 1]
        users = self._accounts(ids[demo.id - 1], demo.name)
        return DemoSummary(
            enterprises=len(park.enterprises),
            in_park=sum(e.in_park for e in park.enterprises),
            buildings=len(buildings),
            tags=len(tags),
            records=len(records),
            events=len(created) + len(later),
            observations=len(park.observations),
            relations=len(park.relations),
            users=users,
            demo_enterprise=demo.name,
            bank=DEMO_BANK_NAME,
            seed=park.spec.seed,
            as_of=park.spec.as_of,
            seconds=0.0,
        )

    @staticmethod
    def _enterprise(e: Any, buildings: dict[str, Building]) -> Enterprise:
        return Enterprise(
            uscc=e.uscc,
            uscc_legacy=False,
            name=e.name,
            legal_representative=e.legal_representative,
            legal_representative_id_number=e.legal_representative_id_number,
            contact_phone=e.contact_phone,
            registered_capital=e.registered_capital,
            founded_on=e.founded_on,
            industry_code=e.industry_code,
            industry_name=e.industry_name,
            cluster=e.cluster,
            size=e.size,
            building=buildings[e.building] if e.building else None,
            address=e.address,
            park_entry_on=e.park_entry_on,
            status=e.status,
            in_park=e.in_park,
        )

    @staticmethod
    def _pks(rows: Sequence[models.Model]) -> list[int]:
        """Primary keys in generation order, as the bulk insert returned them."""
        if any(row.pk is None for row in rows):  # pragma: no cover - SQLite and PostgreSQL return them
            raise DemoLoadError(
                "数据库未返回批量插入的主键,无法加载演示园区(需要 SQLite 3.35+ 或 PostgreSQL)"
            )
        return [int(row.pk) for row in rows]

    @staticmethod
    def _source(code: str, name: str, kind: str) -> DataSource:
        source, _ = DataSource.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
        return source

    @staticmethod
    def _kinds() -> dict[str, RecordKind]:
        kinds = {k.code: k for k in RecordKind.objects.filter(code__in=[spec.code for spec in RECORD_KINDS])}
        missing = sorted({spec.code for spec in RECORD_KINDS} - set(kinds))
        if missing:
            raise DemoLoadError(f"信息资源目录缺少记录类型 {'、'.join(missing)}:请先运行数据库迁移")
        return kinds

    def _accounts(self, enterprise_pk: int, enterprise_name: str) -> int:
        """The demo organisations, users (one per role) and the demo enterprise's bank consent."""
        bank = Organisation.objects.create(
            name=DEMO_BANK_NAME, kind=OrganisationKind.BANK, code=DEMO_BANK_CODE
        )
        own = Organisation.objects.create(
            name=enterprise_name,
            kind=OrganisationKind.ENTERPRISE,
            code=DEMO_ENTERPRISE_CODE,
            enterprise_id=enterprise_pk,
        )
        departments = {o.code: o for o in Organisation.objects.filter(code__in=DEPARTMENT_CODES.values())}
        now = timezone.now()
        # The password is public and shared, so one hash serves every account (hashing is slow on purpose).
        password = make_password(DEMO_PASSWORD)
        users = []
        for account in DEMO_ACCOUNTS:
            if account.role == Role.BANK:
                organisation = bank
            elif account.role == Role.ENTERPRISE:
                organisation = own
            else:
                code = DEPARTMENT_CODES[account.organisation]
                if code not in departments:
                    raise DemoLoadError(
                        f"园区部门「{account.organisation}」(编码 {code})不存在:请先运行数据库迁移"
                    )
                organisation = departments[code]
            users.append(
                User(
                    username=account.username,
                    password=password,
                    role=account.role.value,
                    organisation=organisation,
                    full_name=f"{account.role.label}(演示)",
                    is_staff=account.role == Role.SYSTEM_ADMIN,
                    password_changed_at=now,
                )
            )
        self.bulk(User, users, "创建演示账号")
        BankConsent.objects.create(
            enterprise_id=enterprise_pk,
            bank=bank,
            purpose="信用贷款审批(演示)",
            granted_at=now,
            expires_on=timezone.localdate() + timedelta(days=365),
        )
        return len(users)
