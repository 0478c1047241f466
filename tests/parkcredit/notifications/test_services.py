"""notify(): inbox always, e-mail and robot deliveries per subscription, failures recorded."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings

from parkcredit.accounts.models import Role
from parkcredit.notifications.channels import Message, dingtalk_signed_url, webhook_payload
from parkcredit.notifications.models import Channel, Delivery, DeliveryState, Notification, Subscription
from parkcredit.notifications.selectors import enterprise_users, unread_count
from parkcredit.notifications.services import (
    deliveries_send,
    delivery_send,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
    subscription_create,
)
from tests import factories as f
from tests.parkcredit.notifications.servers import smtp_sink, webhook_receiver

LOCAL_HOSTS = ["127.0.0.1"]


def smtp_mailers(host: str, port: int) -> dict[str, Any]:
    options = {"host": host, "port": port, "timeout": 5}
    return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}


def test_notify_files_one_inbox_row_per_distinct_active_recipient(
    park_admin: Any, dept_staff: Any, ent_a: Any
) -> None:
    gone = f.make_user(Role.DEPT_STAFF, f.department("tzcjb"), username="gone")
    gone.is_active = False
    gone.save()
    rows = notify(
        recipients=[park_admin, dept_staff, park_admin, gone, None],
        kind="test.kind",
        title="标题",
        body="正文",
        link="/x/",
        enterprise=ent_a,
        severity="warning",
    )
    assert sorted(r.recipient_id for r in rows) == sorted([park_admin.pk, dept_staff.pk])
    assert Notification.objects.filter(recipient=gone).count() == 0
    note = Notification.objects.get(recipient=park_admin)
    assert (note.kind, note.title, note.enterprise_id, note.severity) == (
        "test.kind",
        "标题",
        ent_a.pk,
        "warning",
    )
    assert unread_count(park_admin) == 1
    assert Delivery.objects.count() == 0  # no subscriptions: inbox only


def test_notify_refuses_an_unknown_severity(park_admin: Any) -> None:
    with pytest.raises(ValueError, match="urgent"):
        notify(recipients=[park_admin], kind="k", title="t", severity="urgent")
    assert Notification.objects.count() == 0


def test_subscription_filters_by_kind_and_minimum_severity(park_admin: Any) -> None:
    sub = subscription_create(
        actor=park_admin,
        channel=Channel.EMAIL,
        address="a@example.cn",
        kinds=["alerts.alert"],
        min_severity="warning",
    )
    notify(recipients=[park_admin], kind="alerts.alert", title="轻", severity="info")
    notify(recipients=[park_admin], kind="other", title="别类", severity="critical")
    notify(recipients=[park_admin], kind="alerts.alert", title="重", severity="critical")
    assert [d.notification.title for d in Delivery.objects.filter(subscription=sub)] == ["重"]


def test_email_delivery_runs_after_commit(park_admin: Any, django_capture_on_commit_callbacks: Any) -> None:
    subscription_create(actor=park_admin, channel=Channel.EMAIL, address="wang@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[park_admin], kind="k", title="企业甲新增严重失信记录", body="详情", link="/alerts/1/"
        )
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wang@example.cn"]
    assert "企业甲新增严重失信记录" in mail.outbox[0].subject
    assert "/alerts/1/" in mail.outbox[0].body
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_email_through_a_real_smtp_socket(park_admin: Any, django_capture_on_commit_callbacks: Any) -> None:
    with (
        smtp_sink() as sink,
        override_settings(
            MAILERS=smtp_mailers(sink.host, sink.port), PUBLIC_BASE_URL="https://credit.example.cn"
        ),
    ):
        subscription_create(actor=park_admin, channel=Channel.EMAIL, address="wang@example.cn")
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=[park_admin], kind="k", title="租金欠缴超过 90 天", body="甲公司", link="/a/7/")
    assert len(sink.messages) == 1
    message = sink.messages[0]
    assert sink.envelopes[0][1] == ["wang@example.cn"]
    assert "租金欠缴超过 90 天" in str(message["Subject"])
    assert "https://credit.example.cn/a/7/" in message.get_content()
    assert Delivery.objects.get().state == DeliveryState.SENT


@pytest.mark.parametrize("channel", [Channel.WECOM, Channel.DINGTALK])
def test_webhook_delivery_posts_the_robot_markdown_format(
    channel: str, park_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with webhook_receiver() as robot, override_settings(NOTIFY_WEBHOOK_HOSTS=LOCAL_HOSTS):
        subscription_create(actor=park_admin, channel=channel, address=robot.url)
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=[park_admin], kind="k", title="用电量骤降", body="乙公司", severity="critical")
    assert len(robot.requests) == 1
    sent = robot.requests[0]["json"]
    assert sent["msgtype"] == "markdown"
    text = sent["markdown"]["content"] if channel == Channel.WECOM else sent["markdown"]["text"]
    assert "### 用电量骤降" in text and "乙公司" in text and "严重" in text
    if channel == Channel.DINGTALK:
        assert sent["markdown"]["title"] == "用电量骤降"
    assert Delivery.objects.get().state == DeliveryState.SENT


def test_dingtalk_signing_adds_timestamp_and_signature(
    park_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with webhook_receiver() as robot, override_settings(NOTIFY_WEBHOOK_HOSTS=LOCAL_HOSTS):
        subscription_create(actor=park_admin, channel=Channel.DINGTALK, address=robot.url, secret="SECabc")
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=[park_admin], kind="k", title="t")
    path = robot.requests[0]["path"]
    assert "key=test&timestamp=" in path and "&sign=" in path


def test_dingtalk_signature_is_the_documented_hmac() -> None:
    # HMAC-SHA256 over "timestamp\nsecret" keyed by the secret, base64 then URL-encoded.
    import base64
    import hashlib
    import hmac
    import urllib.parse

    expected = urllib.parse.quote_plus(
        base64.b64encode(hmac.new(b"s3", b"1700000000000\ns3", hashlib.sha256).digest()).decode()
    )
    assert dingtalk_signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=x", "s3", 1700000000000
    ) == (f"https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1700000000000&sign={expected}")


def test_webhook_payload_formats() -> None:
    msg = Message(title="T", body="B", link="", severity_label="警告")
    assert webhook_payload("wecom", msg) == {
        "msgtype": "markdown",
        "markdown": {"content": "### T\n> 警告\n\nB"},
    }
    assert webhook_payload("dingtalk", msg)["markdown"] == {"title": "T", "text": "### T\n> 警告\n\nB"}


def test_robot_refusal_and_unreachable_robot_are_recorded_not_raised(
    park_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with webhook_receiver() as robot, override_settings(NOTIFY_WEBHOOK_HOSTS=LOCAL_HOSTS):
        robot.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
        subscription_create(actor=park_admin, channel=Channel.WECOM, address=robot.url)
        dead_url = robot.url.rsplit(":", 1)[0] + ":1/robot"
        subscription_create(actor=park_admin, channel=Channel.WECOM, address=dead_url)
        with django_capture_on_commit_callbacks(execute=True):
            rows = notify(recipients=[park_admin], kind="k", title="t")
    assert len(rows) == 1  # the caller got its notifications back
    states = {
        d.subscription.address: d for d in Delivery.objects.select_related("subscription") if d.subscription
    }
    assert states[robot.url].state == DeliveryState.FAILED
    assert "93000" in states[robot.url].error
    assert states[dead_url].state == DeliveryState.FAILED
    assert "Webhook 调用失败" in states[dead_url].error


def test_a_robot_redirect_is_not_followed(park_admin: Any, django_capture_on_commit_callbacks: Any) -> None:
    # An allowed host must not be able to bounce the server to another address.
    with (
        webhook_receiver() as elsewhere,
        webhook_receiver() as robot,
        override_settings(NOTIFY_WEBHOOK_HOSTS=LOCAL_HOSTS),
    ):
        robot.redirect_to = elsewhere.url
        subscription_create(actor=park_admin, channel=Channel.WECOM, address=robot.url)
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=[park_admin], kind="k", title="t")
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and "重定向" in delivery.error
    assert len(robot.requests) == 1 and elsewhere.requests == []


def test_a_delivery_another_worker_took_is_not_sent_again(park_admin: Any) -> None:
    from django.core import mail

    subscription_create(actor=park_admin, channel=Channel.EMAIL, address="wang@example.cn")
    notify(recipients=[park_admin], kind="k", title="t")
    stale = Delivery.objects.get()  # read by this worker before the other one sent it
    assert deliveries_send() == {"sent": 1, "failed": 0}
    assert delivery_send(stale) is None
    assert len(mail.outbox) == 1
    stale.refresh_from_db()
    assert stale.state == DeliveryState.SENT and stale.attempts == 1


def test_smtp_failure_is_recorded_and_retry_sends_later(
    park_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with override_settings(MAILERS=smtp_mailers("127.0.0.1", 1)):
        subscription_create(actor=park_admin, channel=Channel.EMAIL, address="wang@example.cn")
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=[park_admin], kind="k", title="t")
    delivery = Delivery.objects.get()
    assert delivery.state == DeliveryState.FAILED and delivery.attempts == 1
    assert "邮件发送失败" in delivery.error
    # The SMTP server is back (locmem here): a retry of failed deliveries succeeds.
    assert deliveries_send(retry_failed=True) == {"sent": 1, "failed": 0}
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 2
    assert len(mail.outbox) == 1


def test_subscription_refuses_bad_addresses_naming_the_field(park_admin: Any) -> None:
    with pytest.raises(ValidationError) as bad_mail:
        subscription_create(actor=park_admin, channel=Channel.EMAIL, address="not-an-address")
    assert "not-an-address" in str(bad_mail.value.message_dict["address"])
    with pytest.raises(ValidationError) as internal:
        subscription_create(actor=park_admin, channel=Channel.WECOM, address="http://10.0.0.5/admin")
    assert "10.0.0.5" in str(internal.value.message_dict["address"])
    with pytest.raises(ValidationError):
        subscription_create(actor=park_admin, channel=Channel.DINGTALK, address="file:///etc/passwd")
    assert Subscription.objects.count() == 0


def test_subscription_to_an_allowed_robot_host(park_admin: Any) -> None:
    sub = subscription_create(
        actor=park_admin,
        channel=Channel.WECOM,
        address="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
    )
    assert sub.pk is not None


def test_mark_read_only_own_and_mark_all(park_admin: Any, dept_staff: Any) -> None:
    mine = notify(recipients=[park_admin], kind="k", title="1")[0]
    notify(recipients=[park_admin], kind="k", title="2")
    theirs = notify(recipients=[dept_staff], kind="k", title="3")[0]
    notification_mark_read(actor=park_admin, notification=mine)
    assert unread_count(park_admin) == 1
    with pytest.raises(ValidationError):
        notification_mark_read(actor=park_admin, notification=theirs)
    assert notifications_mark_all_read(actor=park_admin) == 1
    assert unread_count(park_admin) == 0
    assert unread_count(dept_staff) == 1


def test_enterprise_users_are_the_active_accounts_of_that_enterprise(
    ent_a: Any, ent_b: Any, ent_a_user: Any, ent_b_user: Any
) -> None:
    second = f.enterprise_user(ent_a, username="ent_a_second")
    gone = f.enterprise_user(ent_a, username="ent_a_gone")
    gone.is_active = False
    gone.save()
    assert list(enterprise_users(ent_a)) == [ent_a_user, second]
    assert list(enterprise_users(ent_b.pk)) == [ent_b_user]


def test_send_command_sends_pending_and_exits_nonzero_on_failure(park_admin: Any) -> None:
    from django.core.management import call_command

    subscription_create(actor=park_admin, channel=Channel.EMAIL, address="wang@example.cn")
    notify(recipients=[park_admin], kind="k", title="t")  # no commit in this test: still pending
    out = io.StringIO()
    call_command("notifications", "send", stdout=out)
    assert json.loads(out.getvalue()) == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 1
    notify(recipients=[park_admin], kind="k", title="t2")
    with override_settings(MAILERS=smtp_mailers("127.0.0.1", 1)), pytest.raises(SystemExit) as exit_info:
        call_command("notifications", "send", stdout=io.StringIO())
    assert exit_info.value.code == 1
