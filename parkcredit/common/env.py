"""Typed readers for environment variables.

Settings read every knob through these helpers so a malformed value fails loudly at start-up
with the variable's name, instead of turning into a surprising default. Every variable read here
must be listed in `.env.example` (a repository test keeps the two in sync).
"""

from __future__ import annotations

import os
from pathlib import Path


class EnvError(ValueError):
    """A variable is set to a value its reader cannot accept."""


def _raw(name: str) -> str | None:
    # `NAME_FILE` lets secrets come from a mounted file (containers, systemd credentials).
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    value = os.environ.get(name)
    return None if value is None or value == "" else value


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise EnvError(f"环境变量 {name} 的值 {value!r} 不是布尔值(应为 true/false)")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise EnvError(f"环境变量 {name} 的值 {value!r} 不是整数") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
