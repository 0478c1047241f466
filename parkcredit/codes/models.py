"""Enterprise credit codes (一企一码).

An `EnterpriseCode` is one signed token (see `creditcore.codesign`) issued to an enterprise for
its grade at the time. At most one code per enterprise is current (neither revoked nor
superseded); issuing a new one supersedes the old. All writes go through
`parkcredit.codes.services`.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from parkcredit.scoring.models import Colour, Grade


class CodeState(models.TextChoices):
    CURRENT = "current", _("有效")
    EXPIRED = "expired", _("已过期")
    REVOKED = "revoked", _("已撤销")
    SUPERSEDED = "superseded", _("已被新码取代")


class EnterpriseCode(models.Model):
    """One enterprise code (企业信用码): a signed token naming the enterprise, grade and validity.

    `serial` is the number signed into the token (equal to the primary key, assigned when the row
    is created); `token` the full signed text that the QR code carries as `/c/<token>`. `grade`
    and `colour` are copied from the enterprise's current score at issue. A code stops being
    current when it is revoked (`revoked_*`, with a reason) or superseded by a newer code
    (`superseded_at`, `superseded_by`); past `valid_until` it is expired.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="codes", verbose_name=_("企业")
    )
    serial = models.PositiveBigIntegerField(_("序列号"), unique=True, null=True, blank=True)
    token = models.CharField(_("信用码"), max_length=200, unique=True, null=True, blank=True)
    key_id = models.CharField(_("签名密钥标识"), max_length=16, blank=True)
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)
    colour = models.CharField(_("颜色"), max_length=8, choices=Colour.choices)
    score = models.ForeignKey(
        "scoring.Score",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("依据的评分"),
    )
    issued_at = models.DateTimeField(_("签发时间"))
    valid_until = models.DateTimeField(_("有效期至"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="codes_issued",
        verbose_name=_("签发人"),
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="codes_revoked",
        verbose_name=_("撤销人"),
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=500, blank=True)
    superseded_at = models.DateTimeField(_("被取代时间"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("取代它的新码"),
    )

    class Meta:
        verbose_name = _("企业信用码")
        verbose_name_plural = _("企业信用码")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(revoked_at__isnull=True, superseded_at__isnull=True),
                name="codes_one_current_per_enterprise",
            ),
        ]
        indexes = [models.Index(fields=["enterprise", "-issued_at"], name="codes_enterprise_issued")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} #{self.serial} {self.grade}"

    @property
    def url(self) -> str:
        """Absolute path of the public verification page, `/c/<token>`."""
        return reverse("codes:public", kwargs={"token": self.token})

    def state_at(self, moment: datetime) -> str:
        if self.revoked_at is not None:
            return CodeState.REVOKED
        if self.superseded_at is not None:
            return CodeState.SUPERSEDED
        if moment >= self.valid_until:
            return CodeState.EXPIRED
        return CodeState.CURRENT
