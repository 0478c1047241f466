"""API router for the enterprise archive: `/api/v1/enterprises`.

Reads go through the same selectors as the pages (`enterprise_list`,
`enterprise_get_by_uscc_for_actor`), so the API can never show more than the archive list does.
Output is built field by field from an explicit whitelist: personal data (the legal
representative's ID number, contact phones) never leaves through the API.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import P, QueryEx, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from parkcredit.enterprises.filters import EnterpriseFilters
from parkcredit.enterprises.models import Enterprise, TagKind
from parkcredit.enterprises.selectors import enterprise_get_by_uscc_for_actor, enterprise_list
from parkcredit.records.api_common import (
    ERROR_RESPONSES,
    PAGE_SIZE_DEFAULT,
    PAGE_SIZE_MAX,
    api_actor,
    paginate,
)

router = Router(tags=["企业档案"])


class EnterpriseOut(Schema):
    uscc: str = Field(description="统一社会信用代码")
    name: str = Field(description="企业名称")
    legal_representative: str = Field(description="法定代表人")
    registered_capital: str | None = Field(description="注册资本(元),十进制字符串")
    founded_on: date | None = Field(description="成立日期")
    industry_code: str = Field(description="国民经济行业代码(GB/T 4754)")
    industry_name: str = Field(description="行业名称")
    cluster: str = Field(description="产业集群")
    size: str = Field(description="企业规模:large / medium / small / micro")
    status: str = Field(description="经营状态代码")
    status_label: str = Field(description="经营状态")
    building: str | None = Field(description="楼宇地块编号")
    address: str = Field(description="经营地址")
    park_entry_on: date | None = Field(description="入园日期")
    in_park: bool = Field(description="是否园区企业")
    tags: list[str] = Field(description="当前有效的标签代码")


class EnterprisePageOut(Schema):
    items: list[EnterpriseOut]
    count: int = Field(description="符合条件的企业总数")
    page: int
    page_size: int


def _current_tags(enterprise: Enterprise, today: date) -> list[str]:
    return sorted(
        t.tag
        for t in enterprise.tags.all()
        if (t.since is None or t.since <= today) and (t.until is None or t.until >= today)
    )


def enterprise_out(enterprise: Enterprise, today: date) -> dict[str, Any]:
    """The public fields of one enterprise; the whitelist that keeps personal data out."""
    capital = enterprise.registered_capital
    return {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "legal_representative": enterprise.legal_representative,
        "registered_capital": None if capital is None else str(capital),
        "founded_on": enterprise.founded_on,
        "industry_code": enterprise.industry_code,
        "industry_name": enterprise.industry_name,
        "cluster": enterprise.cluster,
        "size": enterprise.size,
        "status": enterprise.status,
        "status_label": str(enterprise.get_status_display()),
        "building": enterprise.building.code if enterprise.building is not None else None,
        "address": enterprise.address,
        "park_entry_on": enterprise.park_entry_on,
        "in_park": enterprise.in_park,
        "tags": _current_tags(enterprise, today),
    }


@router.get(
    "",
    response={200: EnterprisePageOut, **ERROR_RESPONSES},
    summary="企业档案列表",
    description="按名称或统一社会信用代码搜索,可按产业集群、标签筛选;分页返回 items 与 count。",
)
def enterprises_list(
    request: HttpRequest,
    search: QueryEx[str, P(max_length=100, description="名称或统一社会信用代码(包含即可)")] = "",
    cluster: QueryEx[str, P(max_length=64, description="产业集群(完全匹配)")] = "",
    tag: QueryEx[str, P(description="标签代码:" + " / ".join(TagKind.values))] = "",
    page: QueryEx[int, P(ge=1, description="页码,从 1 开始")] = 1,
    page_size: QueryEx[int, P(ge=1, le=PAGE_SIZE_MAX, description="每页条数,1-100")] = PAGE_SIZE_DEFAULT,
) -> dict[str, Any]:
    if tag and tag not in TagKind.values:
        raise HttpError(422, f"参数 tag 的值「{tag}」无效:可选值为 {'、'.join(TagKind.values)}")
    filters = EnterpriseFilters(q=search.strip(), cluster=cluster.strip(), tag=tag)
    queryset = enterprise_list(actor=api_actor(request), filters=filters).prefetch_related("tags")
    result = paginate(queryset, page=page, page_size=page_size)
    today = timezone.localdate()
    return {
        "items": [enterprise_out(e, today) for e in result.items],
        "count": result.count,
        "page": page,
        "page_size": page_size,
    }


@router.get(
    "/{uscc}",
    response={200: EnterpriseOut, **ERROR_RESPONSES},
    summary="企业档案详情",
    description="统一社会信用代码会先规范化(全角转半角、去空格、转大写);无权查看与不存在均返回 404。",
)
def enterprise_detail(request: HttpRequest, uscc: str) -> dict[str, Any]:
    enterprise = enterprise_get_by_uscc_for_actor(api_actor(request), uscc)
    return enterprise_out(enterprise, timezone.localdate())
