"""Credit commitments (信用承诺): staff-maintained templates, signed commitments and their history.

A template is versioned: revising it adds the next version and retires the previous one, so a
signed commitment always points at the exact version it was made from. The commitment itself
freezes the text the signer confirmed, with its SM3 digest, and the conditions the fulfilment
check verifies. The committing party is an enterprise, or — for government integrity (政务诚信)
commitments — a park department.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parkcredit.accounts.models import PARK_ROLES, Role
from parkcredit.enterprises.models import Enterprise


class Scenario(models.TextChoices):
    REGISTRATION = "registration", _("市场主体登记")
    APPROVAL = "approval", _("行政审批告知承诺")
    CONSTRUCTION = "construction", _("项目建设")
    POLICY = "policy", _("政策申报")
    REPAIR = "repair", _("信用修复")
    GOVERNMENT = "government", _("政务诚信")


class CommitmentStatus(models.TextChoices):
    IN_FORCE = "in_force", _("履约中")
    FULFILLED = "fulfilled", _("已履约")
    BREACHED = "breached", _("已违诺")
    EXPIRED = "expired", _("已到期")


class BreachSeverity(models.TextChoices):
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("严重")


class CommitmentTemplate(models.Model):
    """One version of a commitment template for a scenario: text, conditions and period.

    `code` names the template across versions; exactly one version per code is current
    (`is_current`). The body may use the placeholders {主体名称}, {统一社会信用代码}, {签署日期},
    {承诺期限} and {承诺事项}; the conditions (JSON, see `creditcore.commitments`) are what the
    fulfilment check verifies, and their sentences are appended to the frozen text.
    """

    code = models.SlugField(_("模板编码"), max_length=64)
    version = models.PositiveIntegerField(_("版本"), default=1)
    scenario = models.CharField(_("适用场景"), max_length=32, choices=Scenario.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("承诺书正文"))
    conditions = models.JSONField(_("履约条件"), default=list, blank=True)
    period_months = models.PositiveSmallIntegerField(_("承诺期限(月)"), default=12)
    breach_severity = models.CharField(
        _("违诺失信程度"), max_length=16, choices=BreachSeverity.choices, default=BreachSeverity.GENERAL
    )
    public_default = models.BooleanField(_("默认向社会公开"), default=True)
    is_current = models.BooleanField(_("当前版本"), default=True)
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("信用承诺模板")
        verbose_name_plural = _("信用承诺模板")
        ordering = ["scenario", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="commitment_template_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(is_current=True), name="commitment_template_one_current"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(title)s(第 %(version)s 版)") % {"title": self.title, "version": self.version}

    @property
    def is_government(self) -> bool:
        return self.scenario == Scenario.GOVERNMENT


class CommitmentQuerySet(models.QuerySet["Commitment"]):
    def visible_to(self, actor: Any) -> CommitmentQuerySet:
        """Commitments the actor may open: park roles all; others those of enterprises they see.

        Government commitments belong to the park: park roles see them here, everyone else
        through the public list (when they are public).
        """
        if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
            return self.none()
        if actor.role in PARK_ROLES:
            return self.all()
        if actor.role in (Role.ENTERPRISE, Role.BANK):
            return self.filter(enterprise__in=Enterprise.objects.visible_to(actor))
        return self.none()

    def public(self) -> CommitmentQuerySet:
        return self.filter(is_public=True)

    def signed_with(self, actor: Any, token: str) -> CommitmentQuerySet:
        """The commitment `actor` signed from the confirmation page that carried `token` (at most one)."""
        if not token or getattr(actor, "pk", None) is None:
            return self.none()
        return self.filter(signer_id=actor.pk, sign_token=token)


class Commitment(models.Model):
    """A signed credit commitment: the frozen text, its SM3 digest, period, status and links.

    Exactly one of `enterprise` and `organisation` (a park department, for 政务诚信) is the
    committing party. `conditions` and `deadlines` are frozen at signing, so revising the
    template never changes what an existing commitment promised. `sign_token` is the one-time
    token of the page it was signed from: the confirmation page, or the repair application page
    (the application keeps the same token). Empty when signed without one (the demo, window
    registrations). Submitting that page again finds this row.
    """

    number = models.CharField(_("承诺编号"), max_length=32, unique=True)
    template = models.ForeignKey(
        CommitmentTemplate, verbose_name=_("模板"), on_delete=models.PROTECT, related_name="commitments"
    )
    scenario = models.CharField(_("适用场景"), max_length=32, choices=Scenario.choices)
    title = models.CharField(_("标题"), max_length=200)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("承诺企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("承诺部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    party_name = models.CharField(_("承诺主体"), max_length=200)
    text = models.TextField(_("承诺书全文"))
    digest = models.CharField(_("SM3 摘要"), max_length=64)
    conditions = models.JSONField(_("履约条件"), default=list, blank=True)
    deadlines = models.JSONField(_("承诺事项期限"), default=dict, blank=True)
    scope = models.CharField(_("承诺事项"), max_length=300, blank=True)
    reference = models.CharField(_("关联事项编号"), max_length=100, blank=True)
    record = models.ForeignKey(
        "records.CreditRecord",
        verbose_name=_("关联信用记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer = models.ForeignKey(
        "accounts.User", verbose_name=_("签署人"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("签署时间"))
    valid_from = models.DateField(_("承诺期起"))
    valid_until = models.DateField(_("承诺期止"))
    is_public = models.BooleanField(_("向社会公开"), default=True)
    status = models.CharField(
        _("履约状态"), max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.IN_FORCE
    )
    status_on = models.DateField(_("状态变化日期"), null=True, blank=True)
    breach_reason = models.CharField(_("违诺情形"), max_length=500, blank=True)
    breach_record = models.ForeignKey(
        "records.CreditRecord",
        verbose_name=_("违诺失信记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kept_record = models.ForeignKey(
        "records.CreditRecord",
        verbose_name=_("履约记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_checked_on = models.DateField(_("最近核查日期"), null=True, blank=True)
    sign_token = models.CharField(_("签署页凭据"), max_length=64, blank=True, default="", editable=False)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用承诺")
        verbose_name_plural = _("信用承诺")
        ordering = ["-signed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(enterprise__isnull=False) & models.Q(organisation__isnull=True))
                | (models.Q(enterprise__isnull=True) & models.Q(organisation__isnull=False)),
                name="commitment_one_party",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")), name="commitment_period_order"
            ),
            # One confirmation page signs once: a double click or a re-sent form carries the same
            # token, and of two simultaneous requests the database lets exactly one insert. Only
            # the token is unique, not the content: the same template may rightly be signed again
            # (next year, for another project, per repair application).
            models.UniqueConstraint(
                fields=["signer", "sign_token"],
                condition=~models.Q(sign_token=""),
                name="commitment_sign_token_once",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "valid_from"]),
            models.Index(fields=["enterprise", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_government(self) -> bool:
        return self.organisation_id is not None

    @property
    def fulfilment(self) -> str:
        """A one-line Chinese account of how the commitment stands (public pages, contract C)."""
        if self.status == CommitmentStatus.BREACHED:
            if self.status_on is None:
                return gettext("已违诺")
            return gettext("%(day)s 认定违诺:%(reason)s") % {
                "day": f"{self.status_on:%Y-%m-%d}",
                "reason": self.breach_reason,
            }
        if self.status == CommitmentStatus.FULFILLED:
            return gettext("承诺期满(%(day)s),经核查已履约") % {"day": f"{self.valid_until:%Y-%m-%d}"}
        if self.status == CommitmentStatus.EXPIRED:
            return gettext("承诺期满(%(day)s)") % {"day": f"{self.valid_until:%Y-%m-%d}"}
        return gettext("承诺期至 %(day)s,履约中") % {"day": f"{self.valid_until:%Y-%m-%d}"}


class EventKind(models.TextChoices):
    SIGNED = "signed", _("签署")
    DELIVERED = "delivered", _("确认完成承诺事项")
    BREACHED = "breached", _("认定违诺")
    FULFILLED = "fulfilled", _("确认履约")
    EXPIRED = "expired", _("期满")


class CommitmentEvent(models.Model):
    """One step of a commitment's fulfilment history (signing, confirmations, the outcome)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事项"), max_length=16, choices=EventKind.choices)
    on = models.DateField(_("日期"))
    at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    detail = models.JSONField(_("依据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("承诺履约记录")
        verbose_name_plural = _("承诺履约记录")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.commitment.number} {self.get_kind_display()}"
