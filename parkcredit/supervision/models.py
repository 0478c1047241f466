"""双随机一公开: the item list, the inspector directory, plans, their verifiable draws and results.

The target directory (检查对象名录库) is not a table: it is the park's enterprises with their
current grade and tags, frozen into a plan's `Draw` when the plan is committed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GRADE_KEYS = ("A", "B", "C", "D")


def default_ratios() -> dict[str, str]:
    """Henan's 2021 provincial ratios by risk class in percent (domain reference §1.2)."""
    return {"A": "1", "B": "2", "C": "10", "D": "30"}


def default_frequencies() -> dict[str, int]:
    return {"A": 1, "B": 1, "C": 2, "D": 4}


class InspectionMethod(models.TextChoices):
    ON_SITE = "on_site", _("现场检查")
    DOCUMENT = "document", _("书面检查")
    ONLINE = "online", _("网络监测")


class InspectionItem(models.Model):
    """One entry of the inspection item list (抽查事项清单): what may be checked, by whom, how often.

    `ratios` are the default sampling ratios per grade in percent and `frequencies` the most
    checks per year per grade; a plan copies the ratios as its defaults. `problem_kind` is the
    ledger record kind a problem found under this item becomes.
    """

    code = models.SlugField(_("事项编码"), max_length=64, unique=True)
    name = models.CharField(_("抽查事项"), max_length=200)
    basis = models.CharField(_("抽查依据"), max_length=300)
    department = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("抽查部门"),
        on_delete=models.PROTECT,
        related_name="inspection_items",
    )
    method = models.CharField(_("抽查方式"), max_length=16, choices=InspectionMethod.choices)
    is_key = models.BooleanField(_("重点检查事项"), default=False)
    ratios = models.JSONField(_("各等级默认抽查比例(%)"), default=default_ratios)
    frequencies = models.JSONField(_("各等级每年最多抽查次数"), default=default_frequencies)
    problem_kind = models.CharField(_("发现问题时的记录类型"), max_length=64, default="park-safety-hazard")
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("抽查事项")
        verbose_name_plural = _("抽查事项清单")
        ordering = ["department_id", "code"]

    def __str__(self) -> str:
        return self.name


class Inspector(models.Model):
    """One entry of the inspector directory (执法检查人员名录库).

    `qualifications` are the departments whose items this person may check besides their own.
    Only active inspectors are frozen into a draw.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspector_profile",
    )
    name = models.CharField(_("姓名"), max_length=100)
    badge_no = models.CharField(_("执法证号"), max_length=32, unique=True)
    department = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        related_name="inspectors",
    )
    qualifications = models.ManyToManyField(
        "accounts.Organisation", verbose_name=_("可检查的其他部门事项"), blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员名录库")
        ordering = ["department_id", "name"]

    def __str__(self) -> str:
        return self.name


class ConflictKind(models.TextChoices):
    RELATIVE = "relative", _("近亲属关系")
    PRIOR_EMPLOYMENT = "prior_employment", _("曾在该企业任职")
    RECENT_DEALINGS = "recent_dealings", _("近期有利害往来")


class InspectorConflict(models.Model):
    """A conflict of interest (回避情形): the inspector is never drawn for this enterprise while it lasts."""

    inspector = models.ForeignKey(
        Inspector, verbose_name=_("检查人员"), on_delete=models.CASCADE, related_name="conflicts"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("企业"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("回避情形"), max_length=32, choices=ConflictKind.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    until = models.DateField(_("回避截止"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回避情形")
        verbose_name_plural = _("回避情形")
        ordering = ["inspector_id", "enterprise_id"]

    def __str__(self) -> str:
        return f"{self.inspector} / {self.enterprise_id}"


class PlanState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    COMMITTED = "committed", _("已公布承诺")
    DRAWN = "drawn", _("已抽取")
    IN_PROGRESS = "in_progress", _("检查中")
    PUBLISHED = "published", _("结果已公示")


class Plan(models.Model):
    """A random inspection plan (抽查计划): period, items, ratios and rules.

    draft -> committed (the draw's inputs frozen and their SM3 commitment published) -> drawn (seed
    revealed, inspections created) -> in progress (first findings) -> published (all results public).
    Ratios and the control share are in basis points (100 = 1%) so the draw is integer-exact.
    """

    code = models.SlugField(_("计划编号"), max_length=64, unique=True)
    title = models.CharField(_("计划名称"), max_length=200)
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    items = models.ManyToManyField(InspectionItem, verbose_name=_("抽查事项"), related_name="plans")
    ratios_bp = models.JSONField(_("各等级抽查比例(基点)"))
    control_share_bp = models.PositiveIntegerField(_("纯随机对照比例(基点)"), default=1000)
    yearly_cap = models.PositiveSmallIntegerField(_("每家企业每年最多检查次数"), default=2)
    tolerance_months = models.PositiveSmallIntegerField(_("新业态包容期(月)"), default=36)
    exempt_tags = models.JSONField(_("免检免扰标签"), default=list)
    inspectors_per_target = models.PositiveSmallIntegerField(_("每户检查人员数"), default=2)
    state = models.CharField(_("状态"), max_length=16, choices=PlanState.choices, default=PlanState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("结果公示时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查计划")
        verbose_name_plural = _("抽查计划")
        ordering = ["-period_start", "-pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_public(self) -> bool:
        return self.state != PlanState.DRAFT

    @property
    def ratios_percent(self) -> list[tuple[str, str]]:
        """(grade, ratio in percent as text), e.g. ("A", "1"), ("B", "2.5")."""
        return [(g, _bp_text(int(self.ratios_bp.get(g, 0)))) for g in GRADE_KEYS]

    @property
    def control_share_percent(self) -> str:
        return _bp_text(self.control_share_bp)


def _bp_text(bp: int) -> str:
    whole, rest = divmod(bp, 100)
    return f"{whole}" if not rest else f"{whole}.{rest:02d}".rstrip("0")


class Draw(models.Model):
    """The frozen draw of a plan: inputs as the exact canonical JSON text hashed, the commitment,
    the seed (kept secret until revealed) and the result.

    Texts, not JSON fields: PostgreSQL's jsonb reorders keys, and the hashes are over exact bytes.
    """

    plan = models.OneToOneField(
        Plan, verbose_name=_("抽查计划"), on_delete=models.CASCADE, related_name="draw"
    )
    inputs_text = models.TextField(_("抽取输入(规范 JSON)"))
    seed_hash = models.CharField(_("种子 SM3"), max_length=64)
    inputs_hash = models.CharField(_("输入 SM3"), max_length=64)
    commitment = models.CharField(_("承诺值"), max_length=64)
    seed = models.CharField(_("随机种子"), max_length=64)
    seed_revealed = models.BooleanField(_("种子已公开"), default=False)
    result_text = models.TextField(_("抽取结果(规范 JSON)"), blank=True)
    result_hash = models.CharField(_("结果 SM3"), max_length=64, blank=True)
    committed_at = models.DateTimeField(_("承诺时间"))
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽取记录")
        verbose_name_plural = _("抽取记录")

    def __str__(self) -> str:
        return f"{self.plan.code} {self.commitment[:12]}"

    @property
    def commitment_dict(self) -> dict[str, str]:
        return {"seed_hash": self.seed_hash, "inputs_hash": self.inputs_hash, "commitment": self.commitment}

    @property
    def public_seed(self) -> str:
        return self.seed if self.seed_revealed else ""


class InspectionState(models.TextChoices):
    ASSIGNED = "assigned", _("待检查")
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("已公示")


class Stratum(models.TextChoices):
    RISK = "risk", _("按风险分级抽取")
    CONTROL = "control", _("纯随机对照")


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def visible_to(self, actor: Any) -> InspectionQuerySet:
        """Park staff see every inspection; an inspector sees the ones they are assigned to."""
        from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, Role

        user = actor if getattr(actor, "is_authenticated", False) else None
        if user is None or not user.is_active:
            return self.none()
        if user.role in ARCHIVE_EDITOR_ROLES:
            return self.all()
        if user.role == Role.INSPECTOR:
            return self.filter(inspectors__user=user).distinct()
        return self.none()


class Inspection(models.Model):
    """One visit to one enterprise under a plan; several departments' items make one joint visit."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("抽查计划"), on_delete=models.CASCADE, related_name="inspections"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("检查对象"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    inspectors = models.ManyToManyField(Inspector, verbose_name=_("检查人员"), related_name="inspections")
    items = models.ManyToManyField(InspectionItem, verbose_name=_("检查事项"), related_name="+")
    stratum = models.CharField(_("抽取方式"), max_length=16, choices=Stratum.choices)
    grade = models.CharField(_("抽取时等级"), max_length=1, blank=True)
    joint = models.BooleanField(_("联合检查"), default=False)
    unstaffed = models.CharField(_("未能配员原因"), max_length=200, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=InspectionState.choices, default=InspectionState.ASSIGNED
    )
    inspected_on = models.DateField(_("检查日期"), null=True, blank=True)
    publish_due = models.DateField(_("公示期限"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查任务")
        verbose_name_plural = _("检查任务")
        ordering = ["plan_id", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "enterprise"], name="inspection_once_per_plan")
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} / {self.enterprise_id}"

    @property
    def found_problems(self) -> bool:
        return any(f.outcome == Outcome.PROBLEM for f in self.findings.all())


class Outcome(models.TextChoices):
    CLEAN = "clean", _("未发现问题")
    PROBLEM = "problem", _("发现问题")


class Finding(models.Model):
    """The result of one item at one visit: clean, or a problem with details and a rectification deadline.

    Publishing the inspection turns each finding into a ledger record (`record`).
    """

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查任务"), on_delete=models.CASCADE, related_name="findings"
    )
    item = models.ForeignKey(
        InspectionItem, verbose_name=_("检查事项"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("检查结果"), max_length=16, choices=Outcome.choices)
    severity = models.CharField(_("问题程度"), max_length=16, blank=True)
    details = models.TextField(_("问题描述"), blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    record = models.ForeignKey(
        "records.CreditRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["inspection_id", "item_id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="finding_once_per_item")]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.item_id} {self.outcome}"


class Evidence(models.Model):
    """A photo or document an inspector attached to an inspection (kept in the database)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查任务"), on_delete=models.CASCADE, related_name="evidence"
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    content = models.BinaryField(_("内容"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查证据")
        verbose_name_plural = _("检查证据")
        ordering = ["inspection_id", "pk"]

    def __str__(self) -> str:
        return self.file_name
