"""`manage.py catalogue sync`: apply the code catalogue (creditcore.catalogue) to the database."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parkcredit.records.services import catalogue_sync


class Command(BaseCommand):
    help = "信息资源目录维护:sync 按代码中的目录新建缺失的记录类型并更新已有类型"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sync"], help="sync:同步记录类型目录")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = catalogue_sync(actor=None)
        self.stdout.write(json.dumps(counts, ensure_ascii=False))
