"""The one write path of the credit ledger.

Every record, event, observation and relation enters the database through a function here:
each one validates its input with a Chinese message naming the field and the value, writes
inside one transaction, and appends an audit entry in that same transaction. Nothing here ever
updates a ledger row in place: a duplicate is refused, a change of status is a new event.

Authorisation of the *workflow* (who may dispute, who may import) belongs to the calling app's
service; this module only refuses actors who cannot even see the enterprise. `actor=None` means
the system itself (imports run by a job, the synthetic park).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from creditcore.catalogue import METRICS_BY_CODE, RECORD_KINDS, RELATION_LABELS, KindSpec
from creditcore.ledger import EVENT_LABELS, EventType, InvalidTransition, apply_event
from parkcredit.audit.services import audit_log
from parkcredit.enterprises.models import Enterprise
from parkcredit.records.models import (
    SEVERITY_CHOICES,
    CreditRecord,
    DataSource,
    ImportBatch,
    Observation,
    RecordEvent,
    RecordKind,
    Relation,
)
from parkcredit.records.selectors import events_fold

SEVERITY_LABELS: dict[str, str] = {value: str(label) for value, label in SEVERITY_CHOICES}
AMOUNT_LIMIT = Decimal(10) ** 16  # max_digits=18 with 2 decimal places
WEIGHT_QUANTUM = Decimal("0.0001")


class RecordDuplicate(ValidationError):
    """A record with the same source, kind and source reference (文号) already exists.

    Importers catch it to count a re-imported row as already present; `existing` is that row.
    """

    def __init__(self, existing: CreditRecord) -> None:
        self.existing = existing
        message = (
            f"来源编号(文号)「{existing.source_ref}」已在来源「{existing.source.name}」的"
            f"「{existing.kind.name}」记录中登记(记录 #{existing.pk}),不能重复登记,也不会覆盖原记录"
        )
        super().__init__({"source_ref": ValidationError(message, code="duplicate")})


# --- small validators ------------------------------------------------------------------------


def _ensure_can_write(actor: Any, enterprise: Enterprise) -> None:
    """Only archive editors who can see the enterprise write its ledger; None is the system itself.

    Seeing an enterprise is not enough: banks and the enterprise itself see it too, and neither
    may register or withdraw credit information about it.
    """
    if actor is None:
        return
    if not getattr(actor, "can_edit_archive", False) or not (
        Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists()
    ):
        raise PermissionDenied(f"无权为企业「{enterprise.name}」登记信用信息")


def _resolve_kind(kind: RecordKind | str) -> RecordKind:
    if isinstance(kind, RecordKind):
        return kind
    found = RecordKind.objects.filter(code=kind).first()
    if found is None:
        raise ValidationError({"kind": f"记录类型「{kind}」不存在于信息资源目录"})
    return found


def _resolve_source(source: DataSource | str) -> DataSource:
    if isinstance(source, DataSource):
        return source
    found = DataSource.objects.filter(code=source).first()
    if found is None:
        raise ValidationError({"source": f"数据来源「{source}」不存在"})
    return found


def _to_decimal(value: Any, *, field: str, label: str) -> Decimal:
    if isinstance(value, float):
        # A float has already lost the cents; the caller must pass a string or a Decimal.
        value = repr(value)
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"{label}「{value}」不是有效的数字"}) from None
    if not number.is_finite():
        raise ValidationError({field: f"{label}「{value}」不是有效的数字"})
    return number


def _parse_amount(amount: Any, kind: RecordKind) -> Decimal | None:
    if amount is None or amount == "":
        return None
    number = _to_decimal(amount, field="amount", label="金额")
    if not kind.has_amount:
        raise ValidationError({"amount": f"「{kind.name}」类记录不登记金额,收到金额「{amount}」"})
    if number < 0:
        raise ValidationError({"amount": f"金额「{amount}」不能为负数"})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({"amount": f"金额「{amount}」以元为单位,最多保留两位小数"})
    if number >= AMOUNT_LIMIT:
        raise ValidationError({"amount": f"金额「{amount}」超出允许范围"})
    return number.quantize(Decimal("0.01"))


def _check_severity(severity: str, kind: RecordKind) -> None:
    allowed = list(kind.severities or [])
    if not allowed:
        if severity:
            raise ValidationError(
                {"severity": f"「{kind.name}」类记录不区分失信程度,收到失信程度「{severity}」"}
            )
        return
    if not severity:
        names = "、".join(SEVERITY_LABELS.get(s, s) for s in allowed)
        raise ValidationError({"severity": f"「{kind.name}」类记录必须填写失信程度({names})"})
    if severity not in allowed:
        names = "、".join(SEVERITY_LABELS.get(s, s) for s in allowed)
        raise ValidationError({"severity": f"失信程度「{severity}」不适用于「{kind.name}」,可选值为:{names}"})


def _check_date(value: Any, *, field: str, label: str) -> date | None:
    """A past-or-today date, or None; a datetime or a string is refused, not guessed at."""
    if value is None:
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError({field: f"{label}「{value}」不是有效的日期"})
    if value > timezone.localdate():
        raise ValidationError({field: f"{label}「{value.isoformat()}」晚于今天,不能登记未来的日期"})
    return value


def _require_date(value: Any, *, field: str, label: str) -> date:
    checked = _check_date(value, field=field, label=label)
    if checked is None:
        raise ValidationError({field: f"{label}必须填写"})
    return checked


def _check_payload(payload: Any) -> dict[str, Any]:
    if payload is None:
        return {}
    if not isinstance(payload, dict):
        raise ValidationError({"payload": f"信息项应为键值对,收到「{type(payload).__name__}」"})
    for key in payload:
        if not isinstance(key, str) or not key.strip():
            raise ValidationError({"payload": f"信息项名称「{key}」无效,应为非空文字"})
    try:
        json.dumps(payload, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"payload": f"信息项含有无法保存的值:{exc}"}) from None
    return dict(payload)


def _check_text(value: str, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: f"{label}必须填写"})
    if len(text) > max_length:
        raise ValidationError({field: f"{label}「{text[:20]}…」超过 {max_length} 个字符"})
    return text


def _check_moment(at: datetime | None, *, field: str = "at") -> datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        raise ValidationError({field: f"时间「{at.isoformat()}」缺少时区"})
    if at > timezone.now():
        shown = f"{timezone.localtime(at):%Y-%m-%d %H:%M}"
        raise ValidationError({field: f"时间「{shown}」晚于当前时间,不能预先登记"})
    return at


# --- records -------------------------------------------------------------------------------


def _existing_record(*, source: DataSource, kind: RecordKind, source_ref: str) -> CreditRecord | None:
    return (
        CreditRecord.objects.select_related("kind", "source")
        .filter(source=source, kind=kind, source_ref=source_ref)
        .first()
    )


def _rescore_after_commit(enterprise_id: int) -> None:
    """A ledger change moves the enterprise's grade: rescore it once the write commits."""
    from parkcredit.scoring.services import scoring_on_commit

    scoring_on_commit([enterprise_id])


def record_register(
    *,
    actor: Any,
    enterprise: Enterprise,
    kind: RecordKind | str,
    source: DataSource | str,
    source_ref: str,
    decided_on: date,
    severity: str = "",
    occurred_on: date | None = None,
    amount: Any = None,
    authority: str = "",
    summary: str = "",
    payload: dict[str, Any] | None = None,
    batch: ImportBatch | None = None,
    at: datetime | None = None,
) -> CreditRecord:
    """Enter one credit fact into the ledger with its CREATED event and an audit entry.

    `kind` and `source` may be given as rows or codes. A (source, kind, source_ref) that is
    already in the ledger raises `RecordDuplicate`; the existing row is never touched, which
    makes re-imports idempotent. A batch's `rows_written` counts the records written through it.
    """
    kind = _resolve_kind(kind)
    source = _resolve_source(source)
    _ensure_can_write(actor, enterprise)
    if not kind.is_active:
        raise ValidationError({"kind": f"记录类型「{kind.name}」({kind.code})已停用,不能登记新记录"})
    source_ref = _check_text(
        source_ref, field="source_ref", label="来源编号(文号)", max_length=128, required=True
    )
    severity = (severity or "").strip()
    _check_severity(severity, kind)
    decided = _require_date(decided_on, field="decided_on", label="决定日期")
    occurred = _check_date(occurred_on, field="occurred_on", label="发生日期")
    if occurred is not None and occurred > decided:
        raise ValidationError(
            {"occurred_on": f"发生日期「{occurred.isoformat()}」晚于决定日期「{decided.isoformat()}」"}
        )
    parsed_amount = _parse_amount(amount, kind)
    authority = _check_text(authority, field="authority", label="作出机关", max_length=200)
    summary = _check_text(summary, field="summary", label="摘要", max_length=500)
    clean_payload = _check_payload(payload)
    if batch is not None and batch.source_id != source.pk:
        raise ValidationError(
            {"batch": f"导入批次「{batch.label}」属于其他数据来源,不能用于来源「{source.name}」的记录"}
        )
    created_at = _check_moment(at)

    with transaction.atomic():
        existing = _existing_record(source=source, kind=kind, source_ref=source_ref)
        if existing is not None:
            raise RecordDuplicate(existing)
        record = CreditRecord(
            enterprise=enterprise,
            kind=kind,
            source=source,
            source_ref=source_ref,
            severity=severity,
            occurred_on=occurred,
            decided_on=decided,
            amount=parsed_amount,
            authority=authority,
            summary=summary,
            payload=clean_payload,
            batch=batch,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        try:
            # A concurrent import of the same 文号 loses the race at the unique constraint.
            with transaction.atomic():
                record.save(force_insert=True)
        except IntegrityError:
            raise RecordDuplicate(
                CreditRecord.objects.select_related("kind", "source").get(
                    source=source, kind=kind, source_ref=source_ref
                )
            ) from None
        RecordEvent.objects.create(
            record=record,
            event_type=EventType.CREATED.value,
            at=created_at,
            actor=record.created_by,
        )
        if batch is not None:
            ImportBatch.objects.filter(pk=batch.pk).update(rows_written=F("rows_written") + 1)
        audit_log(
            actor=actor,
            action="record.created",
            obj=record,
            detail={
                "enterprise": enterprise.uscc,
                "kind": kind.code,
                "source": source.code,
                "source_ref": source_ref,
                "severity": severity,
                "decided_on": decided.isoformat(),
                "amount": str(parsed_amount) if parsed_amount is not None else None,
                "batch": batch.pk if batch is not None else None,
            },
        )
        _rescore_after_commit(enterprise.pk)
    return record


def record_event_append(
    *,
    actor: Any,
    record: CreditRecord,
    event_type: EventType | str,
    at: datetime | None = None,
    note: str = "",
    payload: dict[str, Any] | None = None,
) -> RecordEvent:
    """Append a status event to a record after checking it against the ledger's fold.

    The event must be a valid transition from the record's current state (a disputed record
    cannot be repaired, a revoked one takes no more events) and may not be dated before the
    record's last event, so history is only ever extended at its end.
    """
    try:
        kind = EventType(event_type)
    except ValueError:
        raise ValidationError({"event_type": f"事件类型「{event_type}」无效"}) from None
    # An enterprise may contest (异议) its own records; every other event is the park's to write.
    if not (kind is EventType.DISPUTED and getattr(actor, "enterprise_id", None) == record.enterprise_id):
        _ensure_can_write(actor, record.enterprise)
    note = _check_text(note, field="note", label="说明", max_length=500)
    clean_payload = _check_payload(payload)
    moment = _check_moment(at)

    with transaction.atomic():
        # Lock the record so two concurrent appends fold over the same history one after the other.
        locked = CreditRecord.objects.select_for_update().get(pk=record.pk)
        events = list(RecordEvent.objects.filter(record=locked).order_by("at", "id"))
        if events and moment < events[-1].at:
            last = timezone.localtime(events[-1].at)
            raise ValidationError(
                {
                    "at": (
                        f"事件时间「{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}」早于该记录最近一次事件"
                        f"「{EVENT_LABELS[EventType(events[-1].event_type)]}」的时间"
                        f"「{last:%Y-%m-%d %H:%M:%S}」,不能倒签"
                    )
                }
            )
        before = events_fold(events)
        try:
            after = apply_event(before, kind)
        except InvalidTransition as exc:
            raise ValidationError(
                {"event_type": ValidationError(str(exc), code="invalid_transition")}
            ) from None
        event = RecordEvent.objects.create(
            record=locked,
            event_type=kind.value,
            at=moment,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            note=note,
            payload=clean_payload,
        )
        audit_log(
            actor=actor,
            action=f"record.{kind.value}",
            obj=locked,
            detail={
                "event": event.pk,
                "at": moment.isoformat(),
                "status_before": before.status.value,
                "status_after": after.status.value,
                "disputed": after.disputed,
                "note": note,
            },
        )
        _rescore_after_commit(locked.enterprise_id)
    return event


# --- observations and relations -------------------------------------------------------------


def observation_record(
    *,
    actor: Any,
    enterprise: Enterprise,
    metric: str,
    period: date,
    value: Any,
    source: DataSource | str,
    due_on: date | None = None,
    settled_on: date | None = None,
    payload: dict[str, Any] | None = None,
) -> Observation:
    """Record one park observation (bill, meter reading, statistic or safety check).

    One row per enterprise, metric, month and source. Recording the same value again returns the
    existing row unchanged (idempotent imports); a different value for an existing key is
    refused, never overwritten. The one later change accepted is the settlement date of a bill
    that was open: paying a bill is a new fact about it, recorded with its own audit entry.
    """
    spec = METRICS_BY_CODE.get(metric)
    if spec is None:
        raise ValidationError({"metric": f"指标「{metric}」不在园区指标目录中"})
    source = _resolve_source(source)
    _ensure_can_write(actor, enterprise)
    if not isinstance(period, date) or isinstance(period, datetime):
        raise ValidationError({"period": f"期间「{period}」不是有效的日期"})
    if period.day != 1:
        raise ValidationError({"period": f"期间「{period.isoformat()}」应为月初日期(每月 1 日)"})
    if period > timezone.localdate():
        raise ValidationError({"period": f"期间「{period.isoformat()}」晚于本月,不能登记未来的数据"})
    number = _to_decimal(value, field="value", label=f"{spec.name}数值")
    if number < 0:
        raise ValidationError({"value": f"{spec.name}数值「{value}」不能为负数"})
    if number != number.quantize(Decimal("0.01")) or number >= AMOUNT_LIMIT:
        raise ValidationError({"value": f"{spec.name}数值「{value}」最多保留两位小数且不超过允许范围"})
    number = number.quantize(Decimal("0.01"))
    if not spec.is_bill and (due_on is not None or settled_on is not None):
        raise ValidationError({"due_on": f"「{spec.name}」不是账单类指标,不登记到期日和结清日"})
    settled = _check_date(settled_on, field="settled_on", label="结清日")
    if due_on is not None and (isinstance(due_on, datetime) or not isinstance(due_on, date)):
        raise ValidationError({"due_on": f"到期日「{due_on}」不是有效的日期"})
    clean_payload = _check_payload(payload)

    with transaction.atomic():
        existing = (
            Observation.objects.select_for_update()
            .filter(enterprise=enterprise, metric=metric, period=period, source=source)
            .first()
        )
        if existing is None:
            observation = Observation.objects.create(
                enterprise=enterprise,
                metric=metric,
                period=period,
                value=number,
                due_on=due_on,
                settled_on=settled,
                source=source,
                payload=clean_payload,
            )
            audit_log(
                actor=actor,
                action="observation.created",
                obj=observation,
                detail={"enterprise": enterprise.uscc, "metric": metric, "period": period.isoformat()},
            )
            return observation
        label = f"{enterprise.name} {period:%Y年%m月}「{spec.name}」"
        if existing.value != number:
            raise ValidationError(
                {"value": f"{label}已登记数值「{existing.value}」,不能改为「{number}」;更正请联系数据来源"}
            )
        if due_on is not None and existing.due_on not in (None, due_on):
            raise ValidationError(
                {"due_on": f"{label}已登记到期日「{existing.due_on}」,不能改为「{due_on.isoformat()}」"}
            )
        if settled is not None and existing.settled_on not in (None, settled):
            raise ValidationError(
                {"settled_on": f"{label}已登记结清日「{existing.settled_on}」,不能改为「{settled}」"}
            )
        if settled is not None and existing.settled_on is None:
            existing.settled_on = settled
            existing.save(update_fields=["settled_on"])
            audit_log(
                actor=actor,
                action="observation.settled",
                obj=existing,
                detail={"settled_on": settled.isoformat()},
            )
        return existing


def relation_record(
    *,
    actor: Any,
    enterprise: Enterprise,
    counterparty: Enterprise,
    relation_type: str,
    weight: Any,
    source: DataSource | str,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Relation:
    """Record a link from `enterprise` to `counterparty` with a dependency weight in [0, 1].

    The same link recorded again with the same weight returns the existing row; a different
    weight for the same link and start date is refused (record a new period instead).
    """
    if enterprise.pk == counterparty.pk:
        raise ValidationError({"counterparty": f"企业「{enterprise.name}」不能与自身建立关联关系"})
    labels = {str(k.value): v for k, v in RELATION_LABELS.items()}
    if relation_type not in labels:
        raise ValidationError({"relation_type": f"关系类型「{relation_type}」无效"})
    source = _resolve_source(source)
    _ensure_can_write(actor, enterprise)
    number = _to_decimal(weight, field="weight", label="依赖度")
    if number < 0 or number > 1:
        raise ValidationError({"weight": f"依赖度「{weight}」应在 0 到 1 之间"})
    if number != number.quantize(WEIGHT_QUANTUM):
        raise ValidationError({"weight": f"依赖度「{weight}」最多保留四位小数"})
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise ValidationError(
            {"valid_to": f"终止日期「{valid_to.isoformat()}」早于起始日期「{valid_from.isoformat()}」"}
        )

    with transaction.atomic():
        # valid_from may be NULL, which the unique constraint does not cover, so check here.
        existing = Relation.objects.filter(
            enterprise=enterprise,
            counterparty=counterparty,
            relation_type=relation_type,
            **({"valid_from": valid_from} if valid_from is not None else {"valid_from__isnull": True}),
        ).first()
        if existing is not None:
            if existing.weight != number or existing.valid_to != valid_to:
                raise ValidationError(
                    {
                        "weight": (
                            f"「{enterprise.name}」与「{counterparty.name}」的{labels[relation_type]}关系已登记"
                            f"(依赖度「{existing.weight}」),不能覆盖为「{number}」"
                        )
                    }
                )
            return existing
        relation = Relation.objects.create(
            enterprise=enterprise,
            counterparty=counterparty,
            relation_type=relation_type,
            weight=number,
            valid_from=valid_from,
            valid_to=valid_to,
            source=source,
        )
        audit_log(
            actor=actor,
            action="relation.created",
            obj=relation,
            detail={
                "enterprise": enterprise.uscc,
                "counterparty": counterparty.uscc,
                "relation_type": relation_type,
                "weight": str(number),
            },
        )
    return relation


# --- catalogue -------------------------------------------------------------------------------


def _kind_fields(spec: KindSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "category": spec.category.value,
        "polarity": spec.polarity.value,
        "severities": [s.value for s in spec.severities],
        "has_amount": spec.has_amount,
        "payload_fields": list(spec.payload_fields),
        "publicity_rule": spec.publicity_rule,
        "repair_rule": spec.repair_rule,
        "description": spec.description,
    }


def catalogue_sync(*, actor: Any = None) -> dict[str, int]:
    """Bring the `RecordKind` table in line with `creditcore.catalogue.RECORD_KINDS`.

    Missing kinds are created and the catalogue's fields of existing ones are updated. Kinds
    staff added in the admin (codes not in the catalogue) and the `is_active` switch are left
    alone, so deactivating a kind survives a sync.
    """
    created: list[str] = []
    updated: list[str] = []
    with transaction.atomic():
        existing = {kind.code: kind for kind in RecordKind.objects.select_for_update()}
        for spec in RECORD_KINDS:
            fields = _kind_fields(spec)
            kind = existing.get(spec.code)
            if kind is None:
                RecordKind.objects.create(code=spec.code, **fields)
                created.append(spec.code)
                continue
            changed = [name for name, value in fields.items() if getattr(kind, name) != value]
            if changed:
                for name in changed:
                    setattr(kind, name, fields[name])
                kind.save(update_fields=changed)
                updated.append(spec.code)
        counts = {
            "created": len(created),
            "updated": len(updated),
            "unchanged": len(RECORD_KINDS) - len(created) - len(updated),
            "total": RecordKind.objects.count(),
        }
        audit_log(
            actor=actor,
            action="catalogue.synced",
            object_type="records.recordkind",
            detail={**counts, "created_codes": created, "updated_codes": updated},
        )
    return counts
