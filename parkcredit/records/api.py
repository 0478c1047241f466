"""API router for an enterprise's credit records: `/api/v1/enterprises/{uscc}/records`.

Uses the page selectors (`enterprise_get_by_uscc_for_actor`, `record_list`) and reports each
record's status as the fold of its events, like the record page does. The raw payload is not
exposed: it is source material that may carry names of natural persons.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import P, QueryEx, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from creditcore.ledger import STATUS_LABELS
from parkcredit.enterprises.selectors import enterprise_get_by_uscc_for_actor
from parkcredit.records.api_common import (
    ERROR_RESPONSES,
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    api_actor,
    paginate,
)
from parkcredit.records.models import CreditRecord, RecordKind
from parkcredit.records.selectors import events_fold, record_list

router = Router(tags=["信用记录"])


class RecordKindOut(Schema):
    code: str = Field(description="记录类型编码")
    name: str = Field(description="记录类型名称")
    category: str = Field(description="目录分类代码")
    polarity: str = Field(description="性质:negative / positive / neutral")


class RecordOut(Schema):
    id: int
    kind: RecordKindOut
    severity: str = Field(description="失信程度:minor / general / serious,或空")
    occurred_on: date | None = Field(description="发生日期")
    decided_on: date = Field(description="决定日期")
    amount: str | None = Field(description="金额(元),十进制字符串")
    authority: str = Field(description="作出机关")
    source_ref: str = Field(description="来源编号(文号)")
    source: str = Field(description="数据来源")
    summary: str = Field(description="摘要")
    status: str = Field(description="当前状态:active / repaired / revoked / publicity_ended")
    status_label: str = Field(description="当前状态(中文)")
    disputed: bool = Field(description="是否处于异议中(冻结)")


class RecordPageOut(Schema):
    items: list[RecordOut]
    count: int = Field(description="符合条件的记录总数")
    page: int
    page_size: int


def record_out(record: CreditRecord) -> dict[str, Any]:
    state = events_fold(getattr(record, "ordered_events", None) or record.events.order_by("at", "id"))
    return {
        "id": record.pk,
        "kind": {
            "code": record.kind.code,
            "name": record.kind.name,
            "category": record.kind.category,
            "polarity": record.kind.polarity,
        },
        "severity": record.severity,
        "occurred_on": record.occurred_on,
        "decided_on": record.decided_on,
        "amount": None if record.amount is None else str(record.amount),
        "authority": record.authority,
        "source_ref": record.source_ref,
        "source": record.source.name,
        "summary": record.summary,
        "status": state.status.value,
        "status_label": STATUS_LABELS[state.status],
        "disputed": state.disputed,
    }


@router.get(
    "/{uscc}/records",
    response={200: RecordPageOut, **ERROR_RESPONSES},
    summary="企业信用记录",
    description="按决定日期从新到旧;可按记录类型与决定日期区间(含端点)筛选。状态由记录事件推算。",
)
def enterprise_records(
    request: HttpRequest,
    uscc: str,
    kind: QueryEx[str, P(max_length=64, description="记录类型编码,如 penalty")] = "",
    since: QueryEx[date | None, P(description="决定日期起(含),YYYY-MM-DD")] = None,
    until: QueryEx[date | None, P(description="决定日期止(含),YYYY-MM-DD")] = None,
    page: QueryEx[int, P(ge=1, description="页码,从 1 开始")] = 1,
    page_size: QueryEx[int, P(ge=1, le=PAGE_SIZE_MAX, description="每页条数,1-100")] = PAGE_SIZE_DEFAULT,
) -> dict[str, Any]:
    enterprise = enterprise_get_by_uscc_for_actor(api_actor(request), uscc)
    if kind and not RecordKind.objects.filter(code=kind).exists():
        raise HttpError(422, f"参数 kind 的值「{kind}」无效:信息资源目录中没有该记录类型")
    if since is not None and until is not None and since > until:
        raise HttpError(422, f"参数 since 的值「{since.isoformat()}」晚于 until 的值「{until.isoformat()}」")
    filters = {"enterprise": enterprise, "kind": kind, "since": since, "until": until}
    result = paginate(record_list(actor=api_actor(request), filters=filters), page=page, page_size=page_size)
    return {
        "items": [record_out(r) for r in result.items],
        "count": result.count,
        "page": page,
        "page_size": page_size,
    }
