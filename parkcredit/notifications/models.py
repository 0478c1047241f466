"""Notifications: the in-app inbox, each user's delivery subscriptions and the delivery log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parkcredit.common.fields import EncryptedTextField


class Severity(models.TextChoices):
    INFO = "info", _("提示")
    WARNING = "warning", _("警告")
    CRITICAL = "critical", _("严重")


# Order of severities, for "at least this severity" subscription filters.
SEVERITY_RANK: dict[str, int] = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}
SEVERITY_TONE: dict[str, str] = {Severity.INFO: "blue", Severity.WARNING: "yellow", Severity.CRITICAL: "red"}


class Notification(models.Model):
    """One message in one user's inbox; every notification lands here whatever else it goes through."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类别"), max_length=64, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("相关企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    severity = models.CharField(_("级别"), max_length=16, choices=Severity.choices, default=Severity.INFO)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def tone(self) -> str:
        """Badge colour for the severity."""
        return SEVERITY_TONE.get(self.severity, "secondary")


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


WEBHOOK_CHANNELS = frozenset({Channel.WECOM, Channel.DINGTALK})


class Subscription(models.Model):
    """A user's wish to also receive notifications by e-mail or a group-robot webhook.

    `kinds` empty means every kind; `min_severity` drops anything milder. The in-app inbox needs
    no subscription: it always receives everything.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_subscriptions",
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    address = models.CharField(
        _("地址"), max_length=500, help_text=_("电子邮件地址,或群机器人的 Webhook 地址")
    )
    # DingTalk robots in "加签" mode need the robot's secret to sign each call.
    secret = EncryptedTextField(_("加签密钥"), blank=True)
    kinds = models.JSONField(_("类别"), default=list, blank=True)
    min_severity = models.CharField(
        _("最低级别"), max_length=16, choices=Severity.choices, default=Severity.INFO
    )
    enabled = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知订阅")
        verbose_name_plural = _("通知订阅")
        ordering = ["user", "channel", "id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_channel_display()}"

    def wants(self, kind: str, severity: str) -> bool:
        """Whether a notification of `kind` and `severity` goes out through this subscription."""
        if not self.enabled:
            return False
        if self.kinds and kind not in self.kinds:
            return False
        return SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK.get(self.min_severity, 0)


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """One attempt to push one notification through one subscription; failures are kept with the reason."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("订阅"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    state = models.CharField(
        _("状态"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.TextField(_("失败原因"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知投递")
        verbose_name_plural = _("通知投递")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.notification} → {self.get_channel_display()} {self.get_state_display()}"
