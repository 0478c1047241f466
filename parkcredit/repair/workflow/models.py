"""Repair applications (信用修复申请): the enterprise applies, the park routes and decides.

An application moves through three steps, each with a responsible department and a working-day
deadline: the acceptance window (受理窗口) of the credit office, the department that produced the
record (认定部门, 谁认定、谁修复) and the credit office's decision (信用办). Every step is a
`RepairStep` row, so who had it, by when, and who was late stays on file. Approval writes the
REPAIRED event on the record. These models belong to the `repair` app (imported by its models).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from creditcore.deadlines import RepairStep as Step
from parkcredit.objections.files import AttachedFile

__all__ = ["RepairApplication", "RepairMaterial", "RepairReminder", "RepairStep"]


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    REVIEWING = "reviewing", _("认定部门审核中")
    DECIDING = "deciding", _("信用办决定中")
    APPROVED = "approved", _("已修复")
    REJECTED = "rejected", _("未通过")


OPEN_STATES = (ApplicationState.SUBMITTED, ApplicationState.REVIEWING, ApplicationState.DECIDING)

STEP_CHOICES = [
    (Step.ACCEPTANCE.value, _("受理窗口受理")),
    (Step.REVIEW.value, _("认定部门审核")),
    (Step.DECISION.value, _("信用办决定")),
]


class StepOutcome(models.TextChoices):
    PASSED = "passed", _("通过")
    REJECTED = "rejected", _("不通过")


class RepairApplicationQuerySet(models.QuerySet["RepairApplication"]):
    def visible_to(self, actor: Any) -> RepairApplicationQuerySet:
        """Park roles see every application; an enterprise user its own enterprise's; others none."""
        from parkcredit.accounts.models import PARK_ROLES, Role

        if not getattr(actor, "is_authenticated", False) or not actor.is_active:
            return self.none()
        if actor.role in PARK_ROLES:
            return self.all()
        if actor.role == Role.ENTERPRISE and actor.enterprise_id is not None:
            return self.filter(enterprise_id=actor.enterprise_id)
        return self.none()

    def submitted_with(self, actor: Any, token: str) -> RepairApplicationQuerySet:
        """The application `actor` submitted from the application page that carried `token` (at most one)."""
        if not token or getattr(actor, "pk", None) is None:
            return self.none()
        return self.filter(submitted_by_id=actor.pk, submit_token=token)


class RepairApplication(models.Model):
    """One application to repair one record, with the signed credit commitment that goes with it.

    The commitment is signed through the commitments app (scenario "repair"); its text, SM3
    digest and signing moment are repeated here so the application reads on its own.
    `submit_token` is the one-time token of the application page it was submitted from (empty
    when submitted without one: the demo, tests): submitting that page again finds this row.
    """

    record = models.ForeignKey(
        "records.CreditRecord", on_delete=models.PROTECT, related_name="repair_applications"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="repair_applications"
    )
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("申请时间"))
    statement = models.TextField(_("整改情况说明"))
    commitment_text = models.TextField(_("信用承诺书"))
    commitment_digest = models.CharField(_("承诺书 SM3 摘要"), max_length=64)
    commitment_signed_at = models.DateTimeField(_("承诺签署时间"))
    commitment = models.ForeignKey(
        "commitments.Commitment",
        verbose_name=_("信用承诺"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repair_applications",
    )
    rule = models.CharField(_("适用修复规则"), max_length=300, blank=True)
    rule_set = models.CharField(_("适用规则集"), max_length=200, blank=True)
    # The procedure time limits of the rule set in force when the application was made.
    deadlines = models.JSONField(_("办理时限(工作日)"), default=dict, blank=True)
    earliest_repair = models.DateField(_("最早可修复日期"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED
    )
    review_org = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("认定部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(_("办理意见"), blank=True)
    submit_token = models.CharField(_("申请页凭据"), max_length=64, blank=True, default="", editable=False)

    objects = RepairApplicationQuerySet.as_manager()

    class Meta:
        app_label = "repair"
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=models.Q(state__in=["submitted", "reviewing", "deciding"]),
                name="repair_application_one_open_per_record",
            ),
            # One application page submits once: a double click or a re-sent form carries the
            # same token, and of two simultaneous requests the database lets exactly one insert.
            # This is not the business rule above (one open application per record), which also
            # refuses a second page; the token tells the two apart, so a repeat lands on its own
            # application instead of being refused.
            models.UniqueConstraint(
                fields=["submitted_by", "submit_token"],
                condition=~models.Q(submit_token=""),
                name="repair_application_submit_token_once",
            ),
        ]

    def __str__(self) -> str:
        return f"修复申请 #{self.pk} {self.record}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class RepairStep(models.Model):
    """One step of an application: who is responsible, by when, and how it ended."""

    application = models.ForeignKey(RepairApplication, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("环节"), max_length=16, choices=STEP_CHOICES)
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("责任部门"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("起算日期"))
    due_on = models.DateField(_("办理期限"))
    rule = models.CharField(_("时限依据"), max_length=200)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    finished_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("结果"), max_length=16, choices=StepOutcome.choices, blank=True)
    note = models.TextField(_("意见"), blank=True)

    class Meta:
        app_label = "repair"
        verbose_name = _("修复办理环节")
        verbose_name_plural = _("修复办理环节")
        ordering = ["application", "id"]
        indexes = [models.Index(fields=["finished_at", "due_on"])]

    def __str__(self) -> str:
        return f"{self.application} {self.get_step_display()}"


class RepairMaterial(AttachedFile):
    """A file the enterprise attached as proof of correction (整改证明材料)."""

    application = models.ForeignKey(RepairApplication, on_delete=models.CASCADE, related_name="materials")

    class Meta:
        app_label = "repair"
        verbose_name = _("修复申请材料")
        verbose_name_plural = _("修复申请材料")
        ordering = ["id"]


class RepairReminder(models.Model):
    """The repair reminder (信用唤醒) sent for a record; one per record, so it is sent once."""

    record = models.OneToOneField(
        "records.CreditRecord", on_delete=models.PROTECT, related_name="repair_reminder"
    )
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    earliest_repair = models.DateField(_("最早可修复日期"), null=True, blank=True)
    sent_at = models.DateTimeField(_("提醒时间"))
    recipients = models.PositiveIntegerField(_("提醒人数"), default=0)

    class Meta:
        app_label = "repair"
        verbose_name = _("信用修复提醒")
        verbose_name_plural = _("信用修复提醒")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.record} {self.sent_at:%Y-%m-%d}"
