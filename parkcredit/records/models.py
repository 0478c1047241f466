"""The credit ledger: the record kind catalogue, sources, immutable records and their events,
park observations and enterprise-to-enterprise relations.

Rows here are facts. `CreditRecord` and `RecordEvent` are append-only: a correction, a repair or
a withdrawal is a new `RecordEvent`, never an edit, so any past state can be recomputed.
All writes go through `parkcredit.records.services`.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from creditcore.catalogue import CATEGORY_LABELS, METRICS, RELATION_LABELS, Category, Polarity, Severity
from creditcore.ledger import EVENT_LABELS, EventType
from parkcredit.enterprises.models import Enterprise

CATEGORY_CHOICES = [(c.value, CATEGORY_LABELS[c]) for c in Category]
POLARITY_CHOICES = [
    (Polarity.NEGATIVE.value, _("失信(负面)")),
    (Polarity.POSITIVE.value, _("守信(正面)")),
    (Polarity.NEUTRAL.value, _("中性")),
]
SEVERITY_CHOICES = [
    (Severity.MINOR.value, _("轻微")),
    (Severity.GENERAL.value, _("一般")),
    (Severity.SERIOUS.value, _("严重")),
]
EVENT_CHOICES = [(e.value, EVENT_LABELS[e]) for e in EventType]
METRIC_CHOICES = [(m.code, m.name) for m in METRICS]
RELATION_CHOICES = [(r.value, label) for r, label in RELATION_LABELS.items()]


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Bulk update and delete are refused: ledger rows are never changed in place."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("账本记录只能追加,不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("账本记录只能追加,不能删除")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("账本记录只能追加,不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("账本记录只能追加,不能删除")


class RecordKind(models.Model):
    """An entry of the data-driven catalogue of what is collected (信息资源目录).

    Seeded from `creditcore.catalogue.RECORD_KINDS`; staff may add kinds in the admin. The
    publicity and repair rule keys point into the versioned repair rule sets.
    """

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    category = models.CharField(_("目录分类"), max_length=32, choices=CATEGORY_CHOICES)
    polarity = models.CharField(_("性质"), max_length=16, choices=POLARITY_CHOICES)
    severities = models.JSONField(_("失信程度"), default=list, blank=True)
    has_amount = models.BooleanField(_("含金额"), default=False)
    payload_fields = models.JSONField(_("信息项"), default=list, blank=True)
    publicity_rule = models.CharField(_("公示规则"), max_length=64, blank=True)
    repair_rule = models.CharField(_("修复规则"), max_length=64, blank=True)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("信息资源目录")
        verbose_name_plural = _("信息资源目录")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name


class DataSourceKind(models.TextChoices):
    PUBLIC_PLATFORM = "public_platform", _("公共信用信息平台")
    DEPARTMENT = "department", _("政府部门")
    COURT = "court", _("司法机关")
    PARK = "park", _("园区自有数据")
    INTEGRATION = "integration", _("系统接口")
    SYNTHETIC = "synthetic", _("演示数据")


class DataSource(models.Model):
    """Where records come from: a platform, a department, the park itself or an integration."""

    code = models.SlugField(_("编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=DataSourceKind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="sources"
    )

    class Meta:
        verbose_name = _("数据来源")
        verbose_name_plural = _("数据来源")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    REFUSED = "refused", _("已拒绝(严格模式)")
    FAILED = "failed", _("失败")
    UNDONE = "undone", _("已撤销")


def empty_counts() -> dict[str, int]:
    return {"new": 0, "duplicate": 0, "corrected": 0, "revoked": 0, "error": 0, "unmatched": 0}


class ImportBatch(models.Model):
    """One import of one file or API call: every record it wrote points back to it.

    The batch row carries the file's identity (name, SHA-256, size, format, encoding), the
    outcome counts and the error file (the rejected rows in the original layout plus 错误原因).
    An `idempotency_key` makes an API call safe to repeat: the same key from the same user
    returns this batch's report instead of importing again.
    """

    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="batches")
    label = models.CharField(_("批次说明"), max_length=200)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="import_batches"
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    rows_written = models.PositiveIntegerField(_("写入行数"), default=0)
    profile = models.CharField(_("导入模板"), max_length=32, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("文件 SHA-256"), max_length=64, blank=True)
    file_size = models.PositiveBigIntegerField(_("文件大小(字节)"), default=0)
    file_format = models.CharField(_("文件格式"), max_length=16, blank=True)
    encoding = models.CharField(_("文件编码"), max_length=32, blank=True)
    strict = models.BooleanField(_("严格模式"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.DONE)
    counts = models.JSONField(_("结果统计"), default=empty_counts, blank=True)
    errors = models.JSONField(_("错误摘要(前若干行)"), default=list, blank=True)
    error_file = models.BinaryField(_("错误文件"), null=True, blank=True)
    error_file_name = models.CharField(_("错误文件名"), max_length=255, blank=True)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    # Ids of the observations, relations and enterprises the batch wrote, for undo.
    written = models.JSONField(_("写入对象"), default=dict, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=128, blank=True)
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_batches"
    )
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="import_batch_idempotency_unique",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def has_error_file(self) -> bool:
        return bool(self.error_file_name)


class UnmatchedState(models.TextChoices):
    PENDING = "pending", _("待关联")
    LINKED = "linked", _("已关联")
    CREATED = "created", _("已新建主体")


class UnmatchedRow(models.Model):
    """A valid imported row whose subject is not in the archive (待关联队列).

    Nothing is dropped: the parsed fields and the original columns wait here until staff link
    the row to an existing enterprise or create the subject; then the row is written and
    `result` says what was written. A name match is only ever offered as a suggestion.
    """

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="unmatched_rows")
    number = models.PositiveIntegerField(_("行号"))
    profile = models.CharField(_("导入模板"), max_length=32)
    uscc = models.CharField(_("统一社会信用代码"), max_length=32, blank=True)
    subject_name = models.CharField(_("主体名称"), max_length=200, blank=True)
    parsed = models.JSONField(_("解析结果"), default=dict, blank=True)
    payload = models.JSONField(_("原始信息项"), default=dict, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=UnmatchedState.choices, default=UnmatchedState.PENDING
    )
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="unmatched_rows"
    )
    resolved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    result = models.JSONField(_("处理结果"), default=dict, blank=True)
    created_at = models.DateTimeField(_("入队时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待关联数据")
        verbose_name_plural = _("待关联数据")
        ordering = ["state", "-created_at", "number"]
        indexes = [models.Index(fields=["state", "uscc"])]

    def __str__(self) -> str:
        return f"{self.subject_name or self.uscc} (#{self.number})"


class CreditRecordQuerySet(AppendOnlyQuerySet):
    def visible_to(self, actor: Any) -> CreditRecordQuerySet:
        """Records of the enterprises the actor may see (the same scope as the archive)."""
        return self.filter(enterprise__in=Enterprise.objects.visible_to(actor))


class CreditRecord(AppendOnlyModel):
    """One credit fact about one enterprise, immutable once written.

    `source_ref` (e.g. 行政处罚决定书文号) is unique per source and kind, which makes re-imports
    idempotent. Amounts are in yuan as `Decimal`; the raw source fields stay in `payload`.
    """

    # No single-column indexes on these three: the composite indexes below start with each of
    # them (enterprise + decided_on, kind + decided_on, the unique source + kind + ref + version),
    # and every extra index is maintained for each of a million imported rows.
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="records", db_index=False
    )
    kind = models.ForeignKey(RecordKind, on_delete=models.PROTECT, related_name="records", db_index=False)
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="records", db_index=False)
    source_ref = models.CharField(_("来源编号(文号)"), max_length=128)
    severity = models.CharField(_("失信程度"), max_length=16, choices=SEVERITY_CHOICES, blank=True)
    occurred_on = models.DateField(_("发生日期"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"))
    amount = models.DecimalField(_("金额(元)"), max_digits=18, decimal_places=2, null=True, blank=True)
    authority = models.CharField(_("作出机关"), max_length=200, blank=True)
    summary = models.CharField(_("摘要"), max_length=500, blank=True)
    payload = models.JSONField(_("原始信息项"), default=dict, blank=True)
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    # A correction never edits a row: it adds the next version and retires this one with a
    # `corrected` event. The current version of a fact is the one nobody supersedes.
    version = models.PositiveIntegerField(_("版本"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("更正的原记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    created_at = models.DateTimeField(_("入账时间"), auto_now_add=True)
    # Nothing looks records up by their author (users are deactivated, not deleted), so no index.
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    objects = CreditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_ref", "version"], name="record_source_ref_version_unique"
            )
        ]
        indexes = [
            models.Index(fields=["enterprise", "decided_on"]),
            models.Index(fields=["kind", "decided_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_ref}"


class RecordEvent(AppendOnlyModel):
    """An append-only status change of a record; the record's status is the fold of these."""

    record = models.ForeignKey(CreditRecord, on_delete=models.PROTECT, related_name="events")
    event_type = models.CharField(_("事件"), max_length=32, choices=EVENT_CHOICES)
    at = models.DateTimeField(_("生效时间"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    payload = models.JSONField(_("内容"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("记录事件")
        verbose_name_plural = _("记录事件")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.record} {self.get_event_type_display()}"


class Observation(models.Model):
    """A park management observation: a bill, a meter reading, a statistic or a safety check.

    One row per enterprise, metric, period and source. Bills carry `due_on` and `settled_on`
    (paid, or for safety findings rectified), from which payment behaviour is derived.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="observations")
    metric = models.CharField(_("指标"), max_length=32, choices=METRIC_CHOICES)
    period = models.DateField(_("期间(月初)"))
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=2)
    due_on = models.DateField(_("到期日"), null=True, blank=True)
    settled_on = models.DateField(_("结清日"), null=True, blank=True)
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="observations")
    payload = models.JSONField(_("原始信息项"), default=dict, blank=True)
    created_at = models.DateTimeField(_("入账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("园区观测数据")
        verbose_name_plural = _("园区观测数据")
        ordering = ["enterprise", "metric", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "metric", "period", "source"], name="observation_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_metric_display()} {self.period:%Y-%m}"


class Relation(models.Model):
    """A link between two enterprises (supplier, customer, guarantor, shared controller or premises).

    `weight` in [0, 1] says how dependent `enterprise` is on `counterparty`.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="relations")
    counterparty = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="reverse_relations")
    relation_type = models.CharField(_("关系类型"), max_length=32, choices=RELATION_CHOICES)
    weight = models.DecimalField(_("依赖度"), max_digits=5, decimal_places=4)
    valid_from = models.DateField(_("起始日期"), null=True, blank=True)
    valid_to = models.DateField(_("终止日期"), null=True, blank=True)
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="relations")

    class Meta:
        verbose_name = _("企业关联关系")
        verbose_name_plural = _("企业关联关系")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "counterparty", "relation_type", "valid_from"], name="relation_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(enterprise=models.F("counterparty")), name="relation_not_self"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0, weight__lte=1), name="relation_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.counterparty} ({self.get_relation_type_display()})"
