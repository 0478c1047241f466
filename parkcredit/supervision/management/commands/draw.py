"""`parkcredit draw verify PLAN` and `parkcredit draw list`: check published draws from the command line.

verify: replays the plan's draw from its published inputs and revealed seed; exit 0 when the
commitment, the replay and the inspections all match, 1 with a JSON line and Chinese sentences
naming every difference otherwise, 2 for an unknown plan or a plan not drawn yet.
list: one JSON object per public plan and line.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils.translation import gettext as _

from parkcredit.supervision.selectors import draw_verify, public_plan_by_code, public_plans


class Command(BaseCommand):
    help = _("双随机抽取工具。verify 计划编号:重放并核对抽取;list:逐行输出抽查计划(JSON)。")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="{verify,list}")
        verify = sub.add_parser("verify", help=_("重放抽取并核对:一致时退出码 0,不一致时为 1"))
        verify.add_argument("plan", help=_("计划编号"))
        sub.add_parser("list", help=_("每个已公布承诺的计划输出一行 JSON"))

    def handle(self, *args: Any, **options: Any) -> None:
        command = options.get("subcommand")
        if command == "list":
            for listed in public_plans().annotate(n_inspections=Count("inspections")):
                record = listed.draw
                self.stdout.write(
                    json.dumps(
                        {
                            "plan": listed.code,
                            "title": listed.title,
                            "state": listed.state,
                            "period": [listed.period_start.isoformat(), listed.period_end.isoformat()],
                            "commitment": record.commitment,
                            "seed": record.public_seed,
                            "inspections": listed.n_inspections,
                        },
                        ensure_ascii=False,
                    )
                )
            return
        if command != "verify":
            raise CommandError(_("请指定子命令 verify 或 list,例如:parkcredit draw verify 2026-q3"))
        found = public_plan_by_code(options["plan"])
        if found is None:
            self.stderr.write(_("没有编号为「%(code)s」的已公布抽查计划") % {"code": options["plan"]})
            sys.exit(2)
        plan = found
        if not plan.draw.seed_revealed:
            self.stderr.write(_("计划「%(code)s」尚未抽取,随机种子未公开,无法验证") % {"code": plan.code})
            sys.exit(2)
        differences = draw_verify(plan)
        self.stdout.write(
            json.dumps(
                {
                    "plan": plan.code,
                    "identical": not differences,
                    "commitment": plan.draw.commitment,
                    "differences": [d.as_dict() for d in differences],
                },
                ensure_ascii=False,
            )
        )
        if differences:
            for d in differences:
                self.stdout.write(d.message)
            self.stdout.write(_("验证未通过:共 %(n)d 处不一致。") % {"n": len(differences)})
            sys.exit(1)
        self.stdout.write(
            _("验证通过:计划「%(code)s」的种子、输入与承诺一致,重放得到完全相同的检查对象和检查人员。")
            % {"code": plan.code}
        )
