"""Role-aware navigation: each entry names the roles that may see it.

Entries of one group (信用监管, 数据管理, 系统与工具) share a drop-down menu when a role sees more than
one of them, so the bar stays one line on a desktop screen however many features a role has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parkcredit.accounts.models import PARK_ROLES, Role


@dataclass(frozen=True)
class NavGroup:
    label: Any
    icon: str


SUPERVISION = NavGroup(_("信用监管"), "shield")
COLLECTION = NavGroup(_("数据管理"), "inbox")
TOOLS = NavGroup(_("系统与工具"), "api")


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    icon: str
    roles: frozenset[str]
    group: NavGroup | None = None

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
    NavItem(_("风险预警"), "alerts:list", "alert", PARK_ROLES, SUPERVISION),
    NavItem(
        _("双随机抽查"),
        "supervision:plans",
        "check",
        frozenset({Role.PARK_ADMIN, Role.DEPT_STAFF}),
        SUPERVISION,
    ),
    NavItem(_("我的检查任务"), "supervision:tasks", "check", frozenset({Role.INSPECTOR})),
    NavItem(_("我的信用记录"), "repair_workflow:mine", "list", frozenset({Role.ENTERPRISE})),
    NavItem(_("修复与异议"), "repair_workflow:queue", "check", PARK_ROLES, SUPERVISION),
    NavItem(_("信用承诺"), "commitments:list", "check", PARK_ROLES, SUPERVISION),
    NavItem(_("我的信用承诺"), "commitments:mine", "check", frozenset({Role.ENTERPRISE})),
    NavItem(
        _("红黑名单"), "portal:manage", "list", frozenset({Role.PARK_ADMIN, Role.DEPT_STAFF}), SUPERVISION
    ),
    NavItem(_("信息归集"), "records:import_list", "inbox", PARK_ROLES, COLLECTION),
    NavItem(_("数据质量"), "records:quality", "check", PARK_ROLES, COLLECTION),
    NavItem(_("修复规则与工作日历"), "repair:rules", "list", PARK_ROLES, TOOLS),
    NavItem(
        _("后台任务"),
        "jobs:list",
        "progress",
        PARK_ROLES | {Role.AUDITOR, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN},
        TOOLS,
    ),
    NavItem(_("审计日志"), "audit:list", "shield", frozenset({Role.AUDITOR, Role.SECURITY_ADMIN})),
    NavItem(_("用户管理"), "accounts:users", "users", frozenset({Role.SYSTEM_ADMIN})),
    NavItem(_("账号安全"), "accounts:security", "lock", frozenset({Role.SECURITY_ADMIN})),
    NavItem(_("接口令牌"), "accounts:tokens", "api", frozenset({Role.PARK_ADMIN, Role.SYSTEM_ADMIN}), TOOLS),
    NavItem(_("接口文档"), "api-1.0.0:openapi-view", "api", PARK_ROLES | {Role.SYSTEM_ADMIN}, TOOLS),
    NavItem(_("信用信息公示"), "portal:home", "info", ALL_SIGNED_IN),
)


def navigation_for(user: Any) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for item in NAV_ITEMS if user.role in item.roles]


@dataclass(frozen=True)
class NavEntry:
    """One place in the bar: a single link, or a group's drop-down with its links."""

    item: NavItem | None = None
    group: NavGroup | None = None
    children: tuple[NavItem, ...] = ()


def navigation_menu(user: Any) -> list[NavEntry]:
    """The user's navigation as the bar shows it: a group seen with one link is just that link,
    placed where the group first appears."""
    items = navigation_for(user)
    members: dict[NavGroup, list[NavItem]] = {}
    for item in items:
        if item.group is not None:
            members.setdefault(item.group, []).append(item)
    entries: list[NavEntry] = []
    placed: set[NavGroup] = set()
    for item in items:
        group = item.group
        if group is None or len(members[group]) == 1:
            entries.append(NavEntry(item=item))
        elif group not in placed:
            placed.add(group)
            entries.append(NavEntry(group=group, children=tuple(members[group])))
    return entries
