"""Inbox pages: own notifications only, mark read, navbar count, subscriptions."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from parkcredit.audit.models import AuditEntry
from parkcredit.notifications.models import Notification, Subscription
from parkcredit.notifications.services import notify


def test_inbox_lists_only_own_notifications_and_the_navbar_counts_them(
    client: Client, ent_a_user: Any, ent_b_user: Any
) -> None:
    notify(recipients=[ent_a_user], kind="k", title="给甲的通知")
    notify(recipients=[ent_a_user], kind="k", title="甲的第二条")
    notify(recipients=[ent_b_user], kind="k", title="给乙的通知")
    client.force_login(ent_a_user)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "给甲的通知" in page and "甲的第二条" in page
    assert "给乙的通知" not in page
    assert "2 条未读" in page  # the bell's label in the navbar


def test_unread_filter_and_htmx_mark_read(client: Client, park_admin: Any) -> None:
    first, _second = (notify(recipients=[park_admin], kind="k", title=t)[0] for t in ("第一条", "第二条"))
    client.force_login(park_admin)
    response = client.post(reverse("notifications:read", args=[first.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="notification-{first.pk}"' in response.content.decode()
    assert "<html" not in response.content.decode()
    first.refresh_from_db()
    assert first.read_at is not None
    unread = client.get(reverse("notifications:inbox") + "?unread=1").content.decode()
    assert "第二条" in unread and "第一条" not in unread
    assert AuditEntry.objects.filter(action="notifications.read").count() == 1


def test_open_follows_a_local_link_but_not_an_outside_one(client: Client, park_admin: Any) -> None:
    local = notify(recipients=[park_admin], kind="k", title="t", link="/jobs/")[0]
    outside = notify(recipients=[park_admin], kind="k", title="t", link="https://evil.example/")[0]
    client.force_login(park_admin)
    assert client.post(reverse("notifications:read", args=[local.pk]), {"go": "1"})["Location"] == "/jobs/"
    assert client.post(reverse("notifications:read", args=[outside.pk]), {"go": "1"})["Location"] == reverse(
        "notifications:inbox"
    )


def test_someone_elses_notification_is_404(client: Client, ent_a_user: Any, ent_b_user: Any) -> None:
    theirs = notify(recipients=[ent_b_user], kind="k", title="t")[0]
    client.force_login(ent_a_user)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read(client: Client, dept_staff: Any) -> None:
    notify(recipients=[dept_staff], kind="k", title="a")
    notify(recipients=[dept_staff], kind="k", title="b")
    client.force_login(dept_staff)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "已将 2 条通知标为已读" in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_subscription_page_adds_and_deletes(client: Client, bank_user: Any) -> None:
    client.force_login(bank_user)
    url = reverse("notifications:subscriptions")
    bad = client.post(url, {"channel": "email", "address": "oops", "min_severity": "info"})
    assert "电子邮件地址 oops 格式不正确" in bad.content.decode()
    ok = client.post(
        url,
        {
            "channel": "email",
            "address": "qian@bank.cn",
            "min_severity": "warning",
            "kinds": "alerts.alert, x",
        },
    )
    assert ok.status_code == 302
    sub = Subscription.objects.get(user=bank_user)
    assert sub.kinds == ["alerts.alert", "x"] and sub.min_severity == "warning"
    assert "qian@bank.cn" in client.get(url).content.decode()
    client.post(reverse("notifications:subscription_delete", args=[sub.pk]))
    assert not Subscription.objects.exists()


def test_cannot_delete_someone_elses_subscription(client: Client, bank_user: Any, park_admin: Any) -> None:
    sub = Subscription.objects.create(user=park_admin, channel="email", address="w@example.cn")
    client.force_login(bank_user)
    assert client.post(reverse("notifications:subscription_delete", args=[sub.pk])).status_code == 404
    assert Subscription.objects.filter(pk=sub.pk).exists()
