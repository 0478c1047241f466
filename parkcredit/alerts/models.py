"""Risk early warning: staff-configured rules, the alerts they raise, and each alert's history."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditcore.alerts.rules import FAMILIES

FAMILY_CHOICES = [(f.code, f.label) for f in FAMILIES.values()]


class AlertSeverity(models.TextChoices):
    INFO = "info", _("提示")
    WARNING = "warning", _("警告")
    CRITICAL = "critical", _("严重")


SEVERITY_TONE: dict[str, str] = {
    AlertSeverity.INFO: "blue",
    AlertSeverity.WARNING: "yellow",
    AlertSeverity.CRITICAL: "red",
}


class AlertRule(models.Model):
    """One configured check: a rule family with its thresholds, severity and who gets told.

    `code` is stable: an enterprise has at most one open alert per rule. `due_workdays` sets the
    handling deadline of new alerts in working days; `department` is where they are assigned.
    """

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    family = models.CharField(_("规则类型"), max_length=32, choices=FAMILY_CHOICES)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    severity = models.CharField(
        _("级别"), max_length=16, choices=AlertSeverity.choices, default=AlertSeverity.WARNING
    )
    enabled = models.BooleanField(_("启用"), default=True)
    notify_enterprise = models.BooleanField(_("通知企业"), default=False)
    department = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("负责部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alert_rules",
        limit_choices_to={"kind": "park_department"},
    )
    due_workdays = models.PositiveSmallIntegerField(_("处置期限(工作日)"), default=5)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["family", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def dimension(self) -> str:
        return FAMILIES[self.family].dimension


class AlertState(models.TextChoices):
    OPEN = "open", _("待确认")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    HANDLING = "handling", _("处置中")
    CLOSED = "closed", _("已关闭")


class AlertQuerySet(models.QuerySet["Alert"]):
    def visible_to(self, actor: object) -> AlertQuerySet:
        """Alerts are park work: park roles see them all, everyone else none."""
        from parkcredit.accounts.models import PARK_ROLES

        if not getattr(actor, "is_authenticated", False) or getattr(actor, "role", None) not in PARK_ROLES:
            return self.none()
        return self.all()

    def still_open(self) -> AlertQuerySet:
        return self.exclude(state=AlertState.CLOSED)


class Alert(models.Model):
    """A warning about one enterprise from one rule, followed up until closed with a resolution.

    Later hits of the same rule while the alert is open are grouped into it (`hit_count`, an
    AlertEvent each) instead of opening a new one; a database constraint keeps it to one open
    alert per rule and enterprise.
    """

    rule = models.ForeignKey(
        AlertRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="alerts"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="alerts"
    )
    severity = models.CharField(_("级别"), max_length=16, choices=AlertSeverity.choices)
    state = models.CharField(_("状态"), max_length=16, choices=AlertState.choices, default=AlertState.OPEN)
    summary = models.CharField(_("摘要"), max_length=500)
    facts = models.JSONField(_("依据数据"), default=dict, blank=True)
    evidence = models.JSONField(_("依据记录"), default=list, blank=True)
    path = models.JSONField(_("传导路径"), default=list, blank=True)
    opened_at = models.DateTimeField(_("产生时间"), default=timezone.now, db_index=True)
    last_seen_at = models.DateTimeField(_("最近命中"), default=timezone.now)
    hit_count = models.PositiveIntegerField(_("命中次数"), default=1)
    due_on = models.DateField(_("处置期限"), null=True, blank=True)
    assignee_department = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("负责部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_alerts",
    )
    snoozed_until = models.DateField(_("暂缓至"), null=True, blank=True)
    snooze_reason = models.CharField(_("暂缓原因"), max_length=300, blank=True)
    resolution = models.TextField(_("处置结果"), blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    digested_at = models.DateTimeField(_("周报汇总时间"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "enterprise"], condition=~Q(state="closed"), name="alert_one_open_per_rule"
            )
        ]
        indexes = [models.Index(fields=["state", "severity"], name="alert_state_severity")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.rule}"

    @property
    def is_open(self) -> bool:
        return self.state != AlertState.CLOSED

    @property
    def tone(self) -> str:
        return SEVERITY_TONE.get(self.severity, "secondary")

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_on is not None and self.due_on < today

    def is_snoozed(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.snoozed_until is not None and self.snoozed_until >= today


class AlertAction(models.TextChoices):
    OPENED = "opened", _("产生预警")
    HIT = "hit", _("再次命中")
    NOTIFIED = "notified", _("已通知")
    ACKNOWLEDGED = "acknowledged", _("确认")
    HANDLING = "handling", _("开始处置")
    ASSIGNED = "assigned", _("指派")
    SNOOZED = "snoozed", _("暂缓")
    CLOSED = "closed", _("关闭")


class AlertEvent(models.Model):
    """One step in an alert's history: a new hit grouped into it, a notification or a staff action."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("动作"), max_length=16, choices=AlertAction.choices)
    note = models.TextField(_("说明"), blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("预警记录")
        verbose_name_plural = _("预警记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.get_action_display()}"


class AlertRun(models.Model):
    """One evaluation of every enabled rule over the park: what it found and what it changed."""

    as_of = models.DateField(_("基准日"))
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    seconds = models.FloatField(_("耗时(秒)"), default=0.0)
    hits = models.PositiveIntegerField(_("命中数"), default=0)
    opened = models.PositiveIntegerField(_("新增预警"), default=0)
    grouped = models.PositiveIntegerField(_("归并到已有预警"), default=0)
    notified = models.PositiveIntegerField(_("发出通知"), default=0)
    by_rule = models.JSONField(_("按规则"), default=dict, blank=True)

    class Meta:
        verbose_name = _("预警运行")
        verbose_name_plural = _("预警运行")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.as_of} {self.hits}"


class BuildingPosition(models.Model):
    """Where a building sits on the park map (grid units); buildings without one are laid out by zone."""

    building = models.OneToOneField(
        "enterprises.Building",
        on_delete=models.CASCADE,
        related_name="map_position",
        verbose_name=_("楼宇地块"),
    )
    x = models.FloatField(_("横坐标"))
    y = models.FloatField(_("纵坐标"))

    class Meta:
        verbose_name = _("楼宇地图位置")
        verbose_name_plural = _("楼宇地图位置")

    def __str__(self) -> str:
        return f"{self.building} ({self.x}, {self.y})"
