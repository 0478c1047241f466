"""The outside channels a notification can take: SMTP e-mail and WeCom/DingTalk group robots.

Each sender raises `DeliveryError` with a Chinese reason on any failure; the caller records it.
Webhook calls use urllib with a timeout so a hung robot endpoint cannot hold a worker forever,
and only go to hosts on the NOTIFY_WEBHOOK_HOSTS list (a subscriber must not be able to make
the server call arbitrary internal addresses).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from parkcredit.common.links import public_url


class DeliveryError(Exception):
    """A channel could not deliver; the message is shown in the delivery log."""


@dataclass(frozen=True)
class Message:
    """What a channel sends: plain title and body plus an absolute or park-relative link."""

    title: str
    body: str
    link: str
    severity_label: str


def absolute_link(link: str) -> str:
    """Park-relative links made absolute (PUBLIC_BASE_URL) so a mail reader can follow them."""
    return public_url(link)


def send_email(address: str, message: Message) -> None:
    text = message.body
    if message.link:
        label = _("查看详情")
        text = f"{text}\n\n{label}: {absolute_link(message.link)}"
    mail = EmailMessage(
        subject=f"[{message.severity_label}] {message.title}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
    )
    try:
        mail.send()
    except Exception as exc:
        raise DeliveryError(_("邮件发送失败:%(error)s") % {"error": exc}) from exc


def check_webhook_url(url: str) -> None:
    """Refuse a webhook address that is not http(s) or whose host is not on the allowed list."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise DeliveryError(_("Webhook 地址 %(url)s 无效,应以 https:// 开头") % {"url": url})
    allowed = {host.lower() for host in settings.NOTIFY_WEBHOOK_HOSTS}
    if parts.hostname.lower() not in allowed:
        raise DeliveryError(
            _("Webhook 地址的主机 %(host)s 不在允许列表(NOTIFY_WEBHOOK_HOSTS)中") % {"host": parts.hostname}
        )


def markdown_text(message: Message) -> str:
    lines = [f"### {message.title}", f"> {message.severity_label}"]
    if message.body:
        lines += ["", message.body]
    if message.link:
        label = _("查看详情")
        lines += ["", f"[{label}]({absolute_link(message.link)})"]
    return "\n".join(lines)


def webhook_payload(channel: str, message: Message) -> dict[str, Any]:
    """The robot's markdown message: WeCom takes `content`, DingTalk `title` and `text`."""
    text = markdown_text(message)
    if channel == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": text}}
    if channel == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": message.title, "text": text}}
    raise DeliveryError(_("未知的机器人类型 %(channel)s") % {"channel": channel})


def dingtalk_signed_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """Append DingTalk's timestamp and HMAC-SHA256 signature (the robot's "加签" security mode)."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={sign}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse every redirect: only the checked host may be called, and urllib would otherwise follow
    a 301/302/303 from an allowed robot host to any address (an internal one included)."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
        raise DeliveryError(_("Webhook 地址返回了重定向(%(code)s),已拒绝跟随") % {"code": code})


_OPENER = urllib.request.build_opener(_NoRedirects())


def send_webhook(channel: str, url: str, message: Message, *, secret: str = "") -> None:
    check_webhook_url(url)
    if channel == "dingtalk" and secret:
        url = dingtalk_signed_url(url, secret)
    data = json.dumps(webhook_payload(channel, message), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with _OPENER.open(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT) as response:
            raw = response.read(65536)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DeliveryError(_("Webhook 调用失败:%(error)s") % {"error": exc}) from exc
    # Both robots answer 200 with {"errcode": 0} on success and a non-zero errcode otherwise.
    try:
        answer = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        answer = {}
    if isinstance(answer, dict) and answer.get("errcode", 0) not in (0, "0"):
        raise DeliveryError(
            _("机器人拒收:errcode=%(code)s %(msg)s")
            % {"code": answer.get("errcode"), "msg": answer.get("errmsg", "")}
        )
