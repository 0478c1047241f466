"""`parkcredit repair remind`: the repair reminder (信用唤醒) run, for cron or an operator.

The `repair` management command hands its `remind` subcommand to these two functions. Output is
one JSON object: {"checked", "reminded", "recipients"}; exit status 0. Running it again the same
day reminds nobody twice (one reminder per record).
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any, TextIO


def add_remind_arguments(parser: ArgumentParser) -> None:
    parser.description = "提醒已满足修复条件的企业申请信用修复(每条记录只提醒一次),输出 JSON"


def handle_remind(options: dict[str, Any], stdout: TextIO) -> int:
    from parkcredit.repair.workflow.services import repair_remind

    result = repair_remind(actor=None)
    stdout.write(
        json.dumps(
            {"checked": result.checked, "reminded": result.reminded, "recipients": result.recipients},
            ensure_ascii=False,
        )
        + "\n"
    )
    return 0
