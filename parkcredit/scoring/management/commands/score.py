"""`parkcredit score`: rescore the whole park now, in the foreground, with a progress line."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from parkcredit.scoring.models import ModelState, ScoringModel
from parkcredit.scoring.services import model_published, model_seed, scoring_run_create, scoring_run_execute


def parse_as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("参数 --as-of 的值「%(value)s」不是有效日期,应为 YYYY-MM-DD 格式") % {"value": value}
        ) from None


def model_by_version(version: int | None) -> ScoringModel | None:
    """The published model's code at `version` (None: the published model itself)."""
    published = model_published()
    if version is None:
        return published
    queryset = ScoringModel.objects.filter(version=version)
    if published is not None:
        queryset = queryset.filter(code=published.code)
    model = queryset.first()
    if model is None:
        raise CommandError(_("参数 --model 指定的模型版本「%(v)s」不存在") % {"v": version})
    return model


def validation_message(exc: ValidationError) -> str:
    return ";".join(str(m) for m in exc.messages)


class Command(BaseCommand):
    help = _("全量重新评分:按评价基准日(默认今天)用已发布模型为园区全部企业评分,输出 JSON 摘要。")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--as-of", dest="as_of", help=_("评价基准日 YYYY-MM-DD(默认今天)"))
        parser.add_argument("--model", dest="model", type=int, help=_("模型版本号(默认当前已发布版本)"))
        parser.add_argument(
            "--engine",
            choices=["auto", "duckdb", "postgres", "reference"],
            help=_("评分引擎(默认 settings.SCORING_ENGINE,即 auto:DuckDB;postgres 在数据库内执行)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = parse_as_of(options.get("as_of"))
        if model_published() is None:
            model_seed()
        model = model_by_version(options.get("model"))
        if model is not None and model.state not in {ModelState.PUBLISHED, ModelState.RETIRED}:
            raise CommandError(
                _("模型版本「%(v)s」状态为「%(s)s」,尚未发布,不能用于正式评分")
                % {"v": model.version, "s": model.get_state_display()}
            )
        try:
            run = scoring_run_create(actor=None, as_of=as_of, model=model)
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from None
        interactive = sys.stderr.isatty()

        def progress(done: int, total: int, message: str = "") -> None:
            line = f"[{done:3d}/{total}] {message}"
            if interactive:
                self.stderr.write(f"\r{line:<60}", ending="")
            elif options.get("verbosity", 1) >= 2:
                self.stderr.write(line)

        engine = options.get("engine")
        if engine == "postgres" and connection.vendor != "postgresql":
            raise CommandError(
                _("参数 --engine postgres 需要 PostgreSQL 数据库,当前为 %(v)s") % {"v": connection.vendor}
            )
        run = scoring_run_execute(run=run, progress=progress, engine=engine)
        if interactive:
            self.stderr.write("")
        summary = {
            "run": run.pk,
            "as_of": run.as_of.isoformat(),
            "model": {"code": run.model.code, "version": run.model.version},
            "state": run.state,
            "enterprises": run.enterprises,
            "counts": run.counts,
            "fingerprint": run.fingerprint,
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
