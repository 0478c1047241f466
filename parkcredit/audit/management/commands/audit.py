"""`parkcredit audit verify`: check the audit chain from the command line (cron, assessors)."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from parkcredit.audit.verify import VerifyResult, audit_chain_verify


def verdict(result: VerifyResult) -> str:
    """One Chinese sentence an operator can paste into a report."""
    if result.ok:
        return _("审计链完整:已校验 %(checked)d 条记录,未发现篡改、删除或插入。") % {
            "checked": result.checked
        }
    if result.first_break_seq is None:
        return _("审计链已损坏:%(reason)s(链上 %(checked)d 条记录完好)。") % {
            "reason": result.reason,
            "checked": result.checked,
        }
    return _("审计链已损坏:第 %(seq)d 条记录校验失败,原因:%(reason)s(此前 %(checked)d 条完好)。") % {
        "seq": result.first_break_seq,
        "reason": result.reason,
        "checked": result.checked,
    }


class Command(BaseCommand):
    help = _("审计日志工具。verify:校验审计链,完整时退出码为 0,损坏时为 1。")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="verify")
        verify = sub.add_parser("verify", help=_("校验审计链:输出一行 JSON 和一句结论"))
        verify.add_argument(
            "--chunk", type=int, default=5000, help=_("每批读取的行数(默认 5000),决定内存占用和进度粒度")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("subcommand") != "verify":
            raise CommandError(_("请指定子命令 verify,例如:parkcredit audit verify"))
        chunk = options["chunk"]
        if chunk < 1:
            raise CommandError(_("参数 --chunk 必须为正整数,实际为 %(value)s") % {"value": chunk})

        def progress(done: int, total: int) -> None:
            self.stderr.write(_("已校验 %(done)d/%(total)d 条") % {"done": done, "total": total})

        show_progress = options.get("verbosity", 1) >= 2
        result = audit_chain_verify(progress=progress if show_progress else None, chunk=chunk)
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        self.stdout.write(verdict(result))
        if not result.ok:
            sys.exit(1)
