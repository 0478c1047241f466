"""`parkcredit repair explain|sweep|remind`: repair rules from the command line (cron, operators).

- `explain --kind KIND --severity SEVERITY --decided DATE [--penalty-type TYPE] [--on DATE]`
  prints one JSON object {"published", "publicity_end", "earliest_repair", "repairable", "rule",
  ...details}: what the rules in force say about such a record handled on DATE (default today).
  KIND is an import profile name (penalty, serious-dishonesty, abnormal-operation,
  court-defaulter, ...) or a record kind code.
- `sweep [--on DATE]` ends the publicity of records past their maximum period (run daily from
  cron) and prints the summary as JSON.
- `remind` is the repair-workflow reminder run (parkcredit.repair.workflow.commands).

Exit status: 0 done; 2 bad arguments (a Chinese message naming the argument and value).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from creditcore.repair import RuleError, explain

EXIT_USAGE = 2


def _usage_error(message: str) -> CommandError:
    return CommandError(message, returncode=EXIT_USAGE)


def _parse_date(value: str | None, option: str, *, required: bool) -> date | None:
    if not value:
        if required:
            raise _usage_error(_("缺少参数 %(option)s(日期,格式 YYYY-MM-DD)") % {"option": option})
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _usage_error(
            _("参数 %(option)s 的值「%(value)s」不是有效日期,应为 YYYY-MM-DD 格式")
            % {"option": option, "value": value}
        ) from None


class Command(BaseCommand):
    help = _("信用修复规则:explain 计算公示期与修复日期;sweep 公示期满自动停止公示;remind 修复提醒")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        explain_parser = actions.add_parser("explain", help=_("按规则计算公示截止日与最早修复日,输出 JSON"))
        # Required values are checked in handle() so the error is Chinese and exits with 2.
        explain_parser.add_argument("--kind", help=_("记录类型:导入模板名或记录类型编码,如 penalty"))
        explain_parser.add_argument("--severity", help=_("失信程度:minor / general / serious"))
        explain_parser.add_argument("--decided", help=_("决定日期 YYYY-MM-DD"))
        explain_parser.add_argument(
            "--penalty-type", dest="penalty_type", help=_("处罚类别或违法行为领域,如 罚款")
        )
        explain_parser.add_argument("--on", dest="on", help=_("处理日期 YYYY-MM-DD(默认今天)"))
        sweep_parser = actions.add_parser("sweep", help=_("公示期满的记录自动停止公示,输出 JSON 摘要"))
        sweep_parser.add_argument("--on", dest="on", help=_("检查日期 YYYY-MM-DD(默认今天,不能晚于今天)"))
        remind_parser = actions.add_parser("remind", help=_("提醒已可申请修复的企业,输出 JSON"))
        try:
            from parkcredit.repair.workflow.commands import add_remind_arguments
        except ImportError:  # the workflow part of the app is optional
            pass
        else:
            add_remind_arguments(remind_parser)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "explain":
            self._explain(options)
        elif action == "sweep":
            self._sweep(options)
        else:
            self._remind(options)

    def _explain(self, options: dict[str, Any]) -> None:
        from parkcredit.repair.rules import park_rulebook

        kind = (options.get("kind") or "").strip()
        if not kind:
            raise _usage_error(_("缺少参数 --kind(记录类型,如 penalty、serious-dishonesty、court-defaulter)"))
        severity = (options.get("severity") or "").strip()
        if not severity:
            raise _usage_error(_("缺少参数 --severity(失信程度:minor、general、serious)"))
        decided = _parse_date(options.get("decided"), "--decided", required=True)
        on = _parse_date(options.get("on"), "--on", required=False)
        assert decided is not None
        try:
            result = explain(
                kind,
                severity,
                decided,
                penalty_type=options.get("penalty_type") or None,
                on=on,
                rules=park_rulebook(),
            )
        except RuleError as exc:
            raise _usage_error(str(exc)) from None
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))

    def _sweep(self, options: dict[str, Any]) -> None:
        from parkcredit.repair.services import publicity_sweep

        on = _parse_date(options.get("on"), "--on", required=False)
        try:
            result = publicity_sweep(actor=None, on=on)
        except ValidationError as exc:
            raise _usage_error(";".join(str(m) for m in exc.messages)) from None
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))

    def _remind(self, options: dict[str, Any]) -> None:
        try:
            from parkcredit.repair.workflow.commands import handle_remind
        except ImportError:
            raise CommandError(_("修复提醒功能尚未安装")) from None
        status = handle_remind(options, self.stdout)  # type: ignore[arg-type]
        if status:
            raise CommandError(_("修复提醒未完成"), returncode=status)
