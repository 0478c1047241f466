"""`parkcredit demo`: one command from a fresh clone to a running platform full of a synthetic park.

It prepares the database, loads the demo park once (later runs keep the data, so whatever a
visitor changed survives a restart), prints the accounts to sign in with, then serves.
"""

from __future__ import annotations

import dataclasses
import shutil
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from parkcredit.accounts.models import Role
from parkcredit.common.management.commands.serve import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ensure_data_dirs,
    normalise_host,
    serve_app,
    server_url,
    validate_bind,
)
from parkcredit.enterprises.models import Enterprise

# Beyond this a laptop demo takes too long to load; bench/ covers larger synthetic parks.
MAX_DEMO_ENTERPRISES = 20_000


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two, which `len` does not know."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit(text: str, width: int) -> str:
    """Cut `text` to at most `width` columns and pad it to exactly that many."""
    out: list[str] = []
    used = 0
    for ch in text:
        w = display_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * (width - used)


class ProgressBar:
    """A progress callback drawing one redrawn line on a terminal, sparse lines elsewhere.

    A log file or CI console gets a line per new stage or per tenth of the work, not thousands
    of carriage returns.
    """

    BAR_WIDTH = 28

    def __init__(
        self,
        write: Callable[[str], object],
        flush: Callable[[], object],
        *,
        interactive: bool,
        columns: int | None = None,
    ) -> None:
        self.write = write
        self.flush = flush
        self.interactive = interactive
        self.columns = columns or shutil.get_terminal_size((100, 24)).columns
        self._last_message: str | None = None
        self._last_tenth = -1
        self._drawn = False

    def __call__(self, done: int, total: int, message: str) -> None:
        fraction = min(max(done / total, 0.0), 1.0) if total > 0 else 0.0
        filled = round(fraction * self.BAR_WIDTH)
        bar = "█" * filled + "░" * (self.BAR_WIDTH - filled)
        line = f"[{bar}] {fraction:4.0%} {done}/{total} {message}"
        if self.interactive:
            self.write("\r" + fit(line, self.columns - 1))
            self.flush()
            self._drawn = True
            return
        tenth = int(fraction * 10)
        if message != self._last_message or tenth != self._last_tenth:
            self.write(line + "\n")
            self._last_message, self._last_tenth = message, tenth

    def finish(self) -> None:
        if self._drawn:
            self.write("\n")
            self.flush()
            self._drawn = False


# Chinese labels for the loader's summary fields; a field not listed here shows its own name.
SUMMARY_LABELS = {
    "enterprises": _("企业"),
    "in_park": _("其中园区内企业"),
    "buildings": _("楼宇"),
    "tags": _("企业标签"),
    "records": _("信用记录"),
    "events": _("记录事件"),
    "observations": _("园区履约观测"),
    "relations": _("企业关系"),
    "users": _("账号"),
    "demo_enterprise": _("演示企业"),
    "bank": _("演示金融机构"),
    "seed": _("随机种子"),
    "as_of": _("数据截至"),
    "seconds": _("耗时(秒)"),
}


def summary_lines(summary: Any) -> list[str]:
    """Readable lines for whatever the loader returned (a dataclass, an object or a string)."""
    if summary is None:
        return []
    if dataclasses.is_dataclass(summary) and not isinstance(summary, type):
        items: Iterable[tuple[str, Any]] = (
            (field.name, getattr(summary, field.name)) for field in dataclasses.fields(summary)
        )
    elif hasattr(summary, "__dict__"):
        items = ((k, v) for k, v in vars(summary).items() if not k.startswith("_"))
    else:
        return [str(summary)]
    return [f"  {SUMMARY_LABELS.get(name, name)}: {value}" for name, value in items]


def role_label(role: Any) -> str:
    if isinstance(role, str) and role in Role.values:
        return str(Role(role).label)
    return str(role)


def account_table(accounts: Sequence[Sequence[Any]]) -> list[str]:
    headers = (_("用户名"), _("角色"), _("所属机构"), _("说明"))
    rows = [
        (str(username), role_label(role), str(organisation), str(description))
        for username, role, organisation, description in accounts
    ]
    widths = [max(display_width(row[i]) for row in [headers, *rows]) for i in range(3)]

    def render(row: Sequence[str]) -> str:
        return "  " + "  ".join(fit(cell, widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3]

    return [render(headers), *(render(row) for row in rows)]


class Command(BaseCommand):
    help = _("演示:准备数据库,首次运行时生成一个合成园区,打印演示账号并启动平台。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enterprises", type=int, default=None, help=_("演示园区的企业数量"))
        parser.add_argument("--seed", type=int, default=None, help=_("随机种子(相同种子生成相同园区)"))
        parser.add_argument("--host", default=None, help=_("监听地址(默认 127.0.0.1)"))
        parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=_("监听端口(默认 8000)"))
        parser.add_argument("--no-serve", action="store_true", help=_("只准备数据和打印账号,不启动平台"))

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                _("生产环境(PARKCREDIT_ENV=production)拒绝加载演示数据:演示账号使用公开的密码")
            )
        enterprises, seed = options["enterprises"], options["seed"]
        if enterprises is not None and not 1 <= enterprises <= MAX_DEMO_ENTERPRISES:
            raise CommandError(
                _("--enterprises 的值 %(value)s 无效,应为 1–%(max)s 之间的整数")
                % {"value": enterprises, "max": MAX_DEMO_ENTERPRISES}
            )
        if seed is not None and seed < 0:
            raise CommandError(_("--seed 的值 %(value)s 无效,应为非负整数") % {"value": seed})
        host_given = options["host"] is not None
        host = normalise_host(options["host"]) if host_given else DEFAULT_HOST
        if not options["no_serve"]:
            # Fail on a bad address now, not after minutes of loading.
            validate_bind(host=host, port=options["port"], threads=1, host_given=host_given)

        ensure_data_dirs()
        self.stdout.write(_("正在准备数据库……"))
        call_command("migrate", interactive=False, verbosity=0)

        if Enterprise.objects.exists():
            self.stdout.write(
                _("演示数据已存在,直接使用。(要重新生成,请删除 %(dir)s 后再运行)")
                % {"dir": settings.DATA_DIR}
            )
        else:
            self._load(enterprises=enterprises, seed=seed)

        self._print_accounts(host, options["port"])
        if options["no_serve"]:
            return
        serve_app(
            stdout=self.stdout, host=host, port=options["port"], with_worker=True, host_given=host_given
        )

    def _load(self, *, enterprises: int | None, seed: int | None) -> None:
        from parkcredit.demo.services import DemoLoadError, demo_park_load

        self.stdout.write(_("正在生成演示园区(只在首次运行时进行)……"))
        kwargs: dict[str, Any] = {}
        if enterprises is not None:
            kwargs["enterprises"] = enterprises
        if seed is not None:
            kwargs["seed"] = seed
        bar = ProgressBar(
            lambda text: self.stdout.write(text, ending=""),
            self.stdout.flush,
            interactive=self.stdout.isatty(),
        )
        try:
            summary = demo_park_load(progress=bar, **kwargs)
        except (DemoLoadError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.finish()
        self.stdout.write(self.style.SUCCESS(_("演示园区已生成:")))
        for line in summary_lines(summary):
            self.stdout.write(line)
        self._score()

    def _score(self) -> None:
        """Publish the default credit model and grade every demo enterprise, so the demo opens
        with grades, score panels and a grade distribution instead of empty states."""
        from parkcredit.scoring.services import scoring_bootstrap

        self.stdout.write(_("正在用默认信用评价模型为全部企业评分……"))
        run = scoring_bootstrap()
        self.stdout.write(self.style.SUCCESS(_("评分完成:%(count)s 家企业。") % {"count": run.enterprises}))
        self._extras()

    def _extras(self) -> None:
        """Load each feature's demo objects (codes, inspection plans, repairs, alerts…)."""
        from parkcredit.demo.extras import demo_extras_load

        for line in demo_extras_load():
            self.stdout.write(self.style.SUCCESS(line))

    def _print_accounts(self, host: str, port: int) -> None:
        from parkcredit.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

        self.stdout.write("")
        self.stdout.write(_("访问地址:%(url)s") % {"url": server_url(host, port)})
        self.stdout.write(_("演示账号(密码均为 %(password)s):") % {"password": DEMO_PASSWORD})
        for line in account_table(DEMO_ACCOUNTS):
            self.stdout.write(line)
        self.stdout.write("")
