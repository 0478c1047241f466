"""Literal import files for the service, command and API tests."""

from __future__ import annotations

from tests.factories import make_uscc

PENALTY_COLUMNS = [
    "行政相对人名称",
    "统一社会信用代码",
    "行政处罚决定书文号",
    "处罚类别",
    "违法事实",
    "罚款金额(万元)",
    "处罚决定日期",
    "处罚机关",
    "当前状态",
]
PENALTY_HEADER = ",".join(PENALTY_COLUMNS)


def penalty_line(
    name: str, uscc: str, ref: str, *, amount: str = "0.2", day: str = "2024/5/1", status: str = ""
) -> str:
    return f"{name},{uscc},{ref},罚款,未按规定公示年度报告,{amount},{day},某市市场监督管理局,{status}"


def penalty_csv(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join([PENALTY_HEADER, *lines]) + "\n").encode(encoding)


def unknown_uscc() -> str:
    """A valid USCC that no factory enterprise uses."""
    return make_uscc(987654)
