"""`parkcredit createadmin USERNAME`: the first system administrator of a new installation.

The password is read from standard input (one line) when it is not a terminal, so scripts can
pipe it without putting it on the command line; otherwise it is asked for twice.
"""

from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from parkcredit.accounts.services import user_bootstrap_system_admin


class Command(BaseCommand):
    help = _("创建新安装的第一个系统管理员(之后的账号由系统管理员在“用户管理”中创建)")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help=_("用户名"))
        parser.add_argument("--full-name", default="", help=_("姓名"))

    def handle(self, *args: Any, **options: Any) -> None:
        password = self._read_password()
        try:
            user = user_bootstrap_system_admin(
                username=options["username"], full_name=options["full_name"], password=password
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(_("已创建系统管理员 %(username)s。") % {"username": user.username})

    def _read_password(self) -> str:
        if not sys.stdin.isatty():
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass(_("密码:"))
        if first != getpass.getpass(_("再次输入密码:")):
            raise CommandError(_("两次输入的密码不一致"))
        return first
