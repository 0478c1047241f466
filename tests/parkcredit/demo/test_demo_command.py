"""`parkcredit demo`: refuses production, loads the park once with a progress bar, then serves."""

from __future__ import annotations

import io
import sys
import types
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parkcredit.accounts.models import User
from parkcredit.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from parkcredit.demo.management.commands import demo as demo_module
from parkcredit.demo.management.commands.demo import (
    ProgressBar,
    account_table,
    display_width,
    fit,
    summary_lines,
)
from parkcredit.demo.services import DemoLoadError
from parkcredit.enterprises.models import Enterprise
from tests import factories as f


@dataclass
class FakeSummary:
    enterprises: int
    records: int


@pytest.fixture
def loader(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the demo park loader with a fast fake that reports progress like the real one."""
    calls: list[dict[str, Any]] = []

    def demo_park_load(**kwargs: Any) -> FakeSummary:
        calls.append(kwargs)
        progress = kwargs["progress"]
        for done in range(5):
            progress(done, 4, "生成企业" if done < 2 else "写入台账")
        return FakeSummary(enterprises=kwargs.get("enterprises", 300), records=1234)

    fake = types.ModuleType("parkcredit.demo.services")
    fake.demo_park_load = demo_park_load  # type: ignore[attr-defined]
    fake.DemoLoadError = DemoLoadError  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "parkcredit.demo.services", fake)
    return calls


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(demo_module, "serve_app", lambda **kwargs: calls.append(kwargs))
    return calls


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_refuses_production(db: None, settings: Any, loader: list[dict[str, Any]]) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        run_demo("--no-serve")
    assert loader == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--enterprises", "0"], "--enterprises 的值 0 无效"),
        (["--enterprises", "999999"], "--enterprises 的值 999999 无效"),
        (["--seed", "-1"], "--seed 的值 -1 无效"),
        (["--port", "70000"], "--port 的值 70000 无效"),
        (["--host", " "], "--host 的值为空"),
    ],
)
def test_demo_rejects_bad_options_before_loading(
    db: None, loader: list[dict[str, Any]], args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run_demo(*args)
    assert loader == []


def test_demo_loads_an_empty_archive_and_prints_accounts(
    db: None, loader: list[dict[str, Any]], served: list[dict[str, Any]]
) -> None:
    output = run_demo("--enterprises", "12", "--seed", "7", "--no-serve")

    (call,) = loader
    assert call["enterprises"] == 12 and call["seed"] == 7
    assert "[" in output and "100%" in output and "写入台账" in output
    assert "企业: 12" in output and "信用记录: 1234" in output
    assert "访问地址:http://127.0.0.1:8000/" in output
    assert DEMO_PASSWORD in output
    for username, *_rest in DEMO_ACCOUNTS:
        assert username in output
    assert served == []


def test_demo_reports_a_refusal_of_the_loader(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**kwargs: Any) -> None:
        raise DemoLoadError("演示账号 staff 已存在,不能重复加载演示园区")

    fake = types.ModuleType("parkcredit.demo.services")
    fake.demo_park_load = refuse  # type: ignore[attr-defined]
    fake.DemoLoadError = DemoLoadError  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "parkcredit.demo.services", fake)
    with pytest.raises(CommandError, match="演示账号 staff 已存在"):
        run_demo("--no-serve")


def test_demo_loads_a_small_real_park(db: None, served: list[dict[str, Any]]) -> None:
    output = run_demo("--enterprises", "3", "--seed", "5", "--no-serve")
    assert Enterprise.objects.count() >= 3
    staff = User.objects.get(username="staff")
    assert staff.check_password(DEMO_PASSWORD)
    assert "演示园区已生成" in output
    assert "随机种子: 5" in output
    # A second run keeps what is there.
    assert "演示数据已存在" in run_demo("--no-serve")


def test_demo_leaves_the_loader_defaults_alone(
    db: None, loader: list[dict[str, Any]], served: list[dict[str, Any]]
) -> None:
    run_demo("--no-serve")
    assert set(loader[0]) == {"progress"}


def test_demo_keeps_existing_data_and_serves(
    db: None, loader: list[dict[str, Any]], served: list[dict[str, Any]]
) -> None:
    f.make_enterprise()
    output = run_demo("--port", "8100")
    assert loader == []
    assert "演示数据已存在" in output
    assert served == [
        {
            "stdout": served[0]["stdout"],
            "host": "127.0.0.1",
            "port": 8100,
            "with_worker": True,
            "host_given": False,
        }
    ]


def test_demo_passes_an_explicit_host_to_the_server(
    db: None, loader: list[dict[str, Any]], served: list[dict[str, Any]]
) -> None:
    f.make_enterprise()
    run_demo("--host", "0.0.0.0")  # noqa: S104
    assert served[0]["host"] == "0.0.0.0"  # noqa: S104
    assert served[0]["host_given"] is True


def test_display_width_and_fit_count_cjk_as_two_columns() -> None:
    assert display_width("ab") == 2
    assert display_width("企业") == 4
    assert fit("企业档案", 5) == "企业 "
    assert fit("ab", 4) == "ab  "


def test_progress_bar_redraws_one_line_on_a_terminal() -> None:
    written: list[str] = []
    bar = ProgressBar(written.append, lambda: None, interactive=True, columns=80)
    bar(0, 10, "开始")
    bar(5, 10, "一半")
    bar.finish()
    assert all(chunk.startswith("\r") for chunk in written[:-1])
    assert written[-1] == "\n"
    assert " 50% 5/10 一半" in written[1]
    assert all(display_width(chunk) <= 80 for chunk in written[:-1])


def test_progress_bar_writes_sparse_lines_elsewhere() -> None:
    written: list[str] = []
    bar = ProgressBar(written.append, lambda: None, interactive=False)
    for done in range(101):
        bar(done, 100, "写入台账")
    bar(0, 0, "收尾")
    bar.finish()
    assert len(written) == 12  # each tenth of the work (0..10), and the new message
    assert all(line.endswith("\n") for line in written)
    assert "100%" in written[-2]


def test_summary_lines_accept_dataclasses_objects_and_strings() -> None:
    assert summary_lines(FakeSummary(3, 9)) == ["  企业: 3", "  信用记录: 9"]
    plain = types.SimpleNamespace(enterprises=2, unlabelled=5, _private=1)
    assert summary_lines(plain) == ["  企业: 2", "  unlabelled: 5"]
    assert summary_lines("共 5 家企业") == ["共 5 家企业"]
    assert summary_lines(None) == []


def test_account_table_aligns_chinese_columns() -> None:
    lines = account_table(
        [
            ("parkadmin", "park_admin", "经济发展部", "说明甲"),
            ("bank", "某个不是角色的值", "县农商银行", "说明乙"),
        ]
    )
    assert len(lines) == 3
    assert "园区管理员" in lines[1]  # the role value is shown by its Chinese label
    assert "某个不是角色的值" in lines[2]
    # The description column starts at the same terminal column on every line.
    descriptions = ["说明", "说明甲", "说明乙"]
    starts = {display_width(line[: line.index(d)]) for line, d in zip(lines, descriptions, strict=True)}
    assert len(starts) == 1
