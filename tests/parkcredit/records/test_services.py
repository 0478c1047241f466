"""The ledger's write path: records, events, observations, relations and the catalogue sync."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from creditcore.catalogue import RECORD_KINDS
from parkcredit.audit.models import AuditEntry
from parkcredit.records import services
from parkcredit.records.models import (
    CreditRecord,
    ImportBatch,
    Observation,
    RecordEvent,
    RecordKind,
    Relation,
)
from parkcredit.records.selectors import record_state
from parkcredit.records.services import (
    RecordDuplicate,
    catalogue_sync,
    observation_record,
    record_event_append,
    record_register,
    relation_record,
)
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def register(enterprise: Any, **overrides: Any) -> CreditRecord:
    fields: dict[str, Any] = {
        "actor": None,
        "enterprise": enterprise,
        "kind": "penalty",
        "source": f.data_source(),
        "source_ref": "豫市监罚〔2025〕17号",
        "severity": "general",
        "decided_on": date(2025, 6, 1),
        "occurred_on": date(2025, 5, 2),
        "amount": "20000",
        "authority": "示范市市场监督管理局",
        "summary": "未按规定公示年度报告",
        "payload": {"违法行为类型": "信息公示", "处罚内容": "罚款"},
    }
    fields.update(overrides)
    return record_register(**fields)


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


# --- record_register -------------------------------------------------------------------------


def test_register_writes_record_created_event_and_audit(ent_a: Any, dept_staff: Any) -> None:
    record = register(ent_a, actor=dept_staff)
    record.refresh_from_db()
    assert record.kind.code == "penalty"
    assert record.amount == Decimal("20000.00")
    assert record.created_by == dept_staff
    events = list(record.events.all())
    assert [e.event_type for e in events] == ["created"]
    assert events[0].actor == dept_staff
    assert record_state(record).exists
    entry = AuditEntry.objects.get(action="record.created")
    assert entry.actor == dept_staff
    assert entry.object_id == str(record.pk)
    assert entry.detail["source_ref"] == "豫市监罚〔2025〕17号"
    assert entry.detail["amount"] == "20000.00"


def test_register_accepts_rows_as_well_as_codes(ent_a: Any) -> None:
    kind = RecordKind.objects.get(code="licence")
    source = f.data_source("city-platform")
    record = register(
        ent_a, kind=kind, source="city-platform", severity="", amount=None, source_ref="许可1号"
    )
    assert record.kind == kind
    assert record.source == source
    assert record.amount is None


def test_register_strips_text_fields(ent_a: Any) -> None:
    record = register(ent_a, source_ref="  罚〔2025〕9号 ", authority=" 某局 ")
    assert record.source_ref == "罚〔2025〕9号"
    assert record.authority == "某局"


def test_duplicate_is_refused_naming_the_reference_and_never_overwrites(ent_a: Any) -> None:
    first = register(ent_a)
    with pytest.raises(RecordDuplicate) as caught:
        register(ent_a, amount="99", summary="改过的摘要")
    assert "豫市监罚〔2025〕17号" in messages(caught.value)
    assert caught.value.existing == first
    assert caught.value.error_dict["source_ref"][0].code == "duplicate"
    first.refresh_from_db()
    assert first.amount == Decimal("20000.00")
    assert first.summary == "未按规定公示年度报告"
    assert CreditRecord.objects.count() == 1
    assert actions() == ["record.created"]


def test_same_reference_under_another_kind_or_source_is_a_different_record(ent_a: Any) -> None:
    register(ent_a)
    register(ent_a, source=f.data_source("other-source"))
    register(ent_a, kind="tax-arrears")
    assert CreditRecord.objects.count() == 3


def test_duplicate_lost_at_the_unique_constraint_is_still_a_duplicate(ent_a: Any) -> None:
    first = register(ent_a)
    # Simulates a concurrent import that inserted between our lookup and our insert.
    with (
        mock.patch.object(services, "_existing_record", return_value=None),
        pytest.raises(RecordDuplicate) as caught,
    ):
        register(ent_a)
    assert caught.value.existing == first
    assert CreditRecord.objects.count() == 1
    assert RecordEvent.objects.count() == 1


def test_nothing_is_half_written_when_the_audit_fails(ent_a: Any) -> None:
    with (
        mock.patch.object(services, "audit_log", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        register(ent_a)
    assert CreditRecord.objects.count() == 0
    assert RecordEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"kind": "no-such-kind"}, "kind", "记录类型「no-such-kind」不存在"),
        ({"source": "no-such-source"}, "source", "数据来源「no-such-source」不存在"),
        ({"source_ref": "  "}, "source_ref", "来源编号(文号)必须填写"),
        ({"source_ref": "号" * 129}, "source_ref", "超过 128 个字符"),
        ({"severity": ""}, "severity", "必须填写失信程度"),
        ({"severity": "terrible"}, "severity", "失信程度「terrible」不适用于「行政处罚」"),
        ({"kind": "court-defaulter", "severity": "minor"}, "severity", "可选值为:严重"),
        ({"kind": "licence", "amount": None}, "severity", "「行政许可」类记录不区分失信程度"),
        ({"kind": "licence", "severity": ""}, "amount", "「行政许可」类记录不登记金额,收到金额「20000」"),
        ({"amount": "-1"}, "amount", "金额「-1」不能为负数"),
        ({"amount": "1.005"}, "amount", "最多保留两位小数"),
        ({"amount": "abc"}, "amount", "金额「abc」不是有效的数字"),
        ({"amount": "NaN"}, "amount", "金额「NaN」不是有效的数字"),
        ({"amount": "1e20"}, "amount", "超出允许范围"),
        ({"decided_on": None}, "decided_on", "决定日期必须填写"),
        ({"decided_on": "2025-06-01"}, "decided_on", "决定日期「2025-06-01」不是有效的日期"),
        ({"decided_on": TODAY + timedelta(days=1)}, "decided_on", "晚于今天"),
        (
            {"occurred_on": date(2025, 7, 1)},
            "occurred_on",
            "发生日期「2025-07-01」晚于决定日期「2025-06-01」",
        ),
        ({"authority": "局" * 201}, "authority", "超过 200 个字符"),
        ({"summary": "要" * 501}, "summary", "超过 500 个字符"),
        ({"payload": ["a"]}, "payload", "信息项应为键值对"),
        ({"payload": {"": 1}}, "payload", "信息项名称「」无效"),
        ({"payload": {"金额": Decimal("1")}}, "payload", "无法保存"),
        ({"at": datetime(2025, 1, 1)}, "at", "缺少时区"),
        ({"at": timezone.now() + timedelta(hours=1)}, "at", "晚于当前时间"),
    ],
)
def test_register_refuses_bad_input(ent_a: Any, overrides: dict[str, Any], field: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        register(ent_a, **overrides)
    assert field in caught.value.message_dict
    assert fragment in messages(caught.value)
    assert CreditRecord.objects.count() == 0
    assert AuditEntry.objects.filter(action="record.created").count() == 0


def test_float_amounts_keep_their_written_value(ent_a: Any) -> None:
    record = register(ent_a, amount=1234.5)
    assert record.amount == Decimal("1234.50")


def test_inactive_kind_is_refused(ent_a: Any) -> None:
    RecordKind.objects.filter(code="penalty").update(is_active=False)
    with pytest.raises(ValidationError, match="已停用"):
        register(ent_a)


def test_actor_who_cannot_see_the_enterprise_is_refused(ent_a: Any, ent_b_user: Any) -> None:
    with pytest.raises(PermissionDenied, match="甲精密机械有限公司"):
        register(ent_a, actor=ent_b_user)
    assert CreditRecord.objects.count() == 0


def test_batch_counts_its_records_and_must_share_the_source(ent_a: Any, park_admin: Any) -> None:
    source = f.data_source()
    batch = ImportBatch.objects.create(source=source, label="2025年6月处罚", created_by=park_admin)
    register(ent_a, batch=batch, source=source)
    register(ent_a, batch=batch, source=source, source_ref="豫市监罚〔2025〕18号")
    batch.refresh_from_db()
    assert batch.rows_written == 2
    other = ImportBatch.objects.create(source=f.data_source("other"), label="别的来源")
    with pytest.raises(ValidationError, match="属于其他数据来源"):
        register(ent_a, batch=other, source=source, source_ref="豫市监罚〔2025〕19号")


def test_created_event_takes_the_given_moment(ent_a: Any) -> None:
    moment = timezone.now() - timedelta(days=3)
    record = register(ent_a, at=moment)
    assert record.events.get().at == moment


# --- the ledger is append-only -----------------------------------------------------------------


def test_records_and_events_cannot_be_changed_or_deleted(ent_a: Any) -> None:
    record = register(ent_a)
    event = record.events.get()
    record.summary = "偷偷改"
    with pytest.raises(PermissionError, match="只能追加"):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        CreditRecord.objects.filter(pk=record.pk).update(summary="x")
    with pytest.raises(PermissionError):
        CreditRecord.objects.filter(pk=record.pk).delete()
    event.note = "x"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        RecordEvent.objects.all().update(note="x")
    with pytest.raises(PermissionError):
        RecordEvent.objects.all().delete()
    record.refresh_from_db()
    assert record.summary == "未按规定公示年度报告"


# --- record_event_append -------------------------------------------------------------------


def test_dispute_then_rejection_with_audit(ent_a: Any, ent_a_user: Any, dept_staff: Any) -> None:
    record = register(ent_a, at=timezone.now() - timedelta(days=2))
    event = record_event_append(actor=ent_a_user, record=record, event_type="disputed", note="处罚对象有误")
    assert event.actor == ent_a_user
    assert record_state(record).disputed
    entry = AuditEntry.objects.get(action="record.disputed")
    assert entry.actor == ent_a_user
    assert entry.detail["status_before"] == "active"
    assert entry.detail["disputed"] is True
    record_event_append(actor=dept_staff, record=record, event_type="dispute_rejected")
    state = record_state(record)
    assert state.exists and not state.disputed
    assert actions() == ["record.created", "record.disputed", "record.dispute_rejected"]


def test_invalid_transition_is_a_chinese_validation_error(ent_a: Any, dept_staff: Any) -> None:
    record = register(ent_a)
    record_event_append(actor=dept_staff, record=record, event_type="disputed")
    with pytest.raises(ValidationError) as caught:
        record_event_append(actor=dept_staff, record=record, event_type="repaired")
    assert "不能发生「信用修复」" in messages(caught.value)
    assert "(异议中)" in messages(caught.value)
    assert caught.value.error_dict["event_type"][0].code == "invalid_transition"
    assert record.events.count() == 2
    assert "record.repaired" not in actions()


def test_revoked_record_takes_no_more_events(ent_a: Any) -> None:
    record = register(ent_a)
    record_event_append(actor=None, record=record, event_type="revoked", note="复议撤销")
    for event_type in ("disputed", "repaired", "publicity_ended", "revoked", "created"):
        with pytest.raises(ValidationError, match="已撤销"):
            record_event_append(actor=None, record=record, event_type=event_type)


def test_events_cannot_be_backdated(ent_a: Any) -> None:
    record = register(ent_a)
    last = record.events.get().at
    with pytest.raises(ValidationError) as caught:
        record_event_append(actor=None, record=record, event_type="disputed", at=last - timedelta(seconds=1))
    assert "不能倒签" in messages(caught.value)
    assert "记录生成" in messages(caught.value)
    # The same moment is fine: the row id orders ties.
    record_event_append(actor=None, record=record, event_type="disputed", at=last)
    assert record_state(record).disputed


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"event_type": "exploded"}, "事件类型「exploded」无效"),
        ({"note": "长" * 501}, "超过 500 个字符"),
        ({"payload": "x"}, "信息项应为键值对"),
        ({"at": timezone.now() + timedelta(days=1)}, "晚于当前时间"),
    ],
)
def test_event_append_refuses_bad_input(ent_a: Any, overrides: dict[str, Any], fragment: str) -> None:
    record = register(ent_a)
    fields: dict[str, Any] = {"actor": None, "record": record, "event_type": "disputed", **overrides}
    with pytest.raises(ValidationError, match=fragment):
        record_event_append(**fields)
    assert record.events.count() == 1


def test_event_append_refuses_actors_outside_the_scope(ent_a: Any, bank_unauthorised_user: Any) -> None:
    record = register(ent_a)
    with pytest.raises(PermissionDenied):
        record_event_append(actor=bank_unauthorised_user, record=record, event_type="disputed")


def test_event_append_rolls_back_with_the_audit(ent_a: Any) -> None:
    record = register(ent_a)
    with (
        mock.patch.object(services, "audit_log", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        record_event_append(actor=None, record=record, event_type="disputed")
    assert record.events.count() == 1


# --- observations --------------------------------------------------------------------------


def observe(enterprise: Any, **overrides: Any) -> Observation:
    fields: dict[str, Any] = {
        "actor": None,
        "enterprise": enterprise,
        "metric": "rent_bill",
        "period": date(2025, 3, 1),
        "value": "12000",
        "source": f.data_source("park"),
        "due_on": date(2025, 3, 10),
    }
    fields.update(overrides)
    return observation_record(**fields)


def test_observation_created_with_audit(ent_a: Any, dept_staff: Any) -> None:
    observation = observe(ent_a, actor=dept_staff, payload={"账单号": "R-2025-03"})
    assert observation.value == Decimal("12000.00")
    assert observation.settled_on is None
    entry = AuditEntry.objects.get(action="observation.created")
    assert entry.detail == {"enterprise": ent_a.uscc, "metric": "rent_bill", "period": "2025-03-01"}


def test_same_observation_again_is_a_no_op(ent_a: Any) -> None:
    first = observe(ent_a)
    again = observe(ent_a, value=Decimal("12000.00"))
    assert again.pk == first.pk
    assert Observation.objects.count() == 1
    assert actions() == ["observation.created"]


def test_different_value_for_an_existing_key_is_refused(ent_a: Any) -> None:
    observe(ent_a)
    with pytest.raises(ValidationError) as caught:
        observe(ent_a, value="13000")
    assert "已登记数值「12000.00」" in messages(caught.value)
    assert "「13000.00」" in messages(caught.value)
    assert Observation.objects.get().value == Decimal("12000.00")


def test_paying_an_open_bill_records_the_settlement_once(ent_a: Any) -> None:
    observe(ent_a)
    paid = observe(ent_a, settled_on=date(2025, 3, 20))
    assert paid.settled_on == date(2025, 3, 20)
    assert actions() == ["observation.created", "observation.settled"]
    observe(ent_a, settled_on=date(2025, 3, 20))  # re-import: nothing new
    assert actions() == ["observation.created", "observation.settled"]
    with pytest.raises(ValidationError, match="已登记结清日「2025-03-20」"):
        observe(ent_a, settled_on=date(2025, 3, 25))
    with pytest.raises(ValidationError, match="已登记到期日「2025-03-10」"):
        observe(ent_a, due_on=date(2025, 3, 15))


def test_other_source_may_report_the_same_month(ent_a: Any) -> None:
    observe(ent_a)
    observe(ent_a, source=f.data_source("finance"), value="11999")
    assert Observation.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"metric": "happiness"}, "指标「happiness」不在园区指标目录中"),
        ({"period": date(2025, 3, 15)}, "应为月初日期"),
        ({"period": "2025-03-01"}, "不是有效的日期"),
        ({"period": date(TODAY.year + 1, 1, 1)}, "不能登记未来的数据"),
        ({"value": "-5"}, "房租账单数值「-5」不能为负数"),
        ({"value": "1.234"}, "最多保留两位小数"),
        ({"value": "lots"}, "不是有效的数字"),
        ({"metric": "electricity", "due_on": date(2025, 3, 10)}, "不是账单类指标"),
        ({"due_on": "soon"}, "到期日「soon」不是有效的日期"),
        ({"settled_on": TODAY + timedelta(days=1)}, "晚于今天"),
        ({"payload": [1]}, "信息项应为键值对"),
    ],
)
def test_observation_refuses_bad_input(ent_a: Any, overrides: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        observe(ent_a, **overrides)
    assert Observation.objects.count() == 0


# --- relations -----------------------------------------------------------------------------


def relate(enterprise: Any, counterparty: Any, **overrides: Any) -> Relation:
    fields: dict[str, Any] = {
        "actor": None,
        "enterprise": enterprise,
        "counterparty": counterparty,
        "relation_type": "supplier",
        "weight": "0.35",
        "source": f.data_source("park"),
    }
    fields.update(overrides)
    return relation_record(**fields)


def test_relation_created_with_audit(ent_a: Any, ent_b: Any) -> None:
    relation = relate(ent_a, ent_b, valid_from=date(2024, 1, 1), valid_to=date(2026, 1, 1))
    assert relation.weight == Decimal("0.35")
    entry = AuditEntry.objects.get(action="relation.created")
    assert entry.detail["counterparty"] == ent_b.uscc


def test_same_relation_again_returns_it_and_a_new_weight_is_refused(ent_a: Any, ent_b: Any) -> None:
    first = relate(ent_a, ent_b)
    assert relate(ent_a, ent_b, weight=Decimal("0.3500")).pk == first.pk
    with pytest.raises(ValidationError, match=re.escape("不能覆盖为「0.5」")):
        relate(ent_a, ent_b, weight="0.5")
    # A new period is a new relation.
    relate(ent_a, ent_b, weight="0.5", valid_from=date(2025, 1, 1))
    assert Relation.objects.count() == 2
    assert actions() == ["relation.created", "relation.created"]


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"weight": "1.01"}, "依赖度「1.01」应在 0 到 1 之间"),
        ({"weight": "-0.1"}, "应在 0 到 1 之间"),
        ({"weight": "0.12345"}, "最多保留四位小数"),
        ({"weight": "heavy"}, "不是有效的数字"),
        ({"relation_type": "friend"}, "关系类型「friend」无效"),
        ({"valid_from": date(2025, 2, 1), "valid_to": date(2025, 1, 1)}, "早于起始日期"),
    ],
)
def test_relation_refuses_bad_input(ent_a: Any, ent_b: Any, overrides: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        relate(ent_a, ent_b, **overrides)
    assert Relation.objects.count() == 0


def test_relation_to_itself_is_refused(ent_a: Any) -> None:
    with pytest.raises(ValidationError, match="不能与自身建立关联关系"):
        relate(ent_a, ent_a)


def test_relation_refuses_actors_outside_the_scope(ent_a: Any, ent_b: Any, ent_b_user: Any) -> None:
    with pytest.raises(PermissionDenied):
        relate(ent_a, ent_b, actor=ent_b_user)


# --- the catalogue -------------------------------------------------------------------------


def test_sync_on_a_seeded_database_changes_nothing(park_admin: Any) -> None:
    counts = catalogue_sync(actor=park_admin)
    assert counts == {"created": 0, "updated": 0, "unchanged": len(RECORD_KINDS), "total": len(RECORD_KINDS)}
    entry = AuditEntry.objects.get(action="catalogue.synced")
    assert entry.actor == park_admin
    assert entry.detail["created_codes"] == []


def test_sync_creates_missing_and_restores_edited_kinds_but_keeps_local_choices() -> None:
    RecordKind.objects.filter(code="honour").delete()
    RecordKind.objects.filter(code="penalty").update(name="处罚(改)", payload_fields=["x"], is_active=False)
    RecordKind.objects.create(
        code="park-own", name="园区自定义", category="park_honours", polarity="positive"
    )
    counts = catalogue_sync()
    assert counts["created"] == 1
    assert counts["updated"] == 1
    assert counts["total"] == len(RECORD_KINDS) + 1
    penalty = RecordKind.objects.get(code="penalty")
    assert penalty.name == "行政处罚"
    assert penalty.payload_fields[0] == "违法行为类型"
    assert penalty.is_active is False  # a staff decision survives the sync
    assert RecordKind.objects.get(code="park-own").name == "园区自定义"
    detail = AuditEntry.objects.get(action="catalogue.synced").detail
    assert detail["created_codes"] == ["honour"]
    assert detail["updated_codes"] == ["penalty"]


def test_catalogue_command_prints_json_counts() -> None:
    RecordKind.objects.filter(code="park-honour").delete()
    out = StringIO()
    call_command("catalogue", "sync", stdout=out)
    counts = json.loads(out.getvalue())
    assert counts["created"] == 1
    assert RecordKind.objects.filter(code="park-honour").exists()


def test_seeing_an_enterprise_is_not_enough_to_write_its_ledger(
    ent_a: Any, bank_user: Any, ent_a_user: Any, inspector: Any
) -> None:
    record = register(ent_a, at=timezone.now() - timedelta(days=2))
    for actor in (bank_user, inspector):
        with pytest.raises(PermissionDenied):
            record_event_append(actor=actor, record=record, event_type="revoked")
    with pytest.raises(PermissionDenied):
        record_event_append(actor=ent_a_user, record=record, event_type="repaired")


def test_an_enterprise_cannot_contest_another_enterprises_record(ent_b: Any, ent_a_user: Any) -> None:
    record = register(ent_b, at=timezone.now() - timedelta(days=2))
    with pytest.raises(PermissionDenied):
        record_event_append(actor=ent_a_user, record=record, event_type="disputed")
