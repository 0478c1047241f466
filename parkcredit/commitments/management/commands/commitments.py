"""`parkcredit commitments check [--on DATE] [--dry-run]`: the fulfilment check of every commitment in force.

Prints one JSON object (the summary). Run it daily from cron; exit status 0 when the check ran,
1 with a Chinese message on bad input.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from parkcredit.commitments.checking import commitments_check


class Command(BaseCommand):
    help = _(
        "信用承诺:check 核查全部履约中的承诺(违诺的记入信用记录并通知企业,期满的确认履约),输出 JSON 摘要"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"], help=_("check:履约核查"))
        parser.add_argument("--on", dest="on", help=_("核查日期 YYYY-MM-DD(默认今天,不能晚于今天)"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("只输出核查结论,不改变承诺状态、不登记记录、不发通知")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        on = None
        if options.get("on"):
            try:
                on = date.fromisoformat(options["on"])
            except ValueError:
                raise CommandError(
                    _("参数 --on 的值「%(value)s」不是有效日期,应为 YYYY-MM-DD 格式")
                    % {"value": options["on"]}
                ) from None
        try:
            summary = commitments_check(on=on, dry_run=options["dry_run"])
        except ValidationError as exc:
            raise CommandError(";".join(str(m) for m in exc.messages)) from None
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
