"""`parkcredit alerts run|digest`: evaluate the rules over the park, or send the low-severity digest."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _(
        "风险预警。run:按全部启用的规则评估园区并产生预警;digest:发送提示级预警的周报。均输出一行 JSON。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="run|digest")
        run = sub.add_parser("run", help=_("运行预警规则"))
        run.add_argument("--as-of", help=_("基准日 YYYY-MM-DD(默认今天)"))
        sub.add_parser("digest", help=_("发送提示级预警周报"))

    def handle(self, *args: Any, **options: Any) -> None:
        from parkcredit.alerts.services import alerts_digest, alerts_run

        sub = options.get("subcommand")
        if sub == "run":
            as_of = None
            if options.get("as_of"):
                try:
                    as_of = date.fromisoformat(options["as_of"])
                except ValueError:
                    raise CommandError(
                        _("参数 --as-of 的值 %(value)s 不是日期(应为 YYYY-MM-DD)")
                        % {"value": options["as_of"]}
                    ) from None
            run = alerts_run(actor=None, as_of=as_of)
            out = {
                "as_of": run.as_of.isoformat(),
                "hits": run.hits,
                "opened": run.opened,
                "grouped": run.grouped,
                "notified": run.notified,
                "cleared": run.cleared,
                "seconds": run.seconds,
                "by_rule": run.by_rule,
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        elif sub == "digest":
            self.stdout.write(json.dumps(alerts_digest(actor=None), ensure_ascii=False))
        else:
            raise CommandError(_("请指定子命令 run 或 digest,例如:parkcredit alerts run"))
