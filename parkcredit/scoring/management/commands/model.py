"""`parkcredit model seed|sql|validate|backtest`: the credit model from the command line.

- ``seed``: publish the default model as version 1 when no model is published (idempotent).
- ``sql [--dialect duckdb|postgres] [--as-of DATE] [--model VERSION]``: print the compiled SQL
  of the published model, for auditors.
- ``validate FILE``: check a model spec; every problem is printed with its path, exit status 1.
- ``backtest [--json] [--enterprises N] [--seed S] [--spec FILE]``: score a synthetic park and
  measure the scores against its held-apart future (AUC, KS, bad rate, hit rate by grade, PSI).
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.scoring.spec import DEFAULT_MODEL_PATH, ModelSpec, SpecError, load_spec
from parkcredit.scoring.management.commands.score import model_by_version, parse_as_of
from parkcredit.scoring.services import model_published, model_seed

SUBCOMMANDS = "seed|sql|validate|backtest"


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(_("文件「%(path)s」不存在") % {"path": path}) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(_("无法读取文件「%(path)s」:%(error)s") % {"path": path, "error": exc}) from None


def _positive(value: int, name: str) -> int:
    if value < 1:
        raise CommandError(_("参数 %(name)s 必须为正整数,实际为 %(value)s") % {"name": name, "value": value})
    return value


class Command(BaseCommand):
    help = _(
        "信用评价模型工具:seed(发布默认模型)、sql(输出编译后的 SQL)、validate(校验模型文件)、backtest(回测)。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar=SUBCOMMANDS)
        sub.add_parser("seed", help=_("没有已发布模型时,把默认模型发布为第 1 版"))
        sql = sub.add_parser("sql", help=_("输出已发布模型编译后的 SQL"))
        sql.add_argument("--dialect", choices=["duckdb", "postgres"], default="duckdb")
        sql.add_argument("--as-of", dest="as_of", help=_("评价基准日 YYYY-MM-DD(默认今天)"))
        sql.add_argument("--model", dest="model", type=int, help=_("模型版本号(默认已发布版本)"))
        validate = sub.add_parser("validate", help=_("校验模型定义文件(YAML)"))
        validate.add_argument("file")
        backtest = sub.add_parser("backtest", help=_("在合成园区上回测模型"))
        backtest.add_argument("--json", action="store_true", help=_("只输出一个 JSON 对象"))
        backtest.add_argument("--enterprises", type=int, default=2000)
        backtest.add_argument("--seed", type=int, default=2026)
        backtest.add_argument("--spec", help=_("模型定义文件(默认已发布模型,没有则用默认模型)"))

    def handle(self, *args: Any, **options: Any) -> None:
        sub = options.get("subcommand")
        if sub == "seed":
            self._seed()
        elif sub == "sql":
            self._sql(options)
        elif sub == "validate":
            self._validate(options["file"])
        elif sub == "backtest":
            self._backtest(options)
        else:
            raise CommandError(_("请指定子命令 %(subs)s,例如:parkcredit model sql") % {"subs": SUBCOMMANDS})

    def _seed(self) -> None:
        before = model_published()
        model = model_seed()
        self.stdout.write(
            json.dumps(
                {"model": model.pk, "code": model.code, "version": model.version, "created": before is None},
                ensure_ascii=False,
            )
        )

    def _spec_of_model(self, version: int | None) -> ModelSpec:
        model = model_by_version(version)
        if model is None:
            return load_spec(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
        return load_spec(model.spec_yaml)

    def _sql(self, options: dict[str, Any]) -> None:
        from creditcore.scoring.compiler import compile_sql

        as_of = parse_as_of(options.get("as_of")) or timezone.localdate()
        spec = self._spec_of_model(options.get("model"))
        self.stdout.write(compile_sql(spec, as_of=as_of, dialect=options["dialect"]))

    def _validate(self, path: str) -> None:
        text = _read(path)
        try:
            spec = load_spec(text)
        except SpecError as exc:
            self.stdout.write(
                _("模型定义「%(path)s」有 %(n)d 处错误:") % {"path": path, "n": len(exc.problems)}
            )
            for problem in exc.problems:
                self.stdout.write(f"  {problem}")
            sys.exit(1)
        indicators = len(spec.indicators)
        self.stdout.write(
            _("模型定义「%(path)s」校验通过:%(name)s,%(dims)d 个维度,%(inds)d 个指标。")
            % {"path": path, "name": spec.name, "dims": len(spec.dimensions), "inds": indicators}
        )

    def _backtest_spec(self, path: str | None) -> ModelSpec:
        if path:
            try:
                return load_spec(_read(path))
            except SpecError as exc:
                raise CommandError(str(exc)) from None
        try:
            published = model_published()
        except DatabaseError:
            published = None  # no database yet: the default model is the one to test
        text = published.spec_yaml if published else DEFAULT_MODEL_PATH.read_text(encoding="utf-8")
        return load_spec(text)

    def _backtest(self, options: dict[str, Any]) -> None:
        from parkcredit.scoring.backtest import backtest_run

        enterprises = _positive(options["enterprises"], "--enterprises")
        spec = self._backtest_spec(options.get("spec"))
        report = backtest_run(spec, enterprises=enterprises, seed=options["seed"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(
            _("回测:%(n)d 家园区企业,基准日 %(as_of)s,此后 %(m)d 个月内发生严重事件 %(bad)d 家(%(rate).1f%%)")
            % {
                "n": report["enterprises"],
                "as_of": report["as_of"],
                "m": report["future_months"],
                "bad": report["bad"],
                "rate": 100 * (report["bad_rate"] or 0),
            }
        )
        self.stdout.write(f"AUC = {report['auc']}  KS = {report['ks']}  PSI = {report['psi']}")
        for grade, rate in report["hit_rate_by_grade"].items():
            row = report["grades"][grade]
            shown = "—" if rate is None else f"{100 * rate:.1f}%"
            self.stdout.write(
                _("  %(g)s 级:%(n)d 家,发生 %(bad)d 家,命中率 %(rate)s")
                % {"g": grade, "n": row["n"], "bad": row["bad"], "rate": shown}
            )
