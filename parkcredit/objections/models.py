"""Objections (异议): an enterprise contests one of its credit records.

The record is marked disputed at once (a DISPUTED ledger event, which freezes it from scoring),
the source department answers within the provincial time limit and its answer is a ledger event
too (DISPUTE_REJECTED reinstates the record, DISPUTE_UPHELD withdraws it). When the source corrects
the record instead (it re-sends the decision with changed content, which the import writes as a
CORRECTED event and a new version), the objection is closed as corrected.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from creditcore.deadlines import ObjectionTrack
from parkcredit.objections.files import AttachedFile


class ObjectionState(models.TextChoices):
    OPEN = "open", _("处理中")
    REJECTED = "rejected", _("异议不成立")
    UPHELD = "upheld", _("异议成立")
    CORRECTED = "corrected", _("已更正")


TRACK_CHOICES = [
    (ObjectionTrack.ORDINARY.value, _("一般情形(3个工作日)")),
    (ObjectionTrack.VERIFY.value, _("需信息提供单位核实(7个工作日)")),
]


class ObjectionQuerySet(models.QuerySet["Objection"]):
    def visible_to(self, actor: Any) -> ObjectionQuerySet:
        """Park roles see every objection; an enterprise user those of its enterprise; others none."""
        from parkcredit.accounts.models import PARK_ROLES, Role

        if not getattr(actor, "is_authenticated", False) or not actor.is_active:
            return self.none()
        if actor.role in PARK_ROLES:
            return self.all()
        if actor.role == Role.ENTERPRISE and actor.enterprise_id is not None:
            return self.filter(enterprise_id=actor.enterprise_id)
        return self.none()

    def submitted_with(self, actor: Any, token: str) -> ObjectionQuerySet:
        """The objection `actor` submitted from the objection page that carried `token` (at most one)."""
        if not token or getattr(actor, "pk", None) is None:
            return self.none()
        return self.filter(submitted_by_id=actor.pk, submit_token=token)


class Objection(models.Model):
    """One objection to one record, with its time limit and the department that must answer.

    `submit_token` is the one-time token of the objection page it was submitted from (empty when
    submitted without one: the demo, tests): submitting that page again finds this row. A staff
    action page carries the `track` it showed, so sending it again is recognised by what changed
    (see `services.ObjectionAlreadyHandled`).
    """

    record = models.ForeignKey("records.CreditRecord", on_delete=models.PROTECT, related_name="objections")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="objections"
    )
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提出时间"))
    reasons = models.TextField(_("异议理由"))
    track = models.CharField(
        _("处理时限"), max_length=16, choices=TRACK_CHOICES, default=ObjectionTrack.ORDINARY.value
    )
    due_on = models.DateField(_("办理期限"))
    responsible = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("承办部门"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=ObjectionState.choices, default=ObjectionState.OPEN
    )
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_note = models.TextField(_("处理意见"), blank=True)
    submit_token = models.CharField(_("异议页凭据"), max_length=64, blank=True, default="", editable=False)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("异议申请")
        verbose_name_plural = _("异议申请")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"], condition=models.Q(state="open"), name="objection_one_open_per_record"
            ),
            # One objection page submits once: a double click or a re-sent form carries the same
            # token, and of two simultaneous requests the database lets exactly one insert. This
            # is not the business rule above (one open objection per record), which also refuses
            # a second page; the token tells the two apart, so a repeat lands on its own objection.
            models.UniqueConstraint(
                fields=["submitted_by", "submit_token"],
                condition=~models.Q(submit_token=""),
                name="objection_submit_token_once",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_on"])]

    def __str__(self) -> str:
        return f"异议 #{self.pk} {self.record}"

    @property
    def is_open(self) -> bool:
        return self.state == ObjectionState.OPEN


class ObjectionEvidence(AttachedFile):
    """A file the enterprise attached to its objection as evidence."""

    objection = models.ForeignKey(Objection, on_delete=models.PROTECT, related_name="evidence")

    class Meta:
        verbose_name = _("异议证明材料")
        verbose_name_plural = _("异议证明材料")
        ordering = ["id"]
