"""Risk early warning: staff-configured rules, the alerts they raise, and each alert's history.

An alert is about one subject: an enterprise (subject and chain rules) or a region (region rules:
a zone, plot, building, industry or cluster). Both kinds share one table, so the lifecycle, list,
assignment, snooze, digest and notifications serve them alike; a check constraint keeps exactly one
subject per alert.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


class RegionLevel(models.TextChoices):
    # A context of their own: elsewhere "楼宇" heads a list of buildings; here it names one level.
    ZONE = "zone", pgettext_lazy("region level", "片区")
    PLOT = "plot", pgettext_lazy("region level", "地块")
    BUILDING = "building", pgettext_lazy("region level", "楼宇")
    INDUSTRY = "industry", pgettext_lazy("region level", "行业")
    CLUSTER = "cluster", pgettext_lazy("region level", "产业集群")


class SubjectType(models.TextChoices):
    """What an alert is about, as the list filters it: the rule family's dimension."""

    ENTERPRISE = "enterprise", _("企业")
    CHAIN = "chain", _("产业链")
    REGION = "region", _("区域")


class AlertRule(models.Model):
    """One configured check: a rule family with its thresholds, severity and who gets told.

    `code` is stable: an enterprise (or region) has at most one open alert per rule. `due_workdays`
    sets the handling deadline of new alerts in working days; `department` is where they are
    assigned and whose staff are told; `recipients` are park staff told in addition.
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
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指定接收人"),
        blank=True,
        related_name="alert_rules_received",
        limit_choices_to={"role__in": ["park_admin", "dept_staff", "inspector"]},
    )
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

    @property
    def is_region(self) -> bool:
        return self.family == "region"


class AlertState(models.TextChoices):
    OPEN = "open", _("待确认")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    HANDLING = "handling", _("处置中")
    CLOSED = "closed", _("已关闭")


class AlertQuerySet(models.QuerySet["Alert"]):
    def visible_to(self, actor: object) -> AlertQuerySet:
        """Alerts are park work: park roles see them all, everyone else none.

        Region alerts in particular stay with park staff: they compare many enterprises at once,
        so no enterprise or bank account may ever see one, whatever becomes of enterprise alerts.
        """
        from parkcredit.accounts.models import PARK_ROLES

        if not getattr(actor, "is_authenticated", False) or getattr(actor, "role", None) not in PARK_ROLES:
            return self.none()
        return self.all()

    def still_open(self) -> AlertQuerySet:
        return self.exclude(state=AlertState.CLOSED)

    def of_subject(self, subject: str) -> AlertQuerySet:
        """Enterprise (subject rules), chain or region alerts; anything else leaves the rows as they are."""
        if subject == SubjectType.REGION:
            return self.filter(enterprise__isnull=True)
        if subject == SubjectType.CHAIN:
            return self.filter(rule__family="chain")
        if subject == SubjectType.ENTERPRISE:
            return self.filter(enterprise__isnull=False).exclude(rule__family="chain")
        return self


class Alert(models.Model):
    """A warning about one enterprise or one region from one rule, followed up until closed.

    Later hits of the same rule while the alert is open are grouped into it (`hit_count`, an
    AlertEvent each) instead of opening a new one; database constraints keep it to one open alert
    per rule and enterprise, and per rule and region (`region_level` + `region_key`). Exactly one
    subject is set: `enterprise`, or the region fields.

    A region alert whose region has fallen back under the thresholds stays open until staff close
    it; the run records that in `cleared_at` ("condition cleared") and clears it again if the
    region crosses a threshold anew.
    """

    rule = models.ForeignKey(
        AlertRule, verbose_name=_("规则"), on_delete=models.PROTECT, related_name="alerts"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    region_level = models.CharField(
        _("区域层级"), max_length=16, choices=RegionLevel.choices, blank=True, default=""
    )
    region_key = models.CharField(_("区域"), max_length=100, blank=True, default="")
    region_label = models.CharField(_("区域名称"), max_length=200, blank=True, default="")
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
    cleared_at = models.DateTimeField(_("条件解除时间"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-opened_at", "-id"]
        constraints = [
            # Region alerts have no enterprise; NULLs never collide here (SQLite and PostgreSQL).
            models.UniqueConstraint(
                fields=["rule", "enterprise"], condition=~Q(state="closed"), name="alert_one_open_per_rule"
            ),
            models.UniqueConstraint(
                fields=["rule", "region_level", "region_key"],
                condition=~Q(state="closed") & Q(enterprise__isnull=True),
                name="alert_one_open_per_rule_region",
            ),
            models.CheckConstraint(
                condition=(Q(enterprise__isnull=False) & Q(region_level="") & Q(region_key=""))
                | (Q(enterprise__isnull=True) & ~Q(region_level="") & ~Q(region_key="")),
                name="alert_exactly_one_subject",
            ),
        ]
        indexes = [models.Index(fields=["state", "severity"], name="alert_state_severity")]

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.rule}"

    @property
    def is_region(self) -> bool:
        return self.enterprise_id is None

    @property
    def subject_type(self) -> str:
        if self.is_region:
            return SubjectType.REGION
        return SubjectType.CHAIN if self.rule.family == "chain" else SubjectType.ENTERPRISE

    @property
    def subject_name(self) -> str:
        """The enterprise's name, or the region as "楼宇 A1栋" (level, then its label)."""
        if self.enterprise is not None:
            return self.enterprise.name
        return f"{self.get_region_level_display()} {self.region_label or self.region_key}"

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
    CLEARED = "cleared", _("条件已解除")


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
    cleared = models.PositiveIntegerField(_("条件解除"), default=0)
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
