"""`parkcredit notifications send`: send pending (and optionally failed) e-mail and robot deliveries."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from parkcredit.notifications.services import deliveries_send


class Command(BaseCommand):
    help = _("通知工具。send:发送待发送的邮件与机器人消息(--retry-failed 同时重试失败的),输出一行 JSON。")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="send")
        send = sub.add_parser("send", help=_("发送待发送的投递"))
        send.add_argument("--retry-failed", action="store_true", help=_("同时重试发送失败的投递"))
        send.add_argument("--max-attempts", type=int, default=5, help=_("每条投递最多尝试次数(默认 5)"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("subcommand") != "send":
            raise CommandError(_("请指定子命令 send,例如:parkcredit notifications send"))
        if options["max_attempts"] < 1:
            raise CommandError(
                _("参数 --max-attempts 必须为正整数,实际为 %(value)s") % {"value": options["max_attempts"]}
            )
        counts = deliveries_send(retry_failed=options["retry_failed"], max_attempts=options["max_attempts"])
        self.stdout.write(json.dumps(counts, ensure_ascii=False))
        if counts["failed"]:
            sys.exit(1)
