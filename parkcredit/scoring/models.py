"""Credit scoring: versioned indicator models, scoring runs and score snapshots.

A `ScoringModel` holds one version of a model spec (YAML, see `creditcore.scoring.spec`) and
walks draft -> simulated -> approved (by a second person) -> published -> retired. A
`ScoringRun` scores the park (full) or a few enterprises (incremental) as of a date with one
model; each run writes one `Score` per enterprise. The "current" score of an enterprise is the
one from the latest run of the published model (`is_current`). All writes go through
`parkcredit.scoring.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ModelState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SIMULATED = "simulated", _("已模拟")
    APPROVED = "approved", _("已审核")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class RunState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class RunKind(models.TextChoices):
    FULL = "full", _("全量评分")
    INCREMENTAL = "incremental", _("增量评分")


class Grade(models.TextChoices):
    A = "A", _("A 级(守信)")
    B = "B", _("B 级(基本守信)")
    C = "C", _("C 级(失信风险)")
    D = "D", _("D 级(严重失信)")


class Colour(models.TextChoices):
    GREEN = "green", _("绿色")
    YELLOW = "yellow", _("黄色")
    RED = "red", _("红色")
    BLACK = "black", _("黑色")


class ScoringModel(models.Model):
    """One version of a credit evaluation model (评价模型版本).

    `spec_yaml` is the full model spec; it is validated on creation and never edited once the
    version has left the draft state (a change is a new version). `simulation` keeps the result
    of the last simulation against the published model: the grade migration matrix
    (`{"matrix": {"A": {"A": n, ...}, ...}}`), score and grade distributions of both models, the
    as-of date and the number of enterprises. The approver must differ from the creator, and at
    most one version is published at a time.
    """

    code = models.SlugField(_("模型编码"), max_length=64)
    version = models.PositiveIntegerField(_("版本号"))
    name = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    spec_yaml = models.TextField(_("模型定义(YAML)"))
    state = models.CharField(_("状态"), max_length=16, choices=ModelState.choices, default=ModelState.DRAFT)
    base = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived",
        verbose_name=_("基于版本"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scoring_models_created",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    simulated_at = models.DateTimeField(_("模拟时间"), null=True, blank=True)
    simulation = models.JSONField(_("模拟结果"), default=dict, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scoring_models_approved",
        verbose_name=_("审核人"),
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scoring_models_published",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价模型")
        verbose_name_plural = _("评价模型")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="scoring_model_code_version_unique"),
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(state="published"),
                name="scoring_model_one_published",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(created_by__isnull=True)
                | ~Q(approved_by=F("created_by")),
                name="scoring_model_approver_not_creator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.state in {ModelState.DRAFT, ModelState.SIMULATED}


class ScoringRun(models.Model):
    """One pass of a model over the park (full) or over a few enterprises (incremental).

    `counts` holds the grade counts of the run (`{"A": n, "B": n, "C": n, "D": n}`) plus
    `duration_s` and the engine used; `enterprises` is the number of enterprises scored.
    """

    model = models.ForeignKey(
        ScoringModel, on_delete=models.PROTECT, related_name="runs", verbose_name=_("模型")
    )
    kind = models.CharField(_("类型"), max_length=16, choices=RunKind.choices, default=RunKind.FULL)
    as_of = models.DateField(_("评价基准日"))
    state = models.CharField(_("状态"), max_length=16, choices=RunState.choices, default=RunState.QUEUED)
    job = models.ForeignKey(
        "jobs.Job",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scoring_runs",
        verbose_name=_("后台任务"),
    )
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scoring_runs",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    enterprises = models.PositiveIntegerField(_("评分企业数"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    fingerprint = models.CharField(_("输入指纹"), max_length=64, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("评分批次")
        verbose_name_plural = _("评分批次")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "state", "-created_at"], name="scoring_run_kind_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.as_of:%Y-%m-%d} ({self.model})"


class Score(models.Model):
    """The credit score of one enterprise from one run (评分快照).

    `indicators` is a list of `{"code", "name", "dimension", "value", "points", "max_points",
    "missing", "evidence": [record ids]}`; `reasons` a list of `{"code", "name", "lost_points",
    "evidence": [record ids]}` (the indicators that cost most); `vetoes` and `caps` the codes of
    the overrides that applied. `fingerprint` is the SM3 digest of the enterprise's sorted
    inputs as of `as_of`, so a rerun on the same ledger can be checked to be identical.
    """

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="scores", verbose_name=_("企业")
    )
    run = models.ForeignKey(
        ScoringRun, on_delete=models.CASCADE, related_name="scores", verbose_name=_("评分批次")
    )
    model = models.ForeignKey(
        ScoringModel, on_delete=models.PROTECT, related_name="scores", verbose_name=_("模型")
    )
    as_of = models.DateField(_("评价基准日"))
    score = models.IntegerField(_("信用分"))
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)
    colour = models.CharField(_("颜色"), max_length=8, choices=Colour.choices)
    percentile = models.FloatField(_("园区百分位"), default=0.0)
    indicators = models.JSONField(_("指标明细"), default=list, blank=True)
    reasons = models.JSONField(_("扣分原因"), default=list, blank=True)
    vetoes = models.JSONField(_("否决项"), default=list, blank=True)
    caps = models.JSONField(_("封顶项"), default=list, blank=True)
    data_depth = models.FloatField(_("数据充分度"), default=0.0)
    fingerprint = models.CharField(_("输入指纹"), max_length=64)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    is_current = models.BooleanField(_("当前有效"), default=False)

    class Meta:
        verbose_name = _("信用评分")
        verbose_name_plural = _("信用评分")
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "enterprise"], name="scoring_score_run_enterprise_unique"),
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(is_current=True), name="scoring_score_one_current"
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "is_current"], name="scoring_score_ent_current"),
            models.Index(fields=["enterprise", "-as_of"], name="scoring_score_ent_asof"),
            # Percentiles of an incremental rescore count the park's current scores below a value.
            models.Index(
                fields=["score", "enterprise"],
                condition=Q(is_current=True),
                name="scoring_score_current_score",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.as_of:%Y-%m-%d} {self.grade} {self.score}"
