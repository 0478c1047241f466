"""Red and black lists (红黑名单) that the park publishes on the public portal.

A list is drafted by park staff, filled with entries (an enterprise and the reason it is listed),
published by a park administrator and, if need be, withdrawn. Published lists are never edited:
a correction is a withdrawal plus a new list. All writes go through `parkcredit.portal.services`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parkcredit.enterprises.models import Enterprise


class ListKind(models.TextChoices):
    RED = "red", _("红名单(守信激励)")
    BLACK = "black", _("黑名单(失信惩戒)")


class ListState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class PublishedListQuerySet(models.QuerySet["PublishedList"]):
    def public(self) -> PublishedListQuerySet:
        """Lists the public may read: published and not withdrawn."""
        return self.filter(published_at__isnull=False, withdrawn_at__isnull=True)

    def visible_to(self, actor: Any) -> PublishedListQuerySet:
        """Park staff see every list including drafts and withdrawn ones; everyone else the public ones."""
        from parkcredit.accounts.models import PARK_ROLES

        if getattr(actor, "is_authenticated", False) and actor.is_active and actor.role in PARK_ROLES:
            return self.all()
        return self.public()


class PublishedList(models.Model):
    """One red or black list for a period (e.g. 2026 年第四季度), drafted, published, maybe withdrawn."""

    kind = models.CharField(_("名单类型"), max_length=8, choices=ListKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    period = models.CharField(_("所属期间"), max_length=64)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("起草人"),
    )
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发布人"),
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("撤回人"),
    )
    withdrawn_reason = models.CharField(_("撤回原因"), max_length=300, blank=True)

    objects = PublishedListQuerySet.as_manager()

    class Meta:
        verbose_name = _("红黑名单")
        verbose_name_plural = _("红黑名单")
        ordering = ["-published_at", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def state(self) -> str:
        if self.withdrawn_at is not None:
            return ListState.WITHDRAWN
        if self.published_at is not None:
            return ListState.PUBLISHED
        return ListState.DRAFT

    def get_state_display(self) -> str:
        return str(ListState(self.state).label)

    @property
    def is_draft(self) -> bool:
        return self.state == ListState.DRAFT


class ListEntry(models.Model):
    """One enterprise on a list, with the reason it is listed (shown to the public)."""

    published_list = models.ForeignKey(
        PublishedList, on_delete=models.CASCADE, related_name="entries", verbose_name=_("名单")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="list_entries", verbose_name=_("企业")
    )
    reason = models.CharField(_("列入理由"), max_length=300)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("添加人"),
    )
    added_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("名单条目")
        verbose_name_plural = _("名单条目")
        ordering = ["enterprise__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["published_list", "enterprise"], name="portal_list_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.published_list} · {self.enterprise}"
