"""`parkcredit import PROFILE FILE`: import a source file from the server's command line.

Prints the report (counts and the first errors) and, with --report-json, writes it as JSON.
Exit status 0 when the file was imported (rows with errors are listed, and written to an error
file next to the input), 1 when --strict refused the file or it could not be read, 2 for usage
errors (unknown profile, source or user).
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from creditcore.collection.profiles import PROFILES
from parkcredit.accounts.models import User
from parkcredit.records.importing.report import ImportReport
from parkcredit.records.importing.services import ImportFileError, import_run
from parkcredit.records.models import BatchStatus, ImportBatch


class Command(BaseCommand):
    help = _("导入信用信息文件(CSV、XLSX、JSON Lines)。PROFILE 为导入模板,如 penalty、licence、enterprise。")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("profile", help=_("导入模板:%(names)s") % {"names": ", ".join(sorted(PROFILES))})
        parser.add_argument("file", help=_("要导入的文件路径"))
        parser.add_argument("--source", default="", help=_("数据来源编码(默认按模板自动建立)"))
        parser.add_argument("--strict", action="store_true", help=_("严格模式:有任何错误行则整个文件不写入"))
        parser.add_argument("--report-json", default="", help=_("把导入报告以 JSON 写入该路径"))
        parser.add_argument(
            "--progress", action="store_true", help=_("在标准错误输出上报告进度(每处理一块一行)")
        )
        parser.add_argument(
            "--user", default="", help=_("以该账号导入(须为园区管理员或部门工作人员);默认以系统身份")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        profile = options["profile"]
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(_("用户名 “%(name)s” 不存在") % {"name": options["user"]}, returncode=2)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("文件 “%(path)s” 不存在或不是文件") % {"path": path})
        try:
            report = import_run(
                actor=actor,
                profile=profile,
                path=str(path),
                file_name=path.name,
                source=options["source"] or None,
                strict=options["strict"],
                system=actor is None,
                progress=self._progress if options["progress"] else None,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ImportFileError as exc:
            if options["report_json"]:
                self._write_json(options["report_json"], {"status": "failed", "message": exc.reason})
            # Profile and source are checked by the service; they are usage errors (exit 2).
            raise CommandError(exc.reason, returncode=2 if exc.usage else 1) from None
        self._print(report)
        if report.has_error_file and report.batch_id is not None:
            target = path.with_name(report.error_file_name)
            content = (
                ImportBatch.objects.filter(pk=report.batch_id).values_list("error_file", flat=True).first()
            )
            if content:
                target.write_bytes(bytes(content))
                self.stdout.write(_("错误行已写入:%(path)s") % {"path": target})
        if options["report_json"]:
            self._write_json(options["report_json"], report.as_dict())
        if report.status == BatchStatus.REFUSED:
            raise CommandError(report.message)

    def _progress(self, done: int, total: int, message: str = "") -> None:
        self.stderr.write(_("已处理 %(done)d/%(total)d 行") % {"done": done, "total": total})
        self.stderr.flush()

    def _write_json(self, target: str, payload: dict[str, Any]) -> None:
        Path(target).write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")

    def _print(self, report: ImportReport) -> None:
        self.stdout.write(
            _(
                "批次 #%(batch)s:新增 %(new)d,重复 %(duplicate)d,更正 %(corrected)d,"
                "撤销 %(revoked)d,待关联 %(unmatched)d,错误 %(error)d"
            )
            % {"batch": report.batch_id, **report.counts()}
        )
        for error in report.errors[:20]:
            self.stdout.write(_("  第 %(row)s 行 “%(column)s” 值 “%(value)s”:%(reason)s") % error)
        if report.error > 20:
            self.stdout.write(_("  …… 共 %(n)d 行有错误,详见错误文件") % {"n": report.error})
