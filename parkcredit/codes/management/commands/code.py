"""`parkcredit code …`: check, show, issue enterprise codes and manage the park's signing key.

    parkcredit code verify TOKEN [--public-key PEM] [--offline] [--at ISO-TIME]
    parkcredit code show USCC
    parkcredit code issue --all | USCC [USCC ...]
    parkcredit code keygen --out PATH
    parkcredit code pubkey [--out PATH]

`verify` needs only the park's public key (`--public-key`, else `CODE_VERIFY_KEY_FILE`, else
the public half of `CODE_SIGNING_KEY_FILE`): the signature and validity check is offline.
Unless `--offline` is given it then asks the database, when one is reachable, whether the code
was revoked or superseded; `"database"` in the output says whether that happened. Exit
status: 0 only for a valid code; 1 for an invalid one (or a failed show/issue); 2 for a usage
or key problem.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.codesign import TokenCheck, Verifier, verify_token

EXIT_INVALID = 1
EXIT_USAGE = 2


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=False)


class Command(BaseCommand):
    help = _("企业信用码:离线验码(verify)、查看(show)、签发(issue)、生成与导出签名密钥(keygen、pubkey)。")
    # `verify` must run on a machine with no database: no start-up checks touch it.
    requires_system_checks: tuple[str, ...] = ()

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = actions.add_parser("verify", help=_("验证信用码,输出 JSON;有效时退出码为 0"))
        verify.add_argument("token", help=_("信用码(/c/ 之后的部分,或完整网址)"))
        verify.add_argument("--public-key", dest="public_key", help=_("园区 SM2 公钥文件(PEM)"))
        verify.add_argument("--offline", action="store_true", help=_("只验签名与有效期,不查询数据库"))
        verify.add_argument("--at", dest="at", help=_("按指定时间验证(ISO 8601,默认现在)"))
        show = actions.add_parser("show", help=_("输出企业当前的信用码与验证网址(JSON)"))
        show.add_argument("uscc", help=_("统一社会信用代码"))
        issue = actions.add_parser("issue", help=_("按当前信用等级签发信用码(原有的码随即失效)"))
        issue.add_argument("uscc", nargs="*", help=_("统一社会信用代码"))
        issue.add_argument("--all", action="store_true", help=_("为所有已评分的企业签发"))
        keygen = actions.add_parser("keygen", help=_("生成园区 SM2 签名密钥(不覆盖已有文件)"))
        keygen.add_argument("--out", required=True, help=_("私钥文件路径"))
        pubkey = actions.add_parser("pubkey", help=_("导出园区签名公钥(PEM),供离线验码"))
        pubkey.add_argument("--out", help=_("写入文件(默认输出到屏幕)"))

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        handler = {
            "verify": self._verify,
            "show": self._show,
            "issue": self._issue,
            "keygen": self._keygen,
            "pubkey": self._pubkey,
        }[action]
        handler(options)

    # --- verify -------------------------------------------------------------------------------

    def _verifier(self, path: str | None) -> Verifier:
        from parkcredit.codes.keys import signing_key_path, verifier_from_file

        try:
            if path:
                return verifier_from_file(Path(path))
            if settings.CODE_VERIFY_KEY_FILE:
                return verifier_from_file(Path(settings.CODE_VERIFY_KEY_FILE))
            if signing_key_path().is_file():
                return verifier_from_file(signing_key_path())
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc), returncode=EXIT_USAGE) from None
        raise CommandError(
            _("没有可用的园区公钥:请用 --public-key 指定,或设置 CODE_VERIFY_KEY_FILE"), returncode=EXIT_USAGE
        )

    @staticmethod
    def _token(text: str) -> str:
        # A whole URL scanned from the QR code is accepted too.
        text = text.strip()
        marker = "/c/"
        if marker in text:
            text = text.rsplit(marker, 1)[1].split("?", 1)[0].split("#", 1)[0]
        return text

    def _at(self, value: str | None) -> datetime:
        if not value:
            return timezone.now()
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise CommandError(
                _("参数 --at 的值「%(value)s」不是 ISO 8601 时间") % {"value": value}, returncode=EXIT_USAGE
            ) from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment

    def _with_database(self, token: str, check: TokenCheck) -> tuple[TokenCheck, bool]:
        if check.forged:
            return check, False
        try:
            from parkcredit.codes.selectors import code_for_token, database_status

            return database_status(check, code_for_token(token)), True
        except (DatabaseError, ImproperlyConfigured):
            # No database here (or not migrated): the offline answer stands.
            return check, False

    def _verify(self, options: dict[str, Any]) -> None:
        verifier = self._verifier(options.get("public_key"))
        token = self._token(options["token"])
        check = verify_token(token, verifier, now=self._at(options.get("at")))
        database = False
        if not options["offline"]:
            check, database = self._with_database(token, check)
        result = check.as_json()
        result["database"] = database
        self.stdout.write(_dump(result))
        if not check.valid:
            raise CommandError(check.message, returncode=EXIT_INVALID)

    # --- show / issue -------------------------------------------------------------------------

    @staticmethod
    def _enterprise(uscc: str) -> Any:
        from creditcore.uscc import normalize
        from parkcredit.enterprises.models import Enterprise

        enterprise = Enterprise.objects.filter(uscc=normalize(uscc) or uscc).first()
        if enterprise is None:
            raise CommandError(_("统一社会信用代码「%(uscc)s」对应的企业不存在") % {"uscc": uscc})
        return enterprise

    def _show(self, options: dict[str, Any]) -> None:
        from parkcredit.codes.selectors import code_current

        enterprise = self._enterprise(options["uscc"])
        code = code_current(enterprise)
        now = timezone.now()
        data: dict[str, Any] = {"uscc": enterprise.uscc, "name": enterprise.name}
        if code is None:
            data.update({"token": None, "url": None})
            self.stdout.write(_dump(data))
            raise CommandError(
                _("企业「%(name)s」目前没有有效的信用码") % {"name": enterprise.name}, returncode=EXIT_INVALID
            )
        data.update(
            {
                "serial": code.serial,
                "grade": code.grade,
                "issued_at": code.issued_at.isoformat(),
                "valid_until": code.valid_until.isoformat(),
                "state": code.state_at(now),
                "token": code.token,
                "url": code.url,
            }
        )
        self.stdout.write(_dump(data))

    def _issue(self, options: dict[str, Any]) -> None:
        from parkcredit.codes.services import code_issue_many
        from parkcredit.enterprises.models import Enterprise
        from parkcredit.scoring.models import Score

        if options["all"] == bool(options["uscc"]):
            raise CommandError(_("请给出统一社会信用代码,或使用 --all(二者选一)"), returncode=EXIT_USAGE)
        if options["all"]:
            graded = Score.objects.filter(is_current=True).values("enterprise_id")
            enterprises = list(Enterprise.objects.filter(pk__in=graded).order_by("pk"))
        else:
            enterprises = [self._enterprise(uscc) for uscc in options["uscc"]]
        try:
            issued = code_issue_many(actor=None, enterprises=enterprises)
        except ValidationError as exc:
            raise CommandError(";".join(exc.messages)) from None
        issued_ids = {code.enterprise_id for code in issued}
        skipped = [e.uscc for e in enterprises if e.pk not in issued_ids]
        self.stdout.write(_dump({"issued": len(issued), "skipped": skipped}))
        if skipped and not options["all"]:
            raise CommandError(
                _("%(n)d 家企业未签发(还没有信用评分,或统一社会信用代码无法写入信用码)")
                % {"n": len(skipped)},
                returncode=EXIT_INVALID,
            )

    # --- keys ---------------------------------------------------------------------------------

    def _keygen(self, options: dict[str, Any]) -> None:
        from parkcredit.codes.keys import key_write_new

        path = Path(options["out"])
        try:
            signer = key_write_new(path)
        except FileExistsError:
            raise CommandError(
                _("文件 %(path)s 已存在,不会覆盖(更换密钥会使已签发的信用码全部失效)") % {"path": path},
                returncode=EXIT_INVALID,
            ) from None
        except OSError as exc:
            raise CommandError(
                _("无法写入 %(path)s:%(error)s") % {"path": path, "error": exc.strerror},
                returncode=EXIT_USAGE,
            ) from None
        self.stdout.write(
            _dump(
                {
                    "path": str(path),
                    "key_id": signer.key_id.hex(),
                    "public_key": signer.public_pem().decode("ascii"),
                }
            )
        )

    def _pubkey(self, options: dict[str, Any]) -> None:
        from parkcredit.codes.keys import park_verifier

        try:
            pem = park_verifier().public_pem()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc), returncode=EXIT_USAGE) from None
        if options.get("out"):
            Path(options["out"]).write_bytes(pem)
            self.stdout.write(_dump({"path": options["out"]}))
        else:
            self.stdout.write(pem.decode("ascii"), ending="")
