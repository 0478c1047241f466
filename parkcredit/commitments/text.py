"""The frozen commitment text: placeholders of a template body and the rendering that is signed.

Rendering is deterministic (same template, party, date and scope give the same text, hence the
same SM3 digest), which lets the confirmation page show the exact text and the sign step verify
the signer still signs what they read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from string import Formatter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from creditcore.catalogue import KINDS_BY_CODE, METRICS_BY_CODE
from creditcore.commitments import Condition, describe
from parkcredit.common.crypto import sm3_hex

PARTY = "主体名称"
USCC = "统一社会信用代码"
SIGNED_ON = "签署日期"
PERIOD = "承诺期限"
SCOPE = "承诺事项"
CONDITIONS = "履约条件"
PLACEHOLDERS: tuple[str, ...] = (PARTY, USCC, SIGNED_ON, PERIOD, SCOPE, CONDITIONS)


def body_check(body: str) -> str:
    """The body stripped, or ValidationError naming a bad placeholder (Chinese)."""
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": gettext("承诺书正文必须填写")})
    allowed = "、".join("{" + p + "}" for p in PLACEHOLDERS)
    try:
        parts = list(Formatter().parse(text))
    except ValueError:
        raise ValidationError(
            {
                "body": gettext("承诺书正文中的花括号不成对;占位符只能是:%(allowed)s,其他花括号请删除")
                % {"allowed": allowed}
            }
        ) from None
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            raise ValidationError(
                {
                    "body": gettext("承诺书正文中的占位符「%(name)s」无效,只能使用:%(allowed)s")
                    % {"name": "{" + name + "}", "allowed": allowed}
                }
            )
    return text


@dataclass(frozen=True, slots=True)
class RenderedText:
    text: str
    digest: str


def _period_label(months: int, start: date, end: date) -> str:
    return f"{months}个月({start:%Y年%m月%d日}至{end:%Y年%m月%d日})"


def render(
    *,
    body: str,
    title: str,
    party: str,
    uscc: str,
    signed_on: date,
    valid_until: date,
    months: int,
    scope: str,
    conditions: Sequence[Condition],
    deadlines: Mapping[int, date],
) -> RenderedText:
    """The commitment text exactly as signed, and its SM3 digest (hex, over the UTF-8 bytes)."""
    kind_names = {code: spec.name for code, spec in KINDS_BY_CODE.items()}
    metric_names = {code: spec.name for code, spec in METRICS_BY_CODE.items()}
    lines = [
        f"{i + 1}. {describe(c, kind_names=kind_names, metric_names=metric_names, deadline=deadlines.get(i))}"
        for i, c in enumerate(conditions)
    ]
    condition_block = "\n".join(lines) if lines else "(无附加履约条件)"
    values = {
        PARTY: party,
        USCC: uscc or "—",
        SIGNED_ON: f"{signed_on:%Y年%m月%d日}",
        PERIOD: _period_label(months, signed_on, valid_until),
        SCOPE: scope or title,
        CONDITIONS: condition_block,
    }
    rendered = body.format_map(values)
    if "{" + CONDITIONS + "}" not in body and lines:
        rendered += "\n履约条件:\n" + condition_block
    text = f"{title}\n\n{rendered}\n\n承诺主体:{party}\n签署日期:{signed_on:%Y年%m月%d日}"
    return RenderedText(text=text, digest=sm3_hex(text.encode("utf-8")))
