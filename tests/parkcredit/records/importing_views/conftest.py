"""Fixtures for the collection pages: the cast signs in, and small penalty files to upload."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

# 信用中国 field codes: every penalty profile accepts them whatever its Chinese labels are.
HEADERS = (
    "CF_XDR_MC",
    "CF_XDR_LB",
    "CF_XDR_SHXYM",
    "CF_FRDB",
    "CF_WSH",
    "CF_WFXW",
    "CF_SY",
    "CF_YJ",
    "CF_CFLB",
    "CF_NR",
    "CF_NR_FK",
    "CF_JDRQ",
    "CF_CFJG",
)


@pytest.fixture(autouse=True)
def _passwords_not_due(settings: Any) -> None:
    # The cast has no password_changed_at; the forced-change middleware would hold every page.
    settings.PASSWORD_MAX_AGE_DAYS = 0


def penalty_row(name: str, uscc: str, ref: str, **changes: str) -> dict[str, str]:
    row = {
        "CF_XDR_MC": name,
        "CF_XDR_LB": "法人及非法人组织",
        "CF_XDR_SHXYM": uscc,
        "CF_FRDB": "张三",
        "CF_WSH": ref,
        "CF_WFXW": "未按规定公示年度报告",
        "CF_SY": "未按规定期限公示年度报告",
        "CF_YJ": "《企业信息公示暂行条例》第十八条",
        "CF_CFLB": "罚款",
        "CF_NR": "罚款人民币2000元",
        "CF_NR_FK": "0.2",
        "CF_JDRQ": "2024-05-01",
        "CF_CFJG": "测试市市场监督管理局",
    }
    row.update(changes)
    return row


def penalty_csv(rows: list[dict[str, str]], name: str = "penalty.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADERS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")
