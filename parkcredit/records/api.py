"""API router for an enterprise's credit records: `/api/v1/enterprises/{uscc}/records`.

Uses the page selectors (`enterprise_get_by_uscc_for_actor`, `record_list`) and reports each
record's status as the fold of its events, like the record page does. The raw payload is not
exposed: it is source material that may carry names of natural persons.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import P, QueryEx, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status
from pydantic import Field

from creditcore.ledger import STATUS_LABELS
from parkcredit.enterprises.selectors import enterprise_get_by_uscc_for_actor
from parkcredit.records.api_common import (
    ERROR_RESPONSES,
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    ErrorOut,
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


# --- batch import: POST /api/v1/records/batch ---------------------------------------------------------
#
# A router of its own, because it lives under /records rather than under an enterprise; config/api.py
# mounts it with `api.add_router("/records", batch_router)`.

batch_router = Router(tags=["信用信息归集"])

BATCH_ROWS_MAX = 50_000


class BatchIn(Schema):
    profile: str = Field(description="导入模板,如 penalty、licence、enterprise")
    rows: list[dict[str, Any]] = Field(description="数据行:每行一个对象,键为列名(中文表头或字段代码)")
    source: str = Field("", description="数据来源编码;为空时按模板使用默认来源")
    strict: bool = Field(False, description="严格模式:有任何错误行则整批不写入")


class BatchErrorOut(Schema):
    row: int = Field(description="行号:rows 中的序号(从 1 开始);上传文件时为文件中的行号")
    column: str
    value: str
    reason: str


class BatchReportOut(Schema):
    batch_id: int | None
    status: str = Field(description="done / refused")
    profile: str
    file_name: str
    file_sha256: str = Field(description="提交内容的 SHA-256")
    new: int
    duplicate: int
    corrected: int
    revoked: int
    error: int
    unmatched: int
    rows: int
    errors: list[BatchErrorOut] = Field(description="前若干条错误")
    error_file: str | None = Field(description="错误文件名(在导入历史页面下载)")
    message: str


class BatchRefusedOut(BatchReportOut):
    detail: str


def _batch_input(request: HttpRequest) -> tuple[str, bytes, str, str, bool]:
    """(profile, data, file name, source, strict) from a JSON body or a multipart upload."""
    import json

    from pydantic import ValidationError as PydanticError

    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data"):
        upload = request.FILES.get("file")
        if upload is None:
            raise HttpError(422, "参数 file 无效:请上传要导入的文件")
        strict = request.POST.get("strict", "").strip().lower() in {"1", "true", "yes", "on", "是"}
        return (
            request.POST.get("profile", ""),
            upload.read(),
            upload.name or "upload",
            request.POST.get("source", ""),
            strict,
        )
    try:
        body = BatchIn.model_validate_json(request.body or b"{}")
    except PydanticError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(p) for p in error.get("loc", ())) or "请求体"
            problems.append(f"参数 {name} 无效:{error.get('msg', '')}")
        raise HttpError(422, ";".join(problems) or "请求体不是有效的 JSON") from None
    if not body.rows:
        raise HttpError(422, "参数 rows 无效:至少需要一行数据")
    if len(body.rows) > BATCH_ROWS_MAX:
        raise HttpError(
            422, f"参数 rows 无效:一次最多 {BATCH_ROWS_MAX} 行,本次 {len(body.rows)} 行;请分批提交或上传文件"
        )
    lines = []
    for row in body.rows:
        cells = {
            str(k): "" if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            for k, v in row.items()
        }
        lines.append(json.dumps(cells, ensure_ascii=False))
    return body.profile, ("\n".join(lines) + "\n").encode("utf-8"), "api.jsonl", body.source, body.strict


_BATCH_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": True,
            "schema": {"type": "string", "maxLength": 128},
            "description": "幂等键:每次提交一个新的唯一值(如 UUID),重试时沿用同一个值",
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": BatchIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["profile", "file"],
                    "properties": {
                        "profile": {"type": "string", "description": "导入模板"},
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV、XLSX 或 JSON Lines 文件",
                        },
                        "source": {"type": "string", "description": "数据来源编码"},
                        "strict": {"type": "boolean", "description": "严格模式"},
                    },
                }
            },
        },
    },
}


@batch_router.post(
    "/batch",
    openapi_extra=_BATCH_OPENAPI,
    response={
        200: BatchReportOut,
        403: ErrorOut,
        409: ErrorOut,
        422: BatchRefusedOut | ErrorOut,
        401: ErrorOut,
    },
    summary="批量导入信用信息",
    description=(
        "按导入模板批量提交数据行(JSON:{profile, rows, source?, strict?}),或以 multipart/form-data 上传文件"
        "(字段 file、profile、source、strict)。请求头 Idempotency-Key 必填:"
        "同一键重复提交时返回首次的导入报告,"
        "不会重复导入。报告与命令行 `parkcredit import --report-json` 相同。仅园区管理员和部门工作人员可用。"
        "严格模式下有错误行时整批不写入,返回 422 与报告。"
    ),
)
def records_batch(request: HttpRequest) -> Any:
    import hashlib

    from django.core.exceptions import PermissionDenied

    from parkcredit.records.importing.services import ImportFileError, import_run
    from parkcredit.records.models import BatchStatus, ImportBatch

    actor = api_actor(request)
    if not getattr(actor, "can_edit_archive", False):
        raise HttpError(403, "无权导入:只有园区管理员和部门工作人员可以导入信用信息")
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key:
        raise HttpError(
            422, "请求头 Idempotency-Key 必须填写:每次提交使用一个新的唯一值(如 UUID),重试时沿用同一个值"
        )
    if len(key) > 128:
        raise HttpError(422, f"请求头 Idempotency-Key 的值过长({len(key)} 个字符),最多 128 个字符")
    profile, data, file_name, source, strict = _batch_input(request)
    earlier = ImportBatch.objects.filter(created_by=actor, idempotency_key=key).first()
    if earlier is not None and earlier.file_sha256 != hashlib.sha256(data).hexdigest():
        raise HttpError(
            409, f"幂等键「{key}」已用于内容不同的另一次提交(批次 #{earlier.pk});请使用新的幂等键"
        )
    try:
        report = import_run(
            actor=actor,
            profile=profile,
            data=data,
            file_name=file_name,
            source=source or None,
            strict=strict,
            idempotency_key=key,
        )
    except PermissionDenied as exc:  # pragma: no cover - checked above
        raise HttpError(403, str(exc)) from None
    except ImportFileError as exc:
        raise HttpError(422, exc.reason) from None
    if report.status in (BatchStatus.QUEUED, BatchStatus.RUNNING):
        # The first submission with this key has not finished: the client should retry later.
        raise HttpError(409, gettext("该幂等键的提交正在处理中"))
    body = report.as_dict()
    if report.status == BatchStatus.REFUSED:
        return Status(422, {**body, "detail": report.message})
    return Status(200, body)
