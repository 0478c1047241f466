"""Credit repair (信用修复) data kept by the park: repair rule set versions and calendar days.

Rule sets are never edited in place: staff save a new version (a draft), a second person of the
park approves it, and the newest approved version for an effective date is the one in force. The
built-in national rule sets (`creditcore.repair_rules`) stay the default underneath.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("休息日(放假)")
    WORKDAY = "workday", _("工作日(调休上班)")


class CalendarDay(models.Model):
    """A staff-maintained day that overrides the holiday package (e.g. a new year's notice).

    One row per date; removing a day is audited like adding one.
    """

    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    basis = models.CharField(_("依据(通知文号)"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("园区工作日历")
        verbose_name_plural = _("园区工作日历")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()}"


class RuleSetState(models.TextChoices):
    DRAFT = "draft", _("待审核")
    APPROVED = "approved", _("已生效")
    REJECTED = "rejected", _("已驳回")


class RepairRuleSet(models.Model):
    """One version of a repair rule set (修复规则集), as data.

    `rules` is the whole set in the `creditcore.repair` JSON shape (code, name, effective_from,
    citation, transition, rules[]); `effective_from` repeats its date for queries. A new version
    `supersedes` the one it was based on; nothing here is updated after approval.
    """

    effective_from = models.DateField(_("生效日期"))
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=200)
    rules = models.JSONField(_("规则(数据)"))
    note = models.CharField(_("修订说明"), max_length=500)
    state = models.CharField(
        _("状态"), max_length=16, choices=RuleSetState.choices, default=RuleSetState.DRAFT
    )
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("基于版本")
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("修复规则集")
        verbose_name_plural = _("修复规则集")
        ordering = ["-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["effective_from", "version"], name="repair_ruleset_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def approved(self) -> bool:
        return self.state == RuleSetState.APPROVED


# Repair applications, their steps, materials and reminders (the repair-workflow part of the app).
from parkcredit.repair.workflow.models import *  # noqa: E402, F403
