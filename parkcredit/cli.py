"""The ``parkcredit`` command: one entry point for operators.

``parkcredit uscc CODE ...`` checks unified social credit codes without starting Django, so it
works on a machine with no database or settings (an importer's laptop, a CI job). Every other
subcommand is handed to Django unchanged, so each management command (``migrate``, ``demo``,
``serve``, ``audit`` ...) is reachable as ``parkcredit <command>``.

Exit status of ``uscc``: 0 when every code is valid (legacy pilot codes count as valid), 1 when
any is not, 2 for a usage error. Django commands keep their own exit status.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Iterable, Sequence

from creditcore.uscc import validate

PROG = "parkcredit"
DEFAULT_SETTINGS = "config.settings"

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

USAGE = f"""\
用法 / usage:
  {PROG} uscc CODE [CODE ...]
      校验统一社会信用代码,每个代码输出一行 JSON(无需数据库)
      validate unified social credit codes, one JSON line per code (no database needed)
  {PROG} uscc -
      从标准输入逐行读取代码 / read the codes from standard input, one per line
  {PROG} <command> [options]
      运行任一 Django 管理命令,如 demo、serve、migrate、audit
      run any Django management command, e.g. demo, serve, migrate, audit
  {PROG} help <command>
      某个管理命令的帮助 / help for one management command
  {PROG} --help
      本说明 / this help
"""

USCC_USAGE = f"""\
用法 / usage: {PROG} uscc CODE [CODE ...] | {PROG} uscc -

每个代码输出一行 JSON,键为 input、normalized、valid、legacy、errors。
One JSON object per code and line, keys: input, normalized, valid, legacy, errors.
退出码 / exit status: 0 全部有效 all valid (legacy counts as valid); 1 有无效代码 some invalid;
2 用法错误 usage error.
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``parkcredit`` command with ``argv`` (default: the process arguments)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        sys.stderr.write(USAGE)
        return EXIT_USAGE
    command, rest = args[0], args[1:]
    if command in {"-h", "--help"} or (command == "help" and not rest):
        sys.stdout.write(USAGE + "\n" + _command_listing())
        return EXIT_OK
    if command == "uscc":
        return _uscc(rest)
    return _django(args)


def _uscc(args: list[str]) -> int:
    codes: list[str] = []
    options_done = False
    for arg in args:
        if options_done or arg == "" or not arg.startswith("-"):
            codes.append(arg)
        elif arg == "--":
            options_done = True
        elif arg in {"-h", "--help"}:
            sys.stdout.write(USCC_USAGE)
            return EXIT_OK
        elif arg == "-":
            codes.extend(_stdin_codes(sys.stdin))
        else:
            return _usage_error(f"未知选项 / unknown option: {arg}")
    if not codes:
        return _usage_error("请至少给出一个统一社会信用代码 / give at least one code")

    all_valid = True
    for code in codes:
        result = validate(code)
        all_valid = all_valid and result.valid
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
    return EXIT_OK if all_valid else EXIT_INVALID


def _stdin_codes(lines: Iterable[str]) -> list[str]:
    # Blank lines are spacing in a pasted column, not codes; stripping the newline keeps the
    # reported input equal to what was in the file.
    return [line.rstrip("\r\n") for line in lines if line.strip()]


def _usage_error(message: str) -> int:
    sys.stderr.write(f"{PROG} uscc: {message}\n\n{USCC_USAGE}")
    return EXIT_USAGE


def _django(args: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line([PROG, *args])
    except SystemExit as exc:
        # Django ends failed commands with sys.exit; main() reports a status instead of exiting.
        return _exit_status(exc.code)
    return EXIT_OK


def _exit_status(code: object) -> int:
    if code is None:
        return EXIT_OK
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return EXIT_INVALID


def _command_listing() -> str:
    """Names of every management command, or a hint when the settings cannot be loaded."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    try:
        import django
        from django.core.management import get_commands

        django.setup()
        names = sorted(get_commands())
    # Help must still print when the settings are broken (e.g. production without its keys).
    except Exception as exc:
        return (
            f"无法加载 Django 设置,管理命令列表不可用 / cannot load Django settings "
            f"({type(exc).__name__}: {exc})\n"
        )
    listing = textwrap.fill(", ".join(names), width=96, initial_indent="  ", subsequent_indent="  ")
    return f"管理命令 / management commands:\n{listing}\n"
