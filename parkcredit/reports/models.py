"""Credit reports (信用报告): signed PDF snapshots of an enterprise's credit standing.

A `CreditReport` keeps the exact PDF bytes it was signed over, so every later download of the same
report number is the same document and anyone can check a copy against the stored SM3 digest on
the public verification page. Every download is a `ReportDownload` row (and an audit entry).
All writes go through `parkcredit.reports.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportSequence(models.Model):
    """The last report number handed out in one year (report numbers restart every year).

    A row per year, locked while a number is taken, so two reports never get the same number and
    numbers have no gaps from races (a rolled-back generation leaves its number unused, which is
    fine: numbers only need to be unique and readable).
    """

    year = models.PositiveIntegerField(_("年度"), primary_key=True)
    last = models.PositiveIntegerField(_("最后编号"), default=0)

    class Meta:
        verbose_name = _("报告编号序列")
        verbose_name_plural = _("报告编号序列")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CreditReport(models.Model):
    """One generated credit report of an enterprise (企业信用报告).

    The enterprise's name, USCC and its grade and score are copied in as they were when the report
    was made: the archive and the scores move on, the report does not. `digest` is the SM3 digest
    of `pdf`; `signature` is the park's SM2 signature over (report_no, uscc, grade, digest) as
    built by `parkcredit.reports.signing.signed_message`.
    """

    report_no = models.CharField(_("报告编号"), max_length=32, unique=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.PROTECT,
        related_name="credit_reports",
        verbose_name=_("企业"),
    )
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_reports_generated",
        verbose_name=_("生成人"),
    )
    generated_at = models.DateTimeField(_("生成时间"))
    as_of = models.DateField(_("数据截至"))
    score = models.ForeignKey(
        "scoring.Score",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credit_reports",
        verbose_name=_("所用评分"),
    )
    grade = models.CharField(_("等级"), max_length=1, blank=True)
    colour = models.CharField(_("颜色"), max_length=8, blank=True)
    score_value = models.IntegerField(_("信用分"), null=True, blank=True)
    score_as_of = models.DateField(_("评价基准日"), null=True, blank=True)
    digest = models.CharField(_("文件摘要(SM3)"), max_length=64)
    signature = models.TextField(_("园区签名"))
    pdf = models.BinaryField(_("报告文件"))
    size = models.PositiveIntegerField(_("文件大小(字节)"))
    generation_ms = models.PositiveIntegerField(_("生成耗时(毫秒)"), default=0)

    class Meta:
        verbose_name = _("信用报告")
        verbose_name_plural = _("信用报告")
        ordering = ["-generated_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "-generated_at"], name="reports_ent_generated")]

    def __str__(self) -> str:
        return self.report_no

    @property
    def file_name(self) -> str:
        return f"{self.report_no}.pdf"


class ReportDownload(models.Model):
    """One download of a credit report: who, when and from which address."""

    report = models.ForeignKey(
        CreditReport, on_delete=models.PROTECT, related_name="downloads", verbose_name=_("报告")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_downloads",
        verbose_name=_("下载人"),
    )
    at = models.DateTimeField(_("下载时间"))
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("报告下载记录")
        verbose_name_plural = _("报告下载记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.at:%Y-%m-%d %H:%M}"
