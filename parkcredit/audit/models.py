"""The audit log: append-only entries chained by HMAC-SM3, one per state change."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One audited action: who did what to which object, when, from where, with what outcome.

    `seq` is gap-free and `entry_hash` = HMAC-SM3(AUDIT_KEY, prev_hash | canonical fields), so
    altering, removing or inserting a row behind the application's back breaks the chain.
    Written only by `parkcredit.audit.services.audit_log`.
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    actor_label = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象标识"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=16, default="success")
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(_("前序摘要"), max_length=64)
    entry_hash = models.CharField(_("本条摘要"), max_length=64)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditChainHead(models.Model):
    """Singleton holding the last sequence number and hash.

    Writers lock this row, which serialises appends on every database; and a verifier compares
    the end of the chain with it, so deleting the newest rows is detected too.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.last_seq}"
