"""`parkcredit token`: issue, list and revoke API tokens from the server's command line.

The operator acts as the system (audit actor "system"). The raw token goes to standard output
alone, once, so a script can capture it; explanations go to standard error.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from parkcredit.accounts.models import ApiToken, User
from parkcredit.accounts.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = _("接口令牌工具。create:为账号创建令牌(只显示一次);revoke:按前缀吊销令牌;list:列出令牌。")

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", metavar="create|revoke|list")
        create = sub.add_parser("create", help=_("为账号创建令牌,令牌原文只输出这一次"))
        create.add_argument("username", help=_("账号的用户名"))
        create.add_argument("--name", required=True, help=_("令牌名称,写明用途"))
        revoke = sub.add_parser("revoke", help=_("按前缀吊销令牌"))
        revoke.add_argument("prefix", help=_("令牌前缀(令牌原文的前 8 个字符)"))
        listing = sub.add_parser("list", help=_("列出令牌(不含令牌原文)"))
        listing.add_argument("username", nargs="?", default="", help=_("只列出该账号的令牌"))

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options.get("subcommand")
        if subcommand == "create":
            self._create(options["username"], options["name"])
        elif subcommand == "revoke":
            self._revoke(options["prefix"])
        elif subcommand == "list":
            self._list(options["username"])
        else:
            raise CommandError(
                _("请指定子命令 create、revoke 或 list,例如:parkcredit token create 用户名 --name 用途")
            )

    def _create(self, username: str, name: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户名 “%(username)s” 不存在") % {"username": username})
        try:
            raw, token = api_token_create(actor=None, user=user, name=name)
        except ValidationError as exc:
            raise CommandError(";".join(exc.messages)) from exc
        self.stderr.write(
            _("已为 “%(username)s” 创建令牌 “%(name)s”(前缀 %(prefix)s)。令牌原文只显示这一次,请妥善保存:")
            % {"username": username, "name": token.name, "prefix": token.prefix}
        )
        self.stdout.write(raw)

    def _revoke(self, prefix: str) -> None:
        matches = list(ApiToken.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True))
        if not matches:
            raise CommandError(_("没有前缀为 “%(prefix)s” 的有效令牌") % {"prefix": prefix})
        if len(matches) > 1:
            owners = "、".join(f"{t.user.username}/{t.name}" for t in matches)
            raise CommandError(
                _("前缀 “%(prefix)s” 对应多个有效令牌(%(owners)s),请在网页上按名称吊销")
                % {"prefix": prefix, "owners": owners}
            )
        token = api_token_revoke(actor=None, token=matches[0])
        self.stdout.write(
            _("已吊销 “%(username)s” 的令牌 “%(name)s”(前缀 %(prefix)s)。")
            % {"username": token.user.username, "name": token.name, "prefix": token.prefix}
        )

    def _list(self, username: str) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if username:
            tokens = tokens.filter(user__username=username)
        for t in tokens:
            state = _("已吊销") if t.revoked_at else _("有效")
            used = t.last_used_at.isoformat(timespec="seconds") if t.last_used_at else "-"
            self.stdout.write(f"{t.prefix}\t{t.user.username}\t{t.name}\t{state}\t{used}")
