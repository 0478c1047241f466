"""Role-aware navigation: each entry names the roles that may see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parkcredit.accounts.models import PARK_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    icon: str
    roles: frozenset[str]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


ALL_SIGNED_IN = frozenset(Role.values)

NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(_("工作台"), "dashboard:home", "home", ALL_SIGNED_IN),
    NavItem(_("企业档案"), "enterprises:list", "building", PARK_ROLES | {Role.BANK}),
    NavItem(_("企业自助"), "portal:mine", "chart", frozenset({Role.ENTERPRISE})),
    NavItem(_("本企业档案"), "enterprises:mine", "building", frozenset({Role.ENTERPRISE})),
    NavItem(_("信用评价"), "scoring:overview", "chart", PARK_ROLES),
    NavItem(_("风险预警"), "alerts:list", "alert", PARK_ROLES),
    NavItem(_("双随机抽查"), "supervision:plans", "check", frozenset({Role.PARK_ADMIN, Role.DEPT_STAFF})),
    NavItem(_("我的检查任务"), "supervision:tasks", "check", frozenset({Role.INSPECTOR})),
    NavItem(_("我的信用记录"), "repair_workflow:mine", "list", frozenset({Role.ENTERPRISE})),
    NavItem(_("修复与异议"), "repair_workflow:queue", "check", PARK_ROLES),
    NavItem(_("信用承诺"), "commitments:list", "check", PARK_ROLES),
    NavItem(_("我的信用承诺"), "commitments:mine", "check", frozenset({Role.ENTERPRISE})),
    NavItem(_("红黑名单"), "portal:manage", "list", frozenset({Role.PARK_ADMIN, Role.DEPT_STAFF})),
    NavItem(_("信息归集"), "records:import_list", "inbox", PARK_ROLES),
    NavItem(_("数据质量"), "records:quality", "check", PARK_ROLES),
    NavItem(_("修复规则与工作日历"), "repair:rules", "list", PARK_ROLES),
    NavItem(
        _("后台任务"),
        "jobs:list",
        "progress",
        PARK_ROLES | {Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN},
    ),
    NavItem(_("审计日志"), "audit:list", "shield", frozenset({Role.AUDITOR, Role.SECURITY_ADMIN})),
    NavItem(_("用户管理"), "accounts:users", "users", frozenset({Role.SYSTEM_ADMIN})),
    NavItem(_("账号安全"), "accounts:security", "lock", frozenset({Role.SECURITY_ADMIN})),
    NavItem(_("接口令牌"), "accounts:tokens", "api", frozenset({Role.PARK_ADMIN, Role.SYSTEM_ADMIN})),
    NavItem(_("接口文档"), "api-1.0.0:openapi-view", "api", PARK_ROLES | {Role.SYSTEM_ADMIN}),
    NavItem(_("信用信息公示"), "portal:home", "info", ALL_SIGNED_IN),
)


def navigation_for(user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for item in NAV_ITEMS if user.role in item.roles]
