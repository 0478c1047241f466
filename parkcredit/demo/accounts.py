"""The demo accounts: one per role, all with the same published password.

The password is public (printed by the `demo` command), which is why the command refuses to run
in production. No account is called "admin" (等保: no default admin/admin account).
"""

from __future__ import annotations

from typing import NamedTuple

from parkcredit.accounts.models import Role

# Meets the password policy: 8+ characters, upper and lower case, digits and a symbol.
DEMO_PASSWORD = "Demo@2026park"  # noqa: S105 - a published demo password, refused in production

DEMO_BANK_NAME = "河阳农商银行(演示)"
DEMO_BANK_CODE = "demo-bank"
DEMO_ENTERPRISE_LABEL = "演示企业(园区内一家中等风险企业)"
DEMO_ENTERPRISE_CODE = "demo-enterprise"

# Park departments by name (seeded by the accounts migrations) -> organisation code.
DEPARTMENT_CODES: dict[str, str] = {
    "经济发展部": "jjfzb",
    "财政金融部": "czjrb",
    "规划建设部": "ghjsb",
    "投资促进部": "tzcjb",
    "综合部": "zhb",
}


class DemoAccount(NamedTuple):
    username: str
    role: Role
    organisation: str  # a department name, DEMO_ENTERPRISE_LABEL or DEMO_BANK_NAME
    description: str


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount(
        "parkadmin",
        Role.PARK_ADMIN,
        "经济发展部",
        "园区管理员:管理企业档案、信息归集、信用评价(发布模型、撤销导入批次)",
    ),
    DemoAccount(
        "staff",
        Role.DEPT_STAFF,
        "财政金融部",
        "部门工作人员:维护企业档案、导入信用信息、处理待关联数据、起草和复核评价模型",
    ),
    DemoAccount(
        "inspector", Role.INSPECTOR, "规划建设部", "执法检查人员:在手机上查阅企业档案、信用记录与等级"
    ),
    DemoAccount(
        "enterprise",
        Role.ENTERPRISE,
        DEMO_ENTERPRISE_LABEL,
        "企业用户:查看本企业档案、信用记录、等级与提升路径",
    ),
    DemoAccount("bank", Role.BANK, DEMO_BANK_NAME, "金融机构用户:查看已授权企业的档案、信用记录与等级"),
    DemoAccount("sysadmin", Role.SYSTEM_ADMIN, "综合部", "系统管理员:账号、角色和系统配置(不查看企业数据)"),
    DemoAccount("secadmin", Role.SECURITY_ADMIN, "综合部", "安全管理员:安全策略和账号锁定"),
    DemoAccount("auditor", Role.AUDITOR, "综合部", "安全审计员:查阅和核验审计日志"),
]
